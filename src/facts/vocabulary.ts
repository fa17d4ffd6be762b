import type { Day, Period } from './model.js';

// The vocabulary the offline stack understands. One list shared by the fact parser, the recogniser's grammars
// and the persona validator, so a persona can only say what the offline agent is able to hear and parse.
// Everything here is lower-case spoken words (no digits, no punctuation): that is what the recogniser emits.

export const DAY_WORDS: Readonly<Record<Day, readonly string[]>> = {
  mon: ['monday', 'mondays', 'mon'],
  tue: ['tuesday', 'tuesdays', 'tue', 'tues'],
  wed: ['wednesday', 'wednesdays', 'wed'],
  thu: ['thursday', 'thursdays', 'thu', 'thur', 'thurs'],
  fri: ['friday', 'fridays', 'fri'],
  sat: ['saturday', 'saturdays', 'sat'],
  sun: ['sunday', 'sundays', 'sun'],
};

export const DAY_NAMES: Readonly<Record<Day, string>> = {
  mon: 'monday',
  tue: 'tuesday',
  wed: 'wednesday',
  thu: 'thursday',
  fri: 'friday',
  sat: 'saturday',
  sun: 'sunday',
};

/** Words naming a set of days. */
export const DAY_GROUP_WORDS: Readonly<Record<string, readonly Day[]>> = {
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekday: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekends: ['sat', 'sun'],
  weekend: ['sat', 'sun'],
  daily: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  everyday: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
};

export interface ClassWord {
  /** Canonical lower-case name stored in the facts. */
  readonly name: string;
  /** What a speaker says (and what TTS should be given). */
  readonly spoken: string;
  /** Other ways to say it, as recognised word sequences. */
  readonly aliases: readonly string[];
}

export const CLASS_WORDS: readonly ClassWord[] = [
  { name: 'yoga', spoken: 'yoga', aliases: ['hot yoga', 'vinyasa yoga'] },
  { name: 'pilates', spoken: 'pilates', aliases: ['mat pilates', 'reformer pilates'] },
  { name: 'spin', spoken: 'spin', aliases: ['spinning'] },
  { name: 'cycling', spoken: 'cycling', aliases: ['indoor cycling'] },
  { name: 'zumba', spoken: 'zumba', aliases: [] },
  { name: 'kickboxing', spoken: 'kickboxing', aliases: ['kick boxing'] },
  { name: 'boxing', spoken: 'boxing', aliases: [] },
  { name: 'hiit', spoken: 'hiit', aliases: ['hit', 'high intensity interval training', 'high intensity training'] },
  { name: 'crossfit', spoken: 'crossfit', aliases: ['cross fit'] },
  { name: 'barre', spoken: 'barre', aliases: ['barre class'] },
  { name: 'bootcamp', spoken: 'bootcamp', aliases: ['boot camp'] },
  { name: 'aqua aerobics', spoken: 'aqua aerobics', aliases: ['water aerobics', 'aquafit', 'aqua fit'] },
  { name: 'tai chi', spoken: 'tai chi', aliases: [] },
  { name: 'dance', spoken: 'dance', aliases: ['dance fitness', 'dancing'] },
  { name: 'strength', spoken: 'strength', aliases: ['strength training', 'weight training', 'weightlifting'] },
  { name: 'stretching', spoken: 'stretching', aliases: ['stretch', 'mobility'] },
  { name: 'meditation', spoken: 'meditation', aliases: ['mindfulness'] },
  { name: 'martial arts', spoken: 'martial arts', aliases: ['karate', 'jiu jitsu', 'judo'] },
  { name: 'circuit training', spoken: 'circuit training', aliases: ['circuits', 'circuit'] },
  { name: 'step aerobics', spoken: 'step aerobics', aliases: ['step class'] },
];

export const SUPPORTED_CLASSES: readonly string[] = CLASS_WORDS.map((c) => c.name);

/** Period words, matched after (or before) an amount. Multi-word phrases are space separated. */
export const PERIOD_WORDS: Readonly<Record<Period, readonly string[]>> = {
  // "the month": the recogniser hears an unstressed "a" as "the".
  month: ['a month', 'the month', 'per month', 'each month', 'every month', 'monthly', 'month', 'months'],
  year: ['a year', 'the year', 'per year', 'each year', 'every year', 'yearly', 'annually', 'annual', 'year'],
  week: ['a week', 'the week', 'per week', 'each week', 'every week', 'weekly', 'week'],
  // A guest pass is a day's visit for someone who is not a member; gyms price it like a day pass.
  day: [
    'a day',
    'the day',
    'per day',
    'day pass',
    'a day pass',
    'day passes',
    'guest pass',
    'a guest pass',
    'guest passes',
  ],
  visit: [
    'per visit',
    'a visit',
    'each visit',
    'a single visit',
    'single visit',
    'per class',
    'a class',
    'drop in',
    'a drop in',
    'per drop in',
    'drop ins',
    'per session',
    'a session',
  ],
  once: ['one time', 'once', 'sign up fee', 'joining fee', 'enrollment fee', 'initiation fee', 'registration fee'],
};

/** Plan names a caller may put before a price; stored as said. */
export const PLAN_WORDS: readonly string[] = [
  'basic',
  'standard',
  'premium',
  'student',
  'senior',
  'family',
  'couples',
  'corporate',
  'unlimited',
  'off peak',
  'gold',
  'silver',
  'platinum',
  'vip',
];

/** Default plan name when the caller only gave a period. */
export const DEFAULT_PLAN_NAME: Readonly<Record<Period, string>> = {
  month: 'monthly',
  year: 'annual',
  week: 'weekly',
  day: 'day pass',
  visit: 'drop-in',
  once: 'joining fee',
};

export const UNITS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
] as const;
export const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

/** The limits the offline persona validator enforces (the parser understands more). */
export const VOCABULARY_LIMITS = {
  /** Prices from 0 to this, in dollars and cents ("twenty nine dollars and ninety nine cents"). */
  maxAmount: 999,
  /** Times must fall on these minutes. */
  minutes: [0, 15, 30, 45] as const,
} as const;

export function isSupportedClass(name: string): boolean {
  return SUPPORTED_CLASSES.includes(name.trim().toLowerCase());
}

export function isSupportedTime(hhmm: string): boolean {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m) return false;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24) return min === 0;
  return h >= 0 && h < 24 && (VOCABULARY_LIMITS.minutes as readonly number[]).includes(min);
}

export function isSupportedAmount(amount: number): boolean {
  const cents = Math.round(amount * 100);
  return Math.abs(cents - amount * 100) < 1e-6 && amount >= 0 && amount <= VOCABULARY_LIMITS.maxAmount;
}

/** Words meaning yes / no, and ways a caller ends a call. */
export const YES_WORDS = ['yes', 'yeah', 'yep', 'sure', 'correct', 'right', 'exactly', 'absolutely'] as const;
export const NO_WORDS = ['no', 'nope', 'not really', 'nah'] as const;
// Not a bare "bye": recognisers produce it from noise far too easily, and ending a call on a false goodbye is
// worse than one more question.
export const GOODBYE_PHRASES = ['goodbye', 'good bye', 'bye bye', 'have to go', 'gotta go', 'got to go'] as const;
