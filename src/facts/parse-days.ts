import { DAYS, type Day } from './model.js';
import { DAY_GROUP_WORDS, DAY_WORDS } from './vocabulary.js';

// Day sets as people say them ("monday through friday", "weekends", "every day", "during the week"): what opening
// hours (parse-hours.ts) and class schedules (parse-schedule.ts) pair their times with.

const DAY_BY_WORD = new Map<string, Day>(DAYS.flatMap((d) => DAY_WORDS[d].map((w) => [w, d] as [string, Day])));
const ALL_DAYS: Day[] = [...DAYS];

// "three" and "for" between two days are recognisers' "through" ("monday for friday" never means two days).
const DAY_RANGE_GLUE = new Set(['through', 'thru', 'to', 'till', 'until', 'three', 'for']);

/** A day's name or a group's ("mondays", "weekends"). */
export function isDayWord(w: string): boolean {
  return DAY_BY_WORD.has(w) || w in DAY_GROUP_WORDS;
}

/** A day set and the token after it. */
export interface DaySet {
  days: Day[];
  next: number;
}

/** The day set that starts at token `i`. */
export function daysAt(tokens: readonly string[], i: number): DaySet | undefined {
  const t = tokens[i] ?? '';
  if (t === 'every' && (tokens[i + 1] === 'day' || tokens[i + 1] === 'single')) {
    const next = tokens[i + 1] === 'single' && tokens[i + 2] === 'day' ? i + 3 : i + 2;
    return { days: ALL_DAYS, next };
  }
  if (t === 'seven' && tokens[i + 1] === 'days') {
    return { days: ALL_DAYS, next: tokens[i + 2] === 'a' && tokens[i + 3] === 'week' ? i + 4 : i + 2 };
  }
  const group = DAY_GROUP_WORDS[t];
  if (group) return { days: [...group], next: i + 1 };
  if (t === 'the' && (tokens[i + 1] === 'weekend' || tokens[i + 1] === 'weekends')) {
    return { days: ['sat', 'sun'], next: i + 2 };
  }
  if (t === 'during' && tokens[i + 1] === 'the' && tokens[i + 2] === 'week') {
    return { days: [...(DAY_GROUP_WORDS.weekdays as readonly Day[])], next: i + 3 };
  }
  const d = DAY_BY_WORD.get(t);
  if (d === undefined) return undefined;
  // Ranges: "monday through friday", "monday to friday", "from monday till friday"
  const glue = tokens[i + 1];
  const e = DAY_BY_WORD.get(tokens[i + 2] ?? '');
  if (e !== undefined && DAY_RANGE_GLUE.has(glue ?? '')) {
    const a = DAYS.indexOf(d);
    const b = DAYS.indexOf(e);
    const days: Day[] = [];
    for (let k = a; ; k = (k + 1) % 7) {
      days.push(DAYS[k] as Day);
      if (k === b) break;
    }
    return { days, next: i + 3 };
  }
  return { days: [d], next: i + 1 };
}
