import type { Day, Period } from '../facts/model.js';
import { DAYS } from '../facts/model.js';
import type { PersonaHours, PersonaPlan } from './persona.js';

// How the simulated receptionist says facts out loud: natural, varied sentences ("we're open five a m to
// eleven p m Monday through Friday, closed Sundays") in words the offline recogniser knows. Variation comes
// from a seeded generator so a persona's call is reproducible while different turns and personas differ.

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
  'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'] as const; // prettier-ignore
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

/** 0..999 in words, US style without "and": 129 → "one hundred twenty nine". */
export function numberWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`numberWords: ${n} outside 0..999`);
  if (n < 20) return ONES[n]!;
  if (n < 100) {
    const t = TENS[Math.floor(n / 10)]!;
    return n % 10 === 0 ? t : `${t} ${ONES[n % 10]!}`;
  }
  const h = `${ONES[Math.floor(n / 100)]!} hundred`;
  return n % 100 === 0 ? h : `${h} ${numberWords(n % 100)}`;
}

/** "05:00" → "five a m", "17:30" → "five thirty p m", "00:00"/"24:00" → "midnight", "12:00" → "twelve p m". */
export function timeWords(hhmm: string): string {
  const [hs, ms] = hhmm.split(':');
  const h = Number(hs);
  const m = Number(ms);
  if (m === 0 && (h === 0 || h === 24)) return 'midnight';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const suffix = h < 12 || h === 24 ? 'a m' : 'p m';
  const minutes = m === 0 ? '' : ` ${numberWords(m)}`;
  return `${numberWords(h12)}${minutes} ${suffix}`;
}

const DAY_NAMES: Record<Day, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

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
    return `${DAY_NAMES[run[0]!]} ${rng.pick(['through', 'to'])} ${DAY_NAMES[run[run.length - 1]!]}`;
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
  return capitalise(joinList(clauses)) + '.';
}

const PERIOD_WORDS: Record<Period, readonly string[]> = {
  month: ['a month', 'per month'],
  year: ['a year', 'per year'],
  week: ['a week', 'per week'],
  day: ['a day', 'per day'],
  visit: ['per visit', 'a visit'],
  once: ['one time', 'one time'],
};

export function priceWords(amount: number): string {
  return `${numberWords(amount)} ${amount === 1 ? 'dollar' : 'dollars'}`;
}

function planClause(p: PersonaPlan, rng: Rng): string {
  const price = priceWords(p.amount);
  const per = rng.pick(PERIOD_WORDS[p.period]);
  return rng.pick([
    `the ${p.plan} plan is ${price} ${per}`,
    `${p.plan} is ${price} ${per}`,
    `it's ${price} ${per} for ${p.plan}`,
  ]);
}

export function pricingSentence(pricing: readonly PersonaPlan[], rng: Rng): string {
  return capitalise(joinList(pricing.map((p) => planClause(p, rng)))) + '.';
}

export function classesSentence(classes: readonly { name: string }[], rng: Rng): string {
  const list = joinList(classes.map((c) => c.name.toLowerCase()));
  return (
    capitalise(rng.pick([`we have ${list} classes`, `we offer ${list}`, `our classes are ${list}`, `we do ${list}`])) +
    '.'
  );
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
