import { DAYS } from '../../facts/model.js';
import { CLASS_WORDS, DAY_WORDS, PERIOD_WORDS, PLAN_WORDS, TENS, UNITS } from '../../facts/vocabulary.js';
import { HOST_WORDS, KEY_NAMES, LINE_PHRASES, LINE_WORDS } from './line-words.js';
import type { AsrContext } from './types.js';
import { AMENITIES, DESK_NAMES, DESK_QUESTION_WORDS, DESK_REASONS } from '../../frontdesk/caller-words.js';

// JSGF grammars for the offline recogniser, built from the shared vocabulary (src/facts/vocabulary.ts), so the
// recogniser can produce every phrase the fact parser understands and a persona may say. One grammar per
// dialogue step: the expected topic gets a high weight, the other topics stay reachable (a caller may volunteer
// them) at a low weight, and common filler words let whole sentences through. The words are lower-case entries
// of the acoustic model's dictionary; the few it lacks are added from EXTRA_PRONUNCIATIONS.

/** ARPAbet for vocabulary words missing from soundswallower's en-us dictionary. */
export const EXTRA_PRONUNCIATIONS: readonly [string, string][] = [
  ['zumba', 'Z UW M B AH'],
  ['hiit', 'HH IH T'],
  ['crossfit', 'K R AO S F IH T'],
  ['bootcamp', 'B UW T K AE M P'],
  ['kickboxing', 'K IH K B AA K S IH NG'],
  ['aquafit', 'AE K W AH F IH T'],
  ['vinyasa', 'V IH N Y AA S AH'],
  ['jiu', 'JH UW'],
  ['jitsu', 'JH IH T S UW'],
  ['mindfulness', 'M AY N D F AH L N AH S'],
  // Readings flite (and many people) use that the dictionary lacks.
  ['zumba(2)', 'Z AH M B AH'],
  ['zumba(3)', 'Z AA M B AH'],
  // Through the phone band flite's "zumba" fits "Z AA N DH AH" better than any dictionary-like reading (forced
  // choice among 20 readings): without it, "we offer zumba" is heard as "we offer is on the".
  ['zumba(4)', 'Z AA N DH AH'],
  // The b of flite's "bootcamp" comes through as a d ("we have do can can martial arts").
  ['bootcamp(2)', 'D UW T K AE M P'],
  // Measured on flite's slt voice through μ-law: "yoga" otherwise comes out as "yeah of" ...
  ['yoga(2)', 'Y AH G AH'],
  ['yoga(3)', 'IY OW G AH'],
  // ... and "month" as "the nine": its vowel is closer to "mine".
  ['month(2)', 'M AY N TH'],
  ['monthly(2)', 'M AY N TH L IY'],
  ['pilates(2)', 'P AY L EY T S'],
  // Menu keys: with "one" only as W AH N the decoder wrote "press one" as "press two line noon" and "press zero" at
  // the start of a sentence as "to at here uh" (flite slt through μ-law). CMUdict's HH W AH N and the open-vowel
  // readings many voices use, and a reduced final vowel of "zero": 7 of 8 menu sentences with their key right,
  // against 3 of 8 without (the eighth lost its "press" to an utterance break).
  ['one(2)', 'HH W AH N'],
  ['one(3)', 'W AA N'],
  ['one(4)', 'W AO N'],
  ['one(5)', 'W UH N'],
  ['zero(3)', 'Z IH R AH'],
  ['chi(2)', 'CH IY'],
];

const alt = (xs: readonly string[]): string => `(${xs.join(' | ')})`;

const HOUR_WORDS = UNITS.slice(1, 13);
const MINUTE_WORDS = ['fifteen', 'thirty', 'forty five', "o'clock"];
const TEEN_AND_UNIT = UNITS.slice(1);
const TENS_WORDS = TENS.filter((t) => t.length > 0);

const FILLERS = [
  'we',
  "we're",
  'we are',
  'are',
  'is',
  "it's",
  'it',
  'the',
  'and',
  'a',
  'on',
  'at',
  'from',
  'to',
  'for',
  'our',
  'us',
  'have',
  'has',
  'do',
  'offer',
  'also',
  'plus',
  'with',
  'or',
  'but',
  'not',
  "don't",
  'no',
  'yes',
  'sure',
  'okay',
  'right',
  'well',
  'so',
  'um',
  'uh',
  'hmm',
  'let me',
  'see',
  'think',
  'thanks',
  'thank you',
  'hello',
  'hi',
  'goodbye',
  "that's",
  'all',
  'that',
  'about',
  'just',
  'only',
  'price',
  'membership',
  'plan',
  'pass',
  'classes',
  'class',
  'hours',
  'gym',
  'every',
  'each',
  'per',
  'again',
  'i',
  'you',
  'can',
  'have to go',
  'how can i help',
];

function hoursRules(): string {
  // Full names and plurals only; the abbreviations are for typed text.
  const dayWords = DAYS.flatMap((d) => DAY_WORDS[d].slice(0, 2));
  return [
    `<hour> = ${alt(HOUR_WORDS)};`,
    // "half past six", "quarter to ten", and the British "half six": the parser reads them all.
    `<time> = [(half | quarter) [past | to]] <hour> [${alt(MINUTE_WORDS)}] [a.m. | p.m. | in the morning | in the evening | at night] | noon | midnight | midday;`,
    `<day> = ${alt(dayWords)};`,
    `<days> = <day> [(through | to | and) <day>] | weekdays | weekends | [the] weekend | every day | daily | seven days a week | during the week;`,
    `<range> = [from] <time> (to | until | till) <time> | open at <time> and close at <time>;`,
    // One end of the day on its own: "we close at noon on sundays", "shut at nine", "lock up at ten".
    `<bound> = (close | closes | shut | lock up) [at] <time> | open (till | until) <time> | open at <time>;`,
    `<hours> = <days> | <range> [<days>] | <bound> [[on] <days>] | <time> | open | (closed | close | shut) [on] [<days>] | opens | closes | ` +
      `twenty four hours [a day] | twenty four seven | around the clock | except;`,
  ].join('\n');
}

function priceRules(): string {
  const periods = (Object.values(PERIOD_WORDS) as readonly (readonly string[])[]).flat();
  return [
    `<unit> = ${alt(TEEN_AND_UNIT)};`,
    `<tens> = ${alt(TENS_WORDS)};`,
    `<below100> = <tens> [<unit>] | <unit>;`,
    `<number> = [(a | one | two | three | four | five | six | seven | eight | nine) hundred [and]] <below100> | ` +
      `(a | one | two | three | four | five | six | seven | eight | nine) hundred;`,
    `<period> = ${alt([...new Set([...periods, 'day', 'visit'])])};`,
    `<plan> = ${alt(PLAN_WORDS)};`,
    // A price and its period as one phrase, so "dollars a month" is not heard as "dollars the nine".
    `<prices> = <number> [dollars | bucks] [and <below100> cents] [<period>] | <period> | <plan> [plan | membership] | ` +
      // What comes between a plan and its amount when no currency is said: "a drop in costs fifteen".
      `(costs | cost | runs | charge | fee) [<number>];`,
  ].join('\n');
}

function classRules(): string {
  // "hit" would compete with "hiit" for the same sounds; the parser still maps a cloud recogniser's "hit".
  const names = [...new Set(CLASS_WORDS.flatMap((c) => [c.spoken, ...c.aliases.filter((a) => a !== 'hit')]))];
  return `<classes> = ${alt(names)};`;
}

/** A front-desk caller's words (only in the desk grammar): questions, amenities, a person, a message's parts. */
function deskRules(): string {
  return [
    `<deskword> = ${alt([...new Set([...DESK_QUESTION_WORDS, ...DESK_NAMES, ...DESK_REASONS])])};`,
    `<amenity> = ${alt(AMENITIES)};`,
    // A number said digit by digit is one phrase, so "two one" is not heard as "to line".
    `<digit> = ${alt([...UNITS.slice(0, 10), 'double'])};`,
    // Whole phone numbers only (seven digits or ten): an open run of digits grows
    // a digit out of the last one's decay ("three eight").
    `<phone> = ${[7, 10].map((n) => Array(n).fill('<digit>').join(' ')).join(' | ')};`,
    '<desk> = /3/ <deskword> | /4/ <amenity> | /4/ <phone>;',
  ].join('\n');
}

const WEIGHTS: Readonly<Record<AsrContext, { hours: number; prices: number; classes: number; line: number }>> = {
  hours: { hours: 6, prices: 0.03, classes: 0.03, line: 0.03 },
  pricing: { hours: 0.03, prices: 6, classes: 0.03, line: 0.03 },
  classes: { hours: 0.03, prices: 0.03, classes: 6, line: 0.03 },
  'yes-no': { hours: 1, prices: 1, classes: 1, line: 1 },
  open: { hours: 2, prices: 2, classes: 2, line: 2 },
  // A front-desk caller asks about any topic, never speaks a phone line's words.
  desk: { hours: 2, prices: 2, classes: 2, line: 0.01 },
};

/** The JSGF grammar for one dialogue step. */
export function grammarFor(ctx: AsrContext): string {
  const w = WEIGHTS[ctx];
  const filler = ctx === 'yes-no' ? 4 : 2;
  return [
    '#JSGF V1.0;',
    `grammar gym_${ctx.replace('-', '_')};`,
    hoursRules(),
    priceRules(),
    classRules(),
    // While classes are expected "it" goes: it swallows "hiit" whenever the h is soft.
    `<filler> = ${alt(ctx === 'classes' ? FILLERS.filter((f) => f !== 'it') : FILLERS)};`,
    `<key> = ${alt(KEY_NAMES)};`,
    `<host> = ${alt(HOST_WORDS)};`,
    `<line> = ${alt([...LINE_PHRASES, ...LINE_WORDS.filter((x) => !FILLERS.includes(x))])};`,
    // The phone line's own words (menus, hold, voicemail, screening): heard everywhere, never above the facts.
    ...(ctx === 'desk' ? [deskRules()] : []),
    `<item> = /${w.hours}/ <hours> | /${w.prices}/ <prices> | /${w.classes}/ <classes> | /${filler}/ <filler> | /${w.line}/ <line>` +
      (ctx === 'desk' ? ' | /4/ <desk>;' : ';'),
    'public <utterance> = <item>+;',
    '',
  ].join('\n');
}

/** Every word the grammars use (for dictionary checks). */
export function grammarWords(): string[] {
  const text = `${grammarFor('open')}\n${grammarFor('desk')}`
    .split('\n')
    .filter((l) => l.startsWith('<'))
    .map((l) => l.slice(l.indexOf('=') + 1))
    .join(' ');
  const words = text
    .replace(/<[a-z0-9_]+>|\/[\d.]+\/|[()[\]|;*+]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  return [...new Set(words)].sort();
}
