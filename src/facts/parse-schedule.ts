import { DAYS, type Day } from './model.js';
import { normalize } from './numbers.js';
import { daysAt } from './parse-days.js';
import { parseTime, to24, type TimeMatch } from './parse-time.js';

// When a class starts in the week, from its schedule as a person or a model wrote it ("mondays and wednesdays at
// 6 pm", "weekdays 7am and 6:30pm", "Tue/Thu 18:30", "6 pm on mondays, 7 pm on fridays"). The schedule is a run of
// day sets and times; whichever comes first leads, so each run of times pairs with the run of days before it (days
// first) or after it (times first). Times with no day set to pair with are every day. A time without am/pm is read
// as a class hour: noon, 1-5 in the afternoon; 6-11 could be either end of the day and is left out, not guessed.

export interface ClassStart {
  readonly day: Day;
  /** Minutes after local midnight. */
  readonly minute: number;
}

type Run = { kind: 'days'; days: Day[] } | { kind: 'times'; minutes: number[] };

/** Words after a number that make it a duration or a count, not a clock time ("a 20 minute class"). */
const NOT_A_TIME = new Set(['minute', 'minutes', 'min', 'mins', 'hour', 'hours', 'people', 'spots', 'classes']);
const RANGE = new Set(['to', 'till', 'until']);

function minuteOf(t: TimeMatch): number | undefined {
  if (t.mer === 'fixed' || t.mer === 'am' || t.mer === 'pm') return to24(t, 'pm') * 60 + t.m;
  if (t.h === 12) return 12 * 60 + t.m;
  if (t.h >= 1 && t.h <= 5) return (t.h + 12) * 60 + t.m;
  return undefined;
}

/** A time at token i: a class's start, its end skipped ("six to seven pm" starts at six pm). */
function timeAt(tokens: readonly string[], i: number): { minute: number | undefined; next: number } | undefined {
  const a = parseTime(tokens, i);
  if (a === undefined || NOT_A_TIME.has(tokens[a.next] ?? '')) return undefined;
  if (RANGE.has(tokens[a.next] ?? '')) {
    const b = parseTime(tokens, a.next + 1);
    if (b !== undefined) {
      const shared = a.mer === undefined && (b.mer === 'am' || b.mer === 'pm') && a.h <= b.h ? b.mer : a.mer;
      return { minute: minuteOf({ ...a, mer: shared }), next: b.next };
    }
  }
  return { minute: minuteOf(a), next: a.next };
}

function runsOf(tokens: readonly string[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < tokens.length;) {
    const d = daysAt(tokens, i);
    const t = d === undefined ? timeAt(tokens, i) : undefined;
    const last = runs.at(-1);
    if (d !== undefined) {
      if (last?.kind === 'days') last.days.push(...d.days);
      else runs.push({ kind: 'days', days: [...d.days] });
      i = d.next;
    } else if (t !== undefined) {
      const minutes = t.minute === undefined ? [] : [t.minute];
      if (last?.kind === 'times') last.minutes.push(...minutes);
      else runs.push({ kind: 'times', minutes });
      i = t.next;
    } else i++;
  }
  return runs;
}

/** Every class start the schedule names, once each. */
export function classStarts(schedule: string): ClassStart[] {
  const runs = runsOf(normalize(schedule));
  const out = new Map<string, ClassStart>();
  const add = (days: readonly Day[], minutes: readonly number[]) => {
    for (const day of days) for (const minute of minutes) out.set(`${day}@${minute}`, { day, minute });
  };
  const timesFirst = runs[0]?.kind === 'times';
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k] as Run;
    if (r.kind !== 'times') continue;
    const partner = runs[timesFirst ? k + 1 : k - 1];
    add(partner?.kind === 'days' ? partner.days : DAYS, r.minutes);
  }
  return [...out.values()];
}
