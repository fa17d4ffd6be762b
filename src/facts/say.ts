import { DAYS, type Day, type Period } from './model.js';
import { sayNumber } from './numbers.js';
import { DAY_NAMES } from './vocabulary.js';

// Spoken forms of facts, in the words the offline recogniser's grammars contain. The simulated receptionist
// builds its sentences from these, and the parser tests round-trip through them, so speaker, recogniser and
// parser agree on one vocabulary.

/** "HH:MM" read off the clock, in any language: its hour, minute and the 12-hour dial's hour (12 for 00 and 12). */
export function clockOf(hhmm: string): { h: number; min: number; h12: number } {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`time must be HH:MM, got ${hhmm}`);
  const h = Number(m[1]);
  return { h, min: Number(m[2]), h12: h % 12 === 0 ? 12 : h % 12 };
}

/** "05:00" → "five a.m.", "17:30" → "five thirty p.m.", "12:00" → "noon", "24:00"/"00:00" → "midnight". */
export function sayTime(hhmm: string): string {
  const { h, min, h12 } = clockOf(hhmm);
  if ((h === 24 || h === 0) && min === 0) return 'midnight';
  if (h === 12 && min === 0) return 'noon';
  // "a.m." rather than "a m": flite reads the letters as "ay em" only with the dots, and "a.m." is the
  // recogniser's dictionary word.
  const mer = h < 12 || h === 24 ? 'a.m.' : 'p.m.';
  const minutes = min === 0 ? '' : min < 10 ? ` oh ${sayNumber(min)}` : ` ${sayNumber(min)}`;
  return `${sayNumber(h12)}${minutes} ${mer}`;
}

/**
 * A gym's name as said in a sentence, or undefined when it is unknown (an inbound call from a number we have no
 * name for): callers pick another wording then, so no sentence has a hole. Trailing punctuation is dropped, so
 * "Iron Temple Inc." does not end a sentence with two dots.
 */
export function sayGymName(name: string | null | undefined): string | undefined {
  const said = (name ?? '')
    .replace(/\s+/g, ' ')
    .replace(/[\s.,;:!?]+$/, '')
    .trim();
  return said === '' ? undefined : said;
}

/** The days as runs of consecutive days, in week order: mon..fri, sat+sun → [[mon, fri], [sat, sun]]. */
export function dayRuns(days: readonly Day[]): [Day, Day][] {
  const idx = [...new Set(days)].map((d) => DAYS.indexOf(d)).sort((a, b) => a - b);
  const runs: [Day, Day][] = [];
  for (let k = 0; k < idx.length;) {
    let e = k;
    while (e + 1 < idx.length && (idx[e + 1] as number) === (idx[e] as number) + 1) e++;
    runs.push([DAYS[idx[k] as number] as Day, DAYS[idx[e] as number] as Day]);
    k = e + 1;
  }
  return runs;
}

/** Consecutive runs become ranges: mon..fri → "monday through friday", sat+sun → "saturday and sunday". */
export function sayDays(days: readonly Day[], opts: { plural?: boolean } = {}): string {
  const name = (d: Day): string => `${DAY_NAMES[d]}${opts.plural ? 's' : ''}`;
  const runs: string[] = [];
  for (const [a, b] of dayRuns(days)) {
    const from = DAYS.indexOf(a);
    const to = DAYS.indexOf(b);
    if (to - from >= 2) runs.push(`${name(a)} through ${name(b)}`);
    else for (let x = from; x <= to; x++) runs.push(name(DAYS[x] as Day));
  }
  if (runs.length <= 1) return runs[0] ?? '';
  return `${runs.slice(0, -1).join(' ')} and ${runs[runs.length - 1] as string}`;
}

export const PERIOD_PHRASE: Readonly<Record<Period, string>> = {
  month: 'a month',
  year: 'a year',
  week: 'a week',
  day: 'a day',
  visit: 'per visit',
  once: 'one time',
};

/** 49, 'month' → "forty nine dollars a month". Whole dollars 0..999. */
export function sayPrice(amount: number, period: Period): string {
  return `${sayNumber(amount)} dollars ${PERIOD_PHRASE[period]}`;
}
