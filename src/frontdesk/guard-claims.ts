import {
  DAYS,
  hoursKey,
  type Day,
  type DayHours,
  type GymClass,
  type MembershipPlan,
  type Period,
} from '../facts/model.js';
import { normalize, parseNumber } from '../facts/numbers.js';
import { parseHours } from '../facts/parse-hours.js';
import { hhmm, parseTime, to24 } from '../facts/parse-time.js';
import { spanishTokens } from '../facts/spanish.js';
import { CLASS_WORDS, DAY_GROUP_WORDS, DAY_WORDS, PERIOD_WORDS, PLAN_WORDS } from '../facts/vocabulary.js';
import { planNameEs } from './lines-es.js';
import type { DeskKnowledge } from './knowledge.js';
import { isCurrency } from './guard-vocabulary.js';

// The front desk guard's claim checks (guard.ts holds the guarantee): the days, times, amounts, classes, schedules,
// plans and periods a clause says, each checked against the stored facts (checkClause), and the times and amounts
// the stored facts allow anywhere in a sentence.

/** The problems a clause's claims can have: a part of guard.ts's GuardProblem. */
export type ClaimProblem = 'hours' | 'price' | 'class' | 'number';

const TIME_LEAD = new Set(['at', 'from', 'until', 'till', 'til', 'by', 'after', 'before', 'opens', 'closes', 'to']);

export function allowedTimes(k: DeskKnowledge): Set<string> {
  const out = new Set<string>();
  for (const h of Object.values(k.hours))
    if (h !== undefined && 'opens' in h) {
      out.add(h.opens);
      out.add(h.closes);
      if (h.closes === '24:00') out.add('00:00');
    }
  // A schedule is stored as it was said, in English or Spanish: both readings are allowed.
  for (const c of k.classes)
    for (const tokens of [normalize(c.schedule ?? ''), spanishTokens(c.schedule ?? '')])
      for (const t of timesIn(tokens, true)) out.add(t);
  return out;
}

/** Times of day said in the tokens, as HH:MM; one without a.m./p.m. is given both readings. */
export function timesIn(tokens: readonly string[], all = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = parseTime(tokens, i);
    if (t === undefined) continue;
    // "15 dollars", "ninety nine cents": an amount, not a time (the prices check reads it).
    if (isCurrency(tokens[t.next]) || tokens[t.next] === 'cents') continue;
    const marked = t.mer !== undefined || tokens[i + 1] === 'oclock';
    if (!all && !marked && !TIME_LEAD.has(tokens[i - 1] ?? '')) continue;
    const readings = t.mer === undefined ? [to24(t, 'am'), to24(t, 'pm')] : [to24(t, 'am')];
    out.push(readings.map((h) => hhmm(h, t.m)).join('|'));
    i = t.next - 1;
  }
  return out;
}

/** Whole amounts said with a currency word ("forty nine dollars"), in major units. */
export function amountsIn(tokens: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = parseNumber(tokens, i);
    if (n === undefined) continue;
    // "15 50 dollars": Spanish's "quince con cincuenta dólares" (spanish.ts), the second number the cents.
    const cents = /^\d\d$/.test(tokens[n.next] ?? '') && isCurrency(tokens[n.next + 1]);
    if (isCurrency(tokens[n.next]) || cents) out.push(n.value);
    i = (cents ? n.next + 1 : n.next) - 1;
  }
  return out;
}

function daysNamed(tokens: readonly string[]): Day[] {
  return DAYS.filter((d) => DAY_WORDS[d].some((w) => w.length > 3 && tokens.includes(w)));
}

const OPEN_WORDS = new Set(['open', 'opens', 'opening']);
const CLOSE_WORDS = new Set(['close', 'closes', 'closing', 'until', 'till', 'til']);
const PERIOD_NAMES: ReadonlyArray<readonly [string, Period]> = [
  ['monthly', 'month'],
  ['annual', 'year'],
  ['yearly', 'year'],
  ['weekly', 'week'],
  ['day pass', 'day'],
  ['drop in', 'visit'],
];
const PERIOD_PHRASES = (Object.entries(PERIOD_WORDS) as Array<[Period, readonly string[]]>)
  .flatMap(([period, list]) => list.map((w) => ({ words: w.split(' '), period })))
  .sort((a, b) => b.words.length - a.words.length);

/** Every day a clause names: weekdays (singular or plural) and "weekdays", "weekends", "daily", "every day". */
function daysIn(tokens: readonly string[]): Day[] {
  const out = new Set<Day>(daysNamed(tokens));
  tokens.forEach((w, i) => {
    for (const d of DAY_GROUP_WORDS[w] ?? []) out.add(d);
    if (w === 'every' && tokens[i + 1] === 'day') for (const d of DAYS) out.add(d);
  });
  return [...out];
}

interface Span {
  readonly at: number;
  readonly next: number;
}

/** Times of day in a clause with where they are: marked (a.m., o'clock, noon) or after at/from/until/to. */
function timeSpans(tokens: readonly string[]): Array<Span & { readonly times: string[] }> {
  const out: Array<Span & { times: string[] }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = parseTime(tokens, i);
    if (t === undefined) continue;
    if (isCurrency(tokens[t.next]) || tokens[t.next] === 'cents') continue;
    // Noon and midnight are marked (parseTime's mer 'fixed').
    const marked = t.mer !== undefined || tokens[t.next] === 'oclock';
    if (!marked && !TIME_LEAD.has(tokens[i - 1] ?? '')) continue;
    const readings = t.mer === undefined ? [to24(t, 'am'), to24(t, 'pm')] : [to24(t, 'am')];
    out.push({ at: i, next: t.next, times: readings.map((h) => hhmm(h, t.m)) });
    i = t.next - 1;
  }
  return out;
}

/** Amounts with a currency word or a period after them, with where they are, in minor units when cents are said. */
function amountSpans(tokens: readonly string[]): Array<Span & { readonly major: number; readonly minor?: number }> {
  const out: Array<Span & { major: number; minor?: number }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = parseNumber(tokens, i);
    if (n === undefined) continue;
    let next = n.next;
    let cents: number | undefined;
    if (/^\d\d$/.test(tokens[next] ?? '') && isCurrency(tokens[next + 1])) {
      cents = Number(tokens[next]); // Spanish "quince con cincuenta dólares"
      next += 2;
    } else if (isCurrency(tokens[next])) {
      next += 1;
      const c = tokens[next] === 'and' ? parseNumber(tokens, next + 1) : undefined;
      if (c !== undefined && tokens[c.next] === 'cents') {
        cents = c.value;
        next = c.next + 1;
      } else if (c === undefined && /^\d\d$/.test(tokens[next] ?? '') && tokens[next + 1] === 'cents') {
        cents = Number(tokens[next]);
        next += 2;
      }
    } else if (!PERIOD_PHRASES.some((p) => p.words.every((w, j) => tokens[next + j] === w))) continue;
    out.push({ at: i, next, major: n.value, ...(cents === undefined ? {} : { minor: n.value * 100 + cents }) });
    i = next - 1;
  }
  return out;
}

const within = (i: number, spans: readonly Span[]): boolean => spans.some((s) => i >= s.at && i < s.next);

const CLASS_PHRASES = CLASS_WORDS.flatMap((c) =>
  [c.name, c.spoken, ...c.aliases].map((phrase) => {
    // "hot yoga" is a class of its own, not yoga; "spinning" and "kick boxing" are spin and kickboxing.
    const own = phrase.includes(' ') && phrase.includes(c.name) && phrase.replace(/ /g, '') !== c.name;
    return { words: phrase.split(' '), name: own ? phrase : c.name };
  }),
);

/** The classes a clause names, as their stored (or vocabulary) names, with where they are. */
function classesIn(tokens: readonly string[], k: DeskKnowledge): Array<Span & { readonly name: string }> {
  const stored = k.classes.map((c) => ({ words: normalize(c.name), name: c.name.toLowerCase() }));
  const phrases = [...stored, ...CLASS_PHRASES].sort((a, b) => b.words.length - a.words.length);
  const out: Array<Span & { name: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const hit = phrases.find((p) => p.words.length > 0 && p.words.every((w, j) => tokens[i + j] === w));
    if (hit === undefined) continue;
    out.push({ at: i, next: i + hit.words.length, name: hit.name });
    i += hit.words.length - 1;
  }
  return out;
}

/** A stored class's schedule as days and times (said in English or Spanish when it was stored). */
function scheduleOf(c: GymClass): { days: Set<Day>; times: Set<string> } {
  const days = new Set<Day>();
  const times = new Set<string>();
  for (const tokens of [normalize(c.schedule ?? ''), spanishTokens(c.schedule ?? '')]) {
    for (const d of daysIn(tokens)) days.add(d);
    for (const t of timesIn(tokens, true)) for (const x of t.split('|')) times.add(x);
  }
  return { days, times };
}

/** The stored plans a clause's words before an amount name: by a stored name, a plan word or a period's name. */
function plansNamed(tokens: readonly string[], k: DeskKnowledge, es: boolean): MembershipPlan[] | undefined {
  const said = ` ${tokens.join(' ')} `;
  const has = (phrase: string) => phrase !== '' && said.includes(` ${phrase} `);
  const byName = k.pricing.filter((p) => {
    const names = [p.plan, ...(es ? [planNameEs(p.plan).replace(/^(?:el plan|el|la) /, '')] : [])];
    return names.some((n) => has((es ? spanishTokens(n) : normalize(n)).join(' ')));
  });
  if (byName.length > 0) return byName;
  const words = [...PLAN_WORDS.filter(has), ...PERIOD_NAMES.filter(([w]) => has(w)).map(([w]) => w)];
  if (words.length === 0) return undefined;
  return k.pricing.filter((p) =>
    words.every((w) => {
      const period = PERIOD_NAMES.find(([x]) => x === w)?.[1];
      return period !== undefined ? p.period === period : p.plan.toLowerCase().includes(w);
    }),
  );
}

/** The periods said right after an amount ("a month", "al mes"). */
function periodAfter(tokens: readonly string[], i: number): Period | undefined {
  const j = tokens[i] === 'for' || tokens[i] === 'every' ? i + 1 : i;
  return PERIOD_PHRASES.find((p) => p.words.every((w, n) => tokens[j + n] === w))?.period;
}

const sameTime = (a: string, b: string): boolean =>
  a === b || (a === '00:00' && b === '24:00') || (a === '24:00' && b === '00:00');

/**
 * One clause's claims against the facts: everything in it that could be a fact (a day, a time, a number, an amount,
 * a plan, a class) must be explained by a stored fact that it states correctly, or the clause is stopped.
 */
export function checkClause(
  c: readonly string[],
  k: DeskKnowledge,
  es: boolean,
  carried: readonly string[],
  problems: { add(problem: ClaimProblem): unknown },
): string[] {
  const explained: Span[] = [];
  // A clause the hours parser reads whole, every day of it as stored: its days, times and numbers are explained.
  const parsed = parseHours(c).hours;
  const parsedDays = Object.keys(parsed) as Day[];
  const hoursOk =
    parsedDays.length > 0 &&
    parsedDays.every((d) => k.hours[d] !== undefined && hoursKey(k.hours[d]) === hoursKey(parsed[d] as DayHours));
  if (parsedDays.length > 0 && !hoursOk) problems.add('hours');
  const days = daysIn(c);
  const times = timeSpans(c);
  const amounts = amountSpans(c);
  explained.push(...amounts);

  // Classes: each one stored; a day or time said with one must be in its schedule.
  const named = classesIn(c, k);
  const storedNames = new Set(k.classes.map((x) => x.name.toLowerCase()));
  for (const n of named) if (!storedNames.has(n.name)) problems.add('class');
  const withClass = named.length > 0 ? named.map((n) => n.name) : [...carried];
  const hoursVerb = c.some((w) => OPEN_WORDS.has(w) || CLOSE_WORDS.has(w) || w === 'closed');
  if (withClass.length > 0 && !hoursVerb && (days.length > 0 || times.length > 0)) {
    const schedules = k.classes.filter((x) => withClass.includes(x.name.toLowerCase())).map(scheduleOf);
    for (const d of days) if (!schedules.some((s) => s.days.has(d))) problems.add('class');
    for (const t of times) if (!schedules.some((s) => t.times.some((x) => s.times.has(x)))) problems.add('class');
    explained.push(...times);
  } else if (!hoursOk && (days.length > 0 || times.length > 0 || hoursVerb)) {
    // Hours said in part: "on friday we close at ten p.m.", "we're open on sunday", "we open at eight".
    const closedSaid = c.includes('closed') || (c.includes('not') && c.some((w) => OPEN_WORDS.has(w)));
    const closeVerb = c.some((w) => CLOSE_WORDS.has(w));
    const openVerb = c.some((w) => OPEN_WORDS.has(w)) && !c.includes('not');
    const open = DAYS.filter((d) => k.hours[d] !== undefined && !('closed' in (k.hours[d] as DayHours)));
    const about = days.length > 0 ? days : open;
    if (about.length === 0) problems.add('hours');
    for (const d of about) {
      const h = k.hours[d];
      if (h === undefined) problems.add('hours');
      else if (closedSaid) {
        if (!('closed' in h)) problems.add('hours');
      } else if ('closed' in h) {
        if (openVerb || times.length > 0 || closeVerb) problems.add('hours');
      } else if (times.length > 0) {
        if (!('opens' in h)) problems.add('hours');
        else
          for (const t of times) {
            const ends = closeVerb && !openVerb ? [h.closes] : openVerb && !closeVerb ? [h.opens] : [h.opens, h.closes];
            if (!t.times.some((x) => ends.some((e) => sameTime(x, e)))) problems.add('hours');
          }
      } else if (!openVerb) problems.add('hours'); // a day with nothing said of it that can be checked
    }
    explained.push(...times);
  }
  if (hoursOk) explained.push({ at: 0, next: c.length });

  // Prices: each amount a stored plan's, of the plan named before it and the period said after it.
  let from = 0;
  for (const [n, a] of amounts.entries()) {
    // The plan is named before its amount ("the day pass is fifteen") or after it ("fifteen for a day pass").
    const after = c.slice(a.next, amounts[n + 1]?.at ?? c.length);
    const plans = plansNamed(c.slice(from, a.at), k, es) ?? plansNamed(after, k, es) ?? k.pricing;
    const period = periodAfter(c, a.next);
    const fits = plans.filter(
      (p) =>
        (a.minor === undefined ? Math.floor(p.amountMinor / 100) === a.major : p.amountMinor === a.minor) &&
        (period === undefined || p.period === period),
    );
    if (fits.length === 0) problems.add('price');
    from = a.next;
  }
  // A plan named with no amount ("we have a student plan") must be a stored one.
  const rest = c.slice(from);
  if (amounts.length === 0 || rest.length > 0) {
    const plans = plansNamed(amounts.length === 0 ? c : rest, k, es);
    if (plans !== undefined && plans.length === 0) problems.add('price');
  }

  // Any other number (a count, an address, a phone number that is not the caller's) is a claim nothing backs.
  for (let i = 0; i < c.length; i++) {
    if (within(i, explained)) continue;
    const n = parseNumber(c, i);
    if (n === undefined) continue;
    if (c[i] === 'one' && n.next === i + 1) continue; // "one moment", "one of the staff"
    problems.add('number');
    i = n.next - 1;
  }
  return withClass;
}
