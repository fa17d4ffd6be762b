import { hoursKey, DAYS, type Day, type DayHours } from '../facts/model.js';
import { normalize, parseNumber } from '../facts/numbers.js';
import { parseHours } from '../facts/parse-hours.js';
import { sayGymName } from '../facts/say.js';
import { foldSpanish, spanishTokens } from '../facts/spanish.js';
import { DAY_NAMES } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import { DAY_NAMES_ES } from '../language/es.js';
import { storedAnswers } from './answers.js';
import { AMENITIES, AMENITIES_ES } from './intent.js';
import { CLASS_ES, classNameEs, planNameEs } from './lines-es.js';
import type { DeskKnowledge } from './knowledge.js';
import { digitsIn } from './receptionist.js';
import { allowedTimes, amountsIn, checkClause, timesIn } from './guard-claims.js';
import {
  CLAUSE_END,
  COURTESY_DAYS_EN,
  COURTESY_DAYS_ES,
  COURTESY_PHRASES_ES,
  isCurrency,
  NUMBERISH,
  POLICY_COURTESY_EN,
  POLICY_EN,
  POLICY_ES,
  UNKNOWN,
  UNKNOWN_ES,
  unlisted,
} from './guard-vocabulary.js';

// The front desk's guard: every sentence it is about to say is checked against the gym's stored facts before it
// reaches the speaker, whoever wrote it (the offline receptionist or a model). It is an allowlist: a sentence passes
// only when
// (a) it is one of the desk's own sentences, compared as words (case, punctuation and accents left out), whole or
//     sentence by sentence: answers.ts's storedAnswers (every hours, price and class answer built from the stored
//     facts, and the fixed lines of lines.ts / lines-es.ts), or one the desk built in this call (context.built: the
//     lookup's answers, unknown ones naming the caller's words, and the message read back);
// (b) or every claim in it is entailed by the stored facts AND every word of it is on the closed vocabulary.
//     "Claim" is anything that could state a fact: a day, a time, a number, an amount, a plan, a class, an amenity
//     or a policy word. Each clause (cut at commas, semicolons, colons, dashes and but/and/pero/y, never inside a
//     number) is read on its own (guard-claims.ts), and each claim in it must be explained by a stored fact that it
//     states correctly:
//     - hours the hours parser reads (parse-hours.ts) equal the stored hours of every day they name, and a range
//       without a day is every day's; a day with only "open"/"closed" agrees with its stored state; a time with a day
//       is that day's closing time after close/until, its opening time after open, one of the two otherwise; a time
//       with no day must hold for every open day ("we close at ten" is stopped when Friday closes at half past nine);
//     - a class is a stored one (the vocabulary's names and aliases; "hot yoga" is not yoga), and a day or time said
//       with it (or in a clause after it) is in its stored schedule;
//     - an amount is a stored plan's, of the plan named before it (a stored name, a plan word like "student", or a
//       period's name like "annual") and of the period said after it;
//     - a number that is none of these (a count, an address) is a claim nothing backs; a phone number is allowed
//       only when it is the caller's own (context.callerSaid), read back after taking a message;
//     - amenities and services (pool, parking, personal training) and policy words (contract, cancel, included,
//       free, trial, welcome, kids, address, street, located, fee, unlimited, ...) are never stored, so never pass;
//     - "holiday" only when one falls in the coming week (today and the six days after it);
//     A clause that says it does not know ("I don't know", "I don't have ...", "no sé si", "no tengo esa
//     información"; not "no tenemos" nor "no se preocupe") makes no claim, and may name a class, an amenity, a plan,
//     a day or the caller's own words; "I'm not sure about the pool, but we have zumba" is stopped.
//     The closed vocabulary (guard-vocabulary.ts) is function words and a receptionist's courtesy words,
//     the words the claim checks read (days, times, numbers, amounts, periods, open/closed), the words the stored
//     facts hold (the gym's name, plan and class names, schedules, currencies, holiday names) and a message's stored
//     name; so "we have a rooftop terrace", "we're open late", "tenemos terraza" are stopped (problem 'words'), and
//     so are praise of the gym ("our staff are great"), "now"/"soon" said of the hours, and a denial of a class or
//     plan ("we don't have yoga").
// Every time of day and every amount anywhere in the sentence must also be a stored one. The check is strict on
// purpose: a true sentence phrased in a way it cannot read, or in a word it does not list, is stopped (replaced by
// "I don't have that information"), never the reverse.
// A Spanish sentence is read as src/facts/spanish.ts's English token stream ("hoy abrimos de seis de la mañana a
// diez de la noche" → "monday open from 6 in the morning to 10 at night"), so the same checks hold; its "I don't
// know", amenities, policy words, class names ("yoga caliente") and courtesy words are Spanish on the folded words.

export type GuardProblem =
  | 'hours'
  | 'time'
  | 'price'
  | 'class'
  | 'amenity'
  | 'policy'
  | 'number'
  | 'holiday'
  /** Every claim it reads was backed, but a word is on none of its lists ("we have a rooftop terrace"). */
  | 'words';

export interface GuardVerdict {
  readonly ok: boolean;
  /** Which kinds of claim were not backed by a stored fact (never the sentence's words: it may be logged). */
  readonly problems: GuardProblem[];
}

const HOLIDAY_ES = /\b(?:feriado|feriados|festivo|festivos)\b/;

/** The weekday after the gym's tomorrow: "the day after tomorrow" is that weekday's stored hours (no holiday known). */
const dayAfterTomorrow = (k: DeskKnowledge): Day => DAYS[(DAYS.indexOf(k.tomorrow.day) + 1) % DAYS.length] ?? 'mon';

/** The sentence with "today"/"tomorrow"/"tonight"/"the day after tomorrow" as the gym's weekday names, lower case. */
function withWeekdays(sentence: string, k: DeskKnowledge): string {
  return sentence
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\b(today|tonight)\b/g, DAY_NAMES[k.today.day])
    .replace(/\b(?:the )?day after tomorrow\b/g, DAY_NAMES[dayAfterTomorrow(k)])
    .replace(/\btomorrow\b/g, DAY_NAMES[k.tomorrow.day]);
}

/** Spanish: folded, "hoy", "pasado mañana" and "mañana" (not "de la mañana", the morning) as weekday names. */
function withWeekdaysEs(sentence: string, k: DeskKnowledge): string {
  const day = (d: keyof typeof DAY_NAMES_ES) => foldSpanish(DAY_NAMES_ES[d]);
  return foldSpanish(sentence)
    .replace(/\b(hoy|esta noche)\b/g, day(k.today.day))
    .replace(/\bpasado manana\b/g, day(dayAfterTomorrow(k)))
    .replace(/(?<!\b(?:la|las|esta) )\bmanana\b/g, day(k.tomorrow.day));
}

/**
 * The sentence without its clauses that say they do not know: those may name a class, an amenity or a day; every
 * other clause's claims are checked ("I'm not sure about the pool, but we have zumba": zumba is checked).
 */
function claimsOf(text: string, unknown: RegExp): string {
  return text
    .split(CLAUSE_END)
    .map((part, i) => (i % 2 === 0 && unknown.test(part) ? ' ; ' : part))
    .join('');
}

const isNumberish = (tokens: readonly string[] | undefined): boolean =>
  tokens !== undefined && tokens.length > 0 && (parseNumber(tokens, 0) !== undefined || NUMBERISH.has(tokens[0] ?? ''));

/**
 * A sentence's clauses as tokens, cut where CLAUSE_END cuts it except inside a number or a time ("forty nine dollars
 * and ninety nine cents", "cuarenta y nueve", "nueve y media"): a clause's day, time, class and plan go together.
 */
function clausesOf(text: string, tokensOf: (x: string) => string[]): string[][] {
  const parts = text.split(CLAUSE_END);
  const out: string[] = [parts[0] ?? ''];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const next = parts[i + 1] ?? '';
    const joiner = (parts[i] ?? '').trim();
    const inNumber =
      ['and', 'y', 'e'].includes(joiner) &&
      (isNumberish(tokensOf(out[out.length - 1] ?? '').slice(-1)) || isCurrency(tokensOf(out.at(-1) ?? '').at(-1))) &&
      isNumberish(tokensOf(next.trim().split(/\s+/)[0] ?? ''));
    if (inNumber) out[out.length - 1] += `${parts[i] ?? ''}${next}`;
    else out.push(next);
  }
  return out.map(tokensOf);
}

/** Words with the stored plan and class names taken out: "the student discount membership" names no amenity. */
function withoutStoredNames(words: readonly string[], k: DeskKnowledge, es: boolean): string {
  const names = [...k.pricing.map((p) => p.plan), ...k.classes.map((c) => c.name)];
  const said = es ? names.flatMap((n) => [n, planNameEs(n).replace(/^el plan /, ''), classNameEs(n)]) : names;
  let joined = ` ${words.join(' ')} `;
  for (const n of said.map((x) => normalize(es ? foldSpanish(x) : x).join(' ')).sort((a, b) => b.length - a.length))
    if (n !== '') joined = joined.replaceAll(` ${n} `, ' | ');
  return joined;
}

/** What the guard may know of the call besides the facts. */
export interface GuardContext {
  /** Everything the caller said: a phone number the desk reads back is the caller's own, not a fact of the gym. */
  readonly callerSaid?: string | undefined;
  /**
   * The sentences the desk itself built in this call, as sentenceKeys gives them: its lookups' answers (the unknown
   * ones name the caller's words) and its lines around a value the caller gave (the message read back).
   */
  readonly built?: ReadonlySet<string> | undefined;
  /** Words the desk stored in this call (the name of a message taken): it may say them back. */
  readonly stored?: ReadonlySet<string> | undefined;
}

const OK: GuardVerdict = { ok: true, problems: [] };

/** A sentence compared as words: case, punctuation and accents left out. */
const keyOf = (s: string): string => normalize(s).join(' ');

/**
 * A line's keys as the guard compares sentences: the whole line and each of its sentences, which is how the
 * speaker's sentence splitter hands them over ("Thanks. What's the best number to call you back on?").
 */
export function sentenceKeys(line: string): string[] {
  const parts = line.split(/(?<=[.!?])\s+(?=\S)/);
  return [line, ...(parts.length > 1 ? parts : [])].map(keyOf).filter((x) => x !== '');
}

const OWN = new WeakMap<DeskKnowledge, Map<string, ReadonlySet<string>>>();

/** The sentences answers.ts builds from these facts (and the fixed lines), as keys; computed once per knowledge. */
function ownSentences(k: DeskKnowledge, language: Language): ReadonlySet<string> {
  let byLanguage = OWN.get(k);
  if (byLanguage === undefined) OWN.set(k, (byLanguage = new Map()));
  let set = byLanguage.get(language);
  if (set === undefined) byLanguage.set(language, (set = new Set(storedAnswers(k, language).flatMap(sentenceKeys))));
  return set;
}

const DIGIT_RUN_EN =
  /(?:\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple|\d+)\b[\s,.()+-]*){3,}/g;
const DIGIT_RUN_ES = /(?:\b(?:cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|\d+)\b[\s,.()+-]*){3,}/g;

/** The sentence without the caller's own phone number read back ("call you back on two oh one, ..."). */
function withoutCallerNumber(text: string, callerSaid: string | undefined, language: Language): string {
  if (callerSaid === undefined) return text;
  const caller = digitsIn(callerSaid, language);
  if (caller.length < 7) return text;
  return text.replace(language === 'es' ? DIGIT_RUN_ES : DIGIT_RUN_EN, (run) => {
    const d = digitsIn(run, language);
    const same = d.length >= 7 && (caller.includes(d) || d.includes(caller));
    return same ? ' ; ' : run;
  });
}

/** The gym's own name (as stored and as the greeting says it) is not a claim, whatever words it holds. */
function withoutGymName(text: string, k: DeskKnowledge): string {
  let out = text;
  for (const n of [k.gymName, sayGymName(k.gymName) ?? ''].map((x) => x.trim().toLowerCase()))
    if (n.length > 2) out = out.split(n).join(' ');
  return out;
}

/**
 * Whether a sentence the desk is about to say may be spoken: it is one of the desk's own sentences built from the
 * stored facts, or every claim in it is one the stored facts entail, or it makes no claim. See the file's comment.
 */
export function checkSentence(
  sentence: string,
  k: DeskKnowledge,
  language?: Language,
  context: GuardContext = {},
): GuardVerdict {
  const lang = language ?? 'en';
  const es = lang === 'es';
  if (ownSentences(k, lang).has(keyOf(sentence)) || context.built?.has(keyOf(sentence)) === true) return OK;
  const lower = sentence
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(es ? COURTESY_DAYS_ES : COURTESY_DAYS_EN, ' ');
  const bare = withoutGymName(withoutCallerNumber(lower, context.callerSaid, lang), k).replace(
    /\b(?:through|thru)\b/g,
    'to',
  );
  const text = es ? withWeekdaysEs(bare, k) : withWeekdays(bare, k);
  const tokensOf = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
  const tokens = tokensOf(text);
  const problems = new Set<GuardProblem>();

  // Anywhere in the sentence, even where it says it does not know: every time and amount is a stored one.
  const allowed = allowedTimes(k);
  for (const t of timesIn(tokens)) if (!t.split('|').some((x) => allowed.has(x))) problems.add('time');
  const amounts = new Set(k.pricing.map((p) => Math.floor(p.amountMinor / 100)));
  for (const a of amountsIn(tokens)) if (!amounts.has(a)) problems.add('price');

  // Outside the clauses that say they do not know: every claim entailed by the facts.
  const claims = claimsOf(text, es ? UNKNOWN_ES : UNKNOWN);
  const said = tokensOf(claims);
  const claimed = parseHours(said).hours;
  for (const [day, h] of Object.entries(claimed) as [Day, DayHours][]) {
    const stored = k.hours[day];
    if (stored === undefined || hoursKey(stored) !== hoursKey(h)) problems.add('hours');
  }
  let carried: string[] = [];
  for (const clause of clausesOf(claims, tokensOf)) carried = checkClause(clause, k, es, carried, problems);

  const words = withoutStoredNames(es ? normalize(claims) : said, k, es);
  if ((es ? AMENITIES_ES : AMENITIES).some((a) => words.includes(` ${a} `))) problems.add('amenity');
  // Spanish names of classes not stored ("yoga caliente" is hot yoga, not yoga).
  if (es)
    for (const [name, spanish] of Object.entries(CLASS_ES))
      if (!k.classes.some((c) => c.name.toLowerCase() === name) && words.includes(` ${normalize(spanish).join(' ')} `))
        problems.add('class');
  const policy = es ? POLICY_ES : POLICY_EN;
  if (policy.test(words.replace(es ? COURTESY_PHRASES_ES : POLICY_COURTESY_EN, ' '))) problems.add('policy');
  if (tokens.includes('holiday') || tokens.includes('holidays') || (es && HOLIDAY_ES.test(text))) {
    if (!k.week.some((d) => d.holiday !== undefined)) problems.add('holiday');
  }
  // Claims it can read all backed: every word must still be on the closed vocabulary (or the caller's, where it
  // says it does not know).
  if (problems.size === 0) {
    const callerWords = new Set(context.callerSaid === undefined ? [] : tokensOf(context.callerSaid));
    if (unlisted(text, k, lang, callerWords, context.stored ?? new Set())) problems.add('words');
  }
  return problems.size === 0 ? OK : { ok: false, problems: [...problems] };
}
