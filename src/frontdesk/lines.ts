import { sayPhoneNumber } from '../../machines/situation-lines.js';
import type { Day, DayHours, MembershipPlan, Period } from '../facts/model.js';
import { sayNumber } from '../facts/numbers.js';
import { PERIOD_PHRASE, sayDays, sayGymName, sayTime } from '../facts/say.js';
import { DAY_NAMES } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import { DESK_LINES_ES } from './lines-es.js';

// Every fixed line of the front desk, one table per language (this file English, lines-es.ts Spanish), chosen by
// the call's language (deskLines): the greeting, the re-prompt and goodbye, the carriers answers are built in,
// what it says when it does not know, and the steps of taking a message and of putting a caller through. Values are
// spoken with src/facts/say.ts's forms (the words the offline recogniser and the fact parser share). Answers with
// values are built in answers.ts from these.

const FIXED_EN = {
  offer: 'I can tell you our opening hours, prices and classes, take a message, or put you through to the staff.',
  help: 'How can I help?',
  anythingElse: 'Is there anything else I can help with?',
  reprompt: 'Are you still there? How can I help?',
  repromptAgain: "Sorry, I can't hear anything. Are you still there?",
  goodbye: 'Thanks for calling, goodbye!',
  goodbyeIdle: "I can't hear anything, so I'll hang up now. Please call again. Goodbye!",
  goodbyeError: "I'm sorry, I'm having technical trouble. Please call again later. Goodbye!",
  notUnderstood: "Sorry, I didn't catch that. You can ask me about our hours, prices or classes.",
  unknown: "I'm sorry, I don't have that information.",
  offerMessage: 'I can take a message for the staff if you like.',
  staleNote: 'That is what we last confirmed, so it may have changed.',
  hoursUnknown: "I'm sorry, I don't have our opening hours.",
  pricesUnknown: "I'm sorry, I don't have our prices.",
  classesUnknown: "I'm sorry, I don't have our class list.",
  messageName: "Sure, I'll take a message. What's your name?",
  messageNumber: "Thanks. What's the best number to call you back on?",
  messageNumberAgain: "Sorry, I didn't get the number. Could you say it digit by digit?",
  messageReason: 'And what is it about?',
  messageCancelled: "Okay, I won't take a message.",
  transferring: "Sure, I'll put you through to the staff now. Please hold.",
  transferFailed: "Sorry, I couldn't put you through.",
  transferUnanswered: 'Sorry, nobody at the desk could take your call just now. Please call again later. Goodbye.',
  noStaff: "I'm sorry, there's nobody I can put you through to right now.",
};

export type DeskFixedLines = Readonly<Record<keyof typeof FIXED_EN, string>>;

/** One language's desk lines: the fixed ones, and those built around a value. */
export interface DeskLines extends DeskFixedLines {
  readonly language: Language;
  greeting(gymName: string): string;
  dayHours(d: DayLabel, h: DayHours): string;
  dayHoursUnknown(d: DayLabel): string;
  /** A public holiday on the day asked (today, tomorrow, or a weekday of the coming week). */
  holiday(d: DayLabel, holiday: string): string;
  /** A public holiday the caller named ("are you open on Christmas?"). */
  holidayNamed(holiday: string): string;
  week(days: readonly Day[], h: DayHours): string;
  /** "I don't have our hours for 2 days of the week." */
  daysMissing(n: number): string;
  plan(p: MembershipPlan): string;
  planUnknown(plan: string): string;
  /** What was asked for when no plan matches it: a drop-in, a monthly plan. */
  periodPlan(period: Period): string;
  classes(names: readonly string[]): string;
  classYes(name: string, schedule: string | undefined): string;
  classUnknown(name: string): string;
  topicUnknown(thing: string): string;
  messageTaken(name: string, number: string): string;
}

function greetingLine(gymName: string): string {
  const name = sayGymName(gymName);
  return `Thanks for calling${name === undefined ? '' : ` ${name}`}. This is the automated front desk.`;
}

/** "today", "tomorrow" or "on monday": how the caller asked for the day. */
export type DayLabel = 'today' | 'tomorrow' | Day;

function dayWords(d: DayLabel): string {
  return d === 'today' || d === 'tomorrow' ? d : `on ${DAY_NAMES[d]}`;
}

/** A sentence's full stop, unless it already ends on one ("ten p.m."). */
const stop = (s: string): string => (s.endsWith('.') ? s : `${s}.`);

/** One day's stored hours: "Today we're open six a.m. to ten p.m.", "On sunday we're closed." */
function dayHoursLine(d: DayLabel, h: DayHours): string {
  const when = dayWords(d);
  const lead = when.charAt(0).toUpperCase() + when.slice(1);
  if ('closed' in h) return `${lead} we're closed.`;
  if ('open24h' in h) return `${lead} we're open twenty four hours.`;
  return stop(`${lead} we're open ${sayTime(h.opens)} to ${sayTime(h.closes)}`);
}

function dayHoursUnknownLine(d: DayLabel): string {
  return `I'm sorry, I don't have our hours for ${d === 'today' || d === 'tomorrow' ? d : DAY_NAMES[d]}.`;
}

/** A public holiday on the day asked: its regular hours may not hold, and no holiday hours are stored. */
function holidayLine(d: DayLabel, holiday: string): string {
  const when = d === 'today' ? 'Today' : d === 'tomorrow' ? 'Tomorrow' : `This ${DAY_NAMES[d]}`;
  return `${when} is ${holiday}, and I don't know our hours for the holiday.`;
}

function weekLine(days: readonly Day[], h: DayHours): string {
  const when = sayDays(days);
  if ('closed' in h) return `We're closed ${when}.`;
  if ('open24h' in h) return `We're open twenty four hours ${when}.`;
  return `We're open ${sayTime(h.opens)} to ${sayTime(h.closes)} ${when}.`;
}

/** The currencies' names in words, major and minor unit, as the facts parsers read them back (parse-prices.ts). */
const CURRENCY_WORDS: Record<string, [string, string]> = {
  USD: ['dollars', 'cents'],
  GBP: ['pounds', 'pence'],
  EUR: ['euros', 'cents'],
  CAD: ['dollars', 'cents'],
  AUD: ['dollars', 'cents'],
  NZD: ['dollars', 'cents'],
  // Pesos (parse-prices.ts reads "pesos" as MXN; the other peso countries' are said the same).
  MXN: ['pesos', 'centavos'],
  COP: ['pesos', 'centavos'],
  ARS: ['pesos', 'centavos'],
  CLP: ['pesos', 'centavos'],
};

/** Any other ISO 4217 code: its English name in the plural from ICU ("Swiss francs"), never the bare code. */
function currencyName(currency: string): string {
  try {
    const parts = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'name' }).formatToParts(
      2,
    );
    const name = parts.find((x) => x.type === 'currency')?.value;
    return name === undefined || name === '' ? currency : name;
  } catch {
    return currency;
  }
}

/** 4999 USD → "forty nine dollars and ninety nine cents", 5000 MXN → "fifty pesos", 2000 CHF → "twenty Swiss francs". */
export function sayAmount(amountMinor: number, currency: string): string {
  const [major, minor] = CURRENCY_WORDS[currency] ?? [currencyName(currency), 'hundredths'];
  const whole = sayWhole(Math.floor(amountMinor / 100));
  const cents = amountMinor % 100;
  return cents === 0 ? `${whole} ${major}` : `${whole} ${major} and ${sayNumber(cents)} ${minor}`;
}

/**
 * A price's whole units: words up to 9,999 ("one thousand two hundred", as parse-prices.ts reads them back), digits
 * beyond (a yearly plan in pesos: "90000", which a voice reads and the parsers take).
 */
function sayWhole(n: number): string {
  if (n < 1000) return sayNumber(n);
  if (n >= 10_000) return String(n);
  const rest = n % 1000;
  const head = `${sayNumber(Math.floor(n / 1000))} thousand`;
  return rest === 0 ? head : `${head} ${sayNumber(rest)}`;
}

/** "The monthly membership is forty nine dollars a month." */
function planLine(p: MembershipPlan): string {
  const name = p.plan.trim().toLowerCase();
  const what = /\b(membership|pass|fee|plan)\b/.test(name) ? name : `${name} membership`;
  return `The ${what} is ${sayAmount(p.amountMinor, p.currency)} ${PERIOD_PHRASE[p.period]}.`;
}

function planUnknownLine(plan: string): string {
  return `I'm sorry, I don't have a price for ${plan}.`;
}

function listed(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

function classesLine(names: readonly string[]): string {
  return `Our classes are ${listed(names)}.`;
}

function classYesLine(name: string, schedule: string | undefined): string {
  return schedule === undefined ? `Yes, we have ${name}.` : stop(`Yes, we have ${name}, ${schedule}`);
}

/** A class the stored list does not have: the list may be incomplete, so not a "no". */
function classUnknownLine(name: string): string {
  return `I don't know whether we have ${name}; it isn't on the class list I have.`;
}

/** Something the facts say nothing about (a pool, parking): unknown, never a yes or a no. */
function topicUnknownLine(thing: string): string {
  return `I'm sorry, I don't have any information on the ${thing}.`;
}

function messageTakenLine(name: string, number: string): string {
  return `Thanks, ${name}. I've passed your message to the staff, and they'll call you back on ${sayPhoneNumber(number)}.`;
}

export const DESK_LINES_EN: DeskLines = {
  ...FIXED_EN,
  language: 'en',
  greeting: greetingLine,
  dayHours: dayHoursLine,
  dayHoursUnknown: dayHoursUnknownLine,
  holiday: holidayLine,
  holidayNamed: (holiday) => `${holiday} is a public holiday, and I don't know our hours for the holiday.`,
  week: weekLine,
  daysMissing: (n) => `I don't have our hours for ${n === 1 ? 'one day' : `${n} days`} of the week.`,
  plan: planLine,
  planUnknown: planUnknownLine,
  periodPlan: (period) => (period === 'visit' ? 'a drop-in' : `a ${period} plan`),
  classes: classesLine,
  classYes: classYesLine,
  classUnknown: classUnknownLine,
  topicUnknown: topicUnknownLine,
  messageTaken: messageTakenLine,
};

const TABLES: Readonly<Record<Language, DeskLines>> = { en: DESK_LINES_EN, es: DESK_LINES_ES };

/** The desk's lines in the call's language (English when none is given). */
export function deskLines(language: Language | undefined): DeskLines {
  return TABLES[language ?? 'en'];
}

/** The greeting in two utterances, as the interview's (a cut during the first leaves the offer unsaid). */
export function deskGreetingLines(gymName: string, recordingNotice?: string, language?: Language): [string, string] {
  const L = deskLines(language);
  const intro = L.greeting(gymName);
  return [recordingNotice === undefined ? intro : `${intro} ${recordingNotice}`, `${L.offer} ${L.help}`];
}

/** The n-th re-prompt of a silent caller; after a failed transfer, the failure and the offer of a message first. */
export function deskRepromptLine(n: number, transferFailed: boolean, language?: Language): string {
  const L = deskLines(language);
  if (transferFailed) return `${L.transferFailed} ${L.offerMessage}`;
  return n <= 1 ? L.reprompt : L.repromptAgain;
}

/** The goodbye for why the call closes (the machine's end reasons). */
export function deskGoodbyeLine(reason: string, language?: Language): string {
  const L = deskLines(language);
  if (reason === 'idle') return L.goodbyeIdle;
  if (reason === 'error') return L.goodbyeError;
  return L.goodbye;
}
