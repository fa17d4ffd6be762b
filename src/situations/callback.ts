import * as chrono from 'chrono-node';
import type { Topic } from '../facts/model.js';
import { CLASS_WORDS, DAY_WORDS, PERIOD_WORDS, PLAN_WORDS, TENS, UNITS } from '../facts/vocabulary.js';
import { topicMentions } from '../../machines/topic-words.js';
import { wallClock } from './timezone.js';
import { BOUNDARY, plain, tokens } from './words.js';
import type { Language } from '../language/index.js';
import { callbackWordsEs } from './callback-es.js';

// "Call back after two and ask for Mike", "the manager is in tomorrow morning": a deferral, as a structured
// callback request. Dates and times in words go through chrono-node (a maintained natural-language date parser)
// after the spoken clock times it does not read ("after two", "four thirty") are written as "2:00", "4:30". A gym's
// clock time without am/pm is read as business hours: 1 to 7 are afternoon, 8 to 12 morning. "Morning",
// "afternoon" and "evening" without a time are the earliest sensible hour of that part (9:00, 12:00, 17:00); a day
// without any time ("on Tuesday") is just the date. Everything is the gym's local wall-clock time (timezone.ts).

export interface CallbackFound {
  /** Earliest time to call back in the gym's local time: "2026-12-06T14:00", or a date "2026-12-08", if said. */
  readonly earliestLocal?: string | undefined;
  /** The IANA zone `earliestLocal` is in. */
  readonly timeZone: string;
  readonly person?: string | undefined;
  readonly topics: Topic[];
  readonly words: string;
}

const CALLBACK: readonly RegExp[] = [
  /\b(call|ring|phone|try|give us a call|give me a call|give him a call|give her a call)( us| me| him| her| them| the gym| again)? (back|again|later|tomorrow|another time|in the morning|in the afternoon|after|before|on|around|next)\b/,
  /\bcall (back|again)\b/,
  /\bgive (us|me|him|her|them) a (call|ring|buzz)\b/,
  /\bask for\b/,
  /\b(is|will be|gets|comes|'ll be|'s) (in|back|here|around|available) (tomorrow|later|after|at|on|in the|this|next|around|before|from|until|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/,
  /\b(isn't|is not|not) (in|here|around|available) (right now|today|at the moment|now)\b/,
  /\b(better|best) (time|to call) (is|would be|to call)\b/,
];

const cueText = (text: string): string => plain(text).replace(/\b(he|she|they|mike|manager)'s\b/g, '$1 is');

export function isCallbackRequest(text: string): boolean {
  const t = cueText(text);
  return CALLBACK.some((re) => re.test(t));
}

/** Where the callback cues are in `s` (character spans). */
function cueSpans(s: string): [number, number][] {
  return CALLBACK.flatMap((re) =>
    [...s.matchAll(new RegExp(re.source, 'g'))].map((x): [number, number] => [
      x.index ?? 0,
      (x.index ?? 0) + x[0].length,
    ]),
  );
}

/** Characters between a time and the nearest cue (0 when they overlap). */
function distanceToCue(at: number, end: number, cues: readonly [number, number][]): number {
  return Math.min(...cues.map(([from, to]) => (end < from ? from - end : at > to ? at - to : 0)));
}

const HOUR_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
const MINUTE_WORDS: Readonly<Record<string, string>> = {
  'oh five': '05',
  fifteen: '15',
  thirty: '30',
  'forty five': '45',
  'forty-five': '45',
  'o five': '05',
};
const H = `(${Object.keys(HOUR_WORDS).join('|')}|\\d{1,2})`;
const M = `(${Object.keys(MINUTE_WORDS).join('|')}|\\d\\d)`;
const PREP = '(after|at|around|about|by|before|from|until|till|til|past|between|say)';

function hour(w: string): number {
  return HOUR_WORDS[w] ?? Number(w);
}

/** Spoken clock times written the way chrono reads them. */
function clockTimes(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/\ba\.?\s?m\b\.?/g, 'am')
      .replace(/\bp\.?\s?m\b\.?/g, 'pm')
      .replace(/\bhalf past (\w+)/g, (_m, h: string) => (HOUR_WORDS[h] || /^\d+$/.test(h) ? `${hour(h)}:30` : _m))
      .replace(
        new RegExp(`\\b${H}[ :]${M}\\b`, 'g'),
        (_m, h: string, m: string) => `${hour(h)}:${MINUTE_WORDS[m] ?? m}`,
      )
      .replace(new RegExp(`\\b${H} o'?clock\\b`, 'g'), (_m, h: string) => `${hour(h)}:00`)
      // "After to": no clock word is "to" or "too" after these, the recogniser's "two" is (the gym said a time).
      .replace(/\b(after|around|before|until|till|past) (to|too)\b/g, '$1 two')
      .replace(new RegExp(`\\b${PREP} ${H}\\b(?!:)`, 'g'), (_m, p: string, h: string) => `${p} ${hour(h)}:00`)
      .replace(/\bafter lunch\b/g, 'after 1:00 pm')
      .replace(/\bfirst thing\b/g, 'morning')
  );
}

const DAY_PARTS: readonly [RegExp, number][] = [
  [/\bmorning\b/, 9],
  [/\bafternoon\b/, 12],
  [/\b(evening|tonight)\b/, 17],
];

const pad = (n: number): string => String(n).padStart(2, '0');

/** The earliest callback time said in `text`, as local wall-clock ISO, relative to `now` in `timeZone`. */
export function earliestCallback(text: string, now: Date, timeZone: string): string | undefined {
  const wall = wallClock(now, timeZone);
  // chrono works on a Date; the gym's wall clock is given to it as UTC so nothing is shifted by the server's zone.
  const ref = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute));
  // "She's not in right now, try after lunch": the present is never the earliest time to call back.
  // The time said nearest a callback cue: a turn that also gives the hours ("monday through friday six to nine …
  // call back after two") must not have its "monday" read as the day to call back. Without a cue (a time phrase
  // alone: the model's `when`), the first.
  const said = clockTimes(cueText(text));
  const cues = cueSpans(said);
  const r = chrono.casual
    .parse(said, { instant: ref, timezone: 0 }, { forwardDate: true })
    .filter((x) => !/^(right )?now$|^today$|^at the moment$/.test(x.text))
    .map((x) => ({ x, d: cues.length === 0 ? 0 : distanceToCue(x.index, x.index + x.text.length, cues) }))
    .reduce<{ x: chrono.ParsedResult; d: number } | undefined>(
      (best, c) => (best && best.d <= c.d ? best : c),
      undefined,
    )?.x;
  if (r === undefined) return undefined;
  const s = r.start;
  let h = s.get('hour') ?? 0;
  const m = s.get('minute') ?? 0;
  let timed = s.isCertain('hour');
  if (timed && !s.isCertain('meridiem') && h >= 1 && h <= 7) h += 12;
  if (!timed) {
    const part = DAY_PARTS.find(([re]) => re.test(r.text));
    if (part !== undefined) {
      h = part[1];
      timed = true;
    }
  }
  let day = new Date(
    Date.UTC(s.get('year') ?? wall.year, (s.get('month') ?? wall.month) - 1, s.get('day') ?? wall.day),
  );
  // A time with no day ("after two") is today if still ahead, else tomorrow: chrono's forward date was decided
  // before the afternoon reading above.
  if (timed && !s.isCertain('day') && !s.isCertain('weekday') && !/\b(in|tomorrow|tonight)\b/.test(r.text)) {
    const today = Date.UTC(wall.year, wall.month - 1, wall.day);
    const ahead = h * 60 + m > wall.hour * 60 + wall.minute;
    day = new Date(ahead ? today : today + 86_400_000);
  }
  const date = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  return timed ? `${date}T${pad(h)}:${pad(m)}` : date;
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'our',
  'my',
  'to',
  'for',
  'him',
  'her',
  'them',
  'us',
  'me',
  'back',
  'after',
  'at',
]);
// Words of the facts' vocabulary are nobody's name: "ask for month" is the recogniser's "ask for Mike" lost, and a
// wrong name is worse than none.
const NOT_NAMES = new Set<string>(
  [
    ...Object.values(DAY_WORDS).flat(),
    ...Object.values(PERIOD_WORDS).flat(),
    ...PLAN_WORDS,
    ...UNITS,
    ...TENS,
    ...CLASS_WORDS.flatMap((c) => [c.spoken, ...c.aliases]),
    ...['hours', 'prices', 'pricing', 'price', 'classes', 'class', 'membership', 'memberships', 'plan', 'plans'],
    ...['help', 'that', 'this', 'it', 'information', 'details', 'more', 'someone', 'somebody', 'anyone', 'one'],
  ]
    .flatMap((w) => w.split(' '))
    .filter((w) => w.length > 0),
);
const ROLES = [
  'general manager',
  'sales manager',
  'gym manager',
  'club manager',
  'manager',
  'owner',
  'front desk',
  'trainer',
  'director',
];

/** Who to ask for: "ask for Mike", "talk to Sarah", "the manager is in tomorrow" → "Mike", "Sarah", "the manager". */
export function callbackPerson(text: string): string | undefined {
  const toks = tokens(text).filter((t) => t !== BOUNDARY);
  const joined = toks.join(' ');
  const named =
    /\b(ask for|speak to|speak with|talk to|talk with|ask to speak to|ask to speak with) ([a-z']+)( [a-z']+)?/.exec(
      joined,
    );
  if (named !== null && !STOP.has(named[2] as string) && !NOT_NAMES.has(named[2] as string))
    return titleCase(named[2] as string);
  for (const role of ROLES) {
    const at = joined.indexOf(role);
    if (at >= 0 && /\b(is|will be|gets|comes|'s|isn't|is not|ask for|speak to|talk to)\b/.test(joined))
      return `the ${role}`;
  }
  const subject = /\b([a-z]+) (is|will be|gets|comes) (in|back) /.exec(joined);
  if (
    subject !== null &&
    !/^(he|she|they|it|that|this|who|everyone|someone|somebody|nobody|there)$/.test(subject[1] as string)
  ) {
    return titleCase(subject[1] as string);
  }
  return undefined;
}

function titleCase(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/**
 * The callback request in `text`, or undefined when it asks for none. `missing`: the topics still open, used when
 * the words name none ("call back tomorrow" is about everything we still need).
 */
export function callbackIn(
  said: string,
  missing: readonly Topic[],
  now: Date,
  timeZone: string,
  language: Language = 'en',
): CallbackFound | undefined {
  // Spanish is read in the English words of the same request (callback-es.ts); the words kept are hers.
  const text = language === 'es' ? callbackWordsEs(said) : said;
  if (!isCallbackRequest(text)) return undefined;
  // "In an hour" names a duration, not the hours topic.
  const about = text.replace(/\b(an|a|one|two|three|few|couple of|couple|\d+) (hour|hours)\b/gi, ' ');
  const named = topicMentions(tokens(about).filter((t) => t !== BOUNDARY)).map((x) => x.topic);
  return {
    earliestLocal: earliestCallback(text, now, timeZone),
    timeZone,
    person: callbackPerson(text),
    topics: named.length > 0 ? named : [...missing],
    words: said.trim(),
  };
}
