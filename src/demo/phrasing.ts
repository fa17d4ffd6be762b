import type { Day, Period } from '../facts/model.js';
import { DAYS } from '../facts/model.js';
import { sayNumber } from '../facts/numbers.js';
import { sayTime } from '../facts/say.js';
import { DAY_NAMES, PLAN_WORDS } from '../facts/vocabulary.js';
import type { PersonaHours, PersonaPlan } from './persona.js';

// How the simulated receptionist says facts out loud: natural, varied sentences ("we're open five a m to
// eleven p m monday through friday, closed sundays") in words the offline recogniser knows: the fact tokens come
// from the shared spoken forms (src/facts/say.ts, numbers.ts, vocabulary.ts); the carrier phrases vary. Variation
// comes from a seeded generator so a persona's call is reproducible while different turns and personas differ.

export const numberWords = sayNumber;
export const timeWords = sayTime;

/** Consecutive runs of days in week order (mon..sun), e.g. [mon,tue,wed,sat] → [[mon..wed],[sat]]. */
export function dayRuns(days: readonly Day[]): Day[][] {
  const idx = [...new Set(days)].map((d) => DAYS.indexOf(d)).sort((a, b) => a - b);
  const runs: Day[][] = [];
  for (const i of idx) {
    const last = runs[runs.length - 1];
    if (last && DAYS.indexOf(last[last.length - 1]!) === i - 1) last.push(DAYS[i]!);
    else runs.push([DAYS[i]!]);
  }
  return runs;
}

/** "monday through friday", "saturday and sunday", "sundays" (plural when `plural` and a single day). */
export function daysWords(days: readonly Day[], rng: Rng, plural = false): string {
  if (new Set(days).size === 7) return rng.pick(['every day', 'seven days a week']);
  const parts = dayRuns(days).map((run) => {
    if (run.length === 1) return plural ? `${DAY_NAMES[run[0]!]}s` : DAY_NAMES[run[0]!];
    if (run.length === 2) return `${DAY_NAMES[run[0]!]} and ${DAY_NAMES[run[1]!]}`;
    return `${DAY_NAMES[run[0]!]} through ${DAY_NAMES[run[run.length - 1]!]}`;
  });
  return joinList(parts);
}

export function joinList(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

function hoursClause(h: PersonaHours, rng: Rng, first: boolean): string {
  if ('closed' in h) {
    const d = daysWords(h.days, rng, true);
    return rng.pick([`closed ${d}`, `we're closed on ${daysWords(h.days, rng)}`, `closed on ${d}`]);
  }
  if ('open24h' in h) {
    const d = daysWords(h.days, rng);
    return rng.pick([`open twenty four hours ${d}`, `${d} we're open twenty four hours`]);
  }
  const d = daysWords(h.days, rng);
  const o = timeWords(h.opens);
  const c = timeWords(h.closes);
  const lead = first ? "we're open " : '';
  return rng.pick([
    `${lead}${o} to ${c} ${d}`,
    `${d} ${first ? "we're open" : 'it is'} from ${o} to ${c}`,
    `${d} we open at ${o} and close at ${c}`,
  ]);
}

export function hoursSentence(hours: readonly PersonaHours[], rng: Rng): string {
  const clauses = hours.map((h, i) => hoursClause(h, rng, i === 0));
  return sentence(joinList(clauses));
}

// Period phrases the parser knows (a subset of vocabulary.ts PERIOD_WORDS that reads naturally after a price).
const PERIOD_PHRASES: Record<Period, readonly string[]> = {
  month: ['a month', 'per month', 'each month'],
  year: ['a year', 'per year', 'annually'],
  week: ['a week', 'per week'],
  day: ['for a day pass', 'a day'],
  visit: ['per visit', 'a visit', 'per class'],
  once: ['one time', 'as a joining fee'],
};

export function priceWords(amount: number): string {
  const dollars = Math.floor(amount);
  const cents = Math.round((amount - dollars) * 100);
  const whole = `${sayNumber(dollars)} ${dollars === 1 ? 'dollar' : 'dollars'}`;
  return cents === 0 ? whole : `${whole} and ${sayNumber(cents)} cents`;
}

function planClause(p: PersonaPlan, rng: Rng, first: boolean): string {
  const price = priceWords(p.amount);
  const per = rng.pick(PERIOD_PHRASES[p.period]);
  const plan = p.plan.toLowerCase();
  // A plan word ("student") is said; a default name ("monthly") is implied by the period and would only repeat it.
  if (PLAN_WORDS.includes(plan))
    return rng.pick([
      `the ${plan} plan is ${price} ${per}`,
      `${plan} membership is ${price} ${per}`,
      `for ${plan} it's ${price} ${per}`,
    ]);
  if (!first) return rng.pick([`${price} ${per}`, `it's ${price} ${per}`]);
  return rng.pick([`membership is ${price} ${per}`, `it's ${price} ${per}`, `a membership is ${price} ${per}`]);
}

export function pricingSentence(pricing: readonly PersonaPlan[], rng: Rng): string {
  return sentence(joinList(pricing.map((p, i) => planClause(p, rng, i === 0))));
}

export function classesSentence(classes: readonly { name: string }[], rng: Rng): string {
  const list = joinList(classes.map((c) => c.name.toLowerCase()));
  // Not "our classes are yoga": the recogniser hears "are" as "barre", a class name.
  return sentence(
    rng.pick([`we have ${list} classes`, `we offer ${list}`, `for classes we have ${list}`, `we do ${list}`]),
  );
}

/** Capitalised, with one final full stop (times already end in "p.m."). */
export function sentence(s: string): string {
  const c = capitalise(s.trim());
  return /[.!?]$/.test(c) ? c : `${c}.`;
}

export function capitalise(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** Small deterministic generator (mulberry32) seeded from a string, so variation is reproducible. */
export class Rng {
  private state: number;
  constructor(seed: string) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    this.state = h >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
}
