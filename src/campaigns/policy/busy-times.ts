import type { GymClass } from '../../facts/model.js';
import { classStarts } from '../../facts/parse-schedule.js';
import { hhmm } from '../../facts/parse-time.js';
import type { WeeklySpan } from '../types.js';

// The desk's busiest moments that a gym's class schedule reveals: members check in during the quarter hour or so
// before a class and just after it starts, and a call then competes with the queue at the desk. Every known class
// start counts (a schedule says when classes are, not how full). The calling windows cut these spans (windows.ts);
// a gym whose classes leave no window at all is still called, in its windows without them (plan.ts).

/** Minutes before a class start that the desk is checking members in. */
export const CHECK_IN_BEFORE_MIN = 20;
/** Minutes after a class start that latecomers still arrive. */
export const CHECK_IN_AFTER_MIN = 10;

const clock = (minute: number): string => hhmm(Math.floor(minute / 60), minute % 60);

/** The weekly spans around every class start the gym's schedules name. */
export function busyTimesOf(classes: readonly GymClass[]): WeeklySpan[] {
  return classes.flatMap((c) =>
    c.schedule === undefined
      ? []
      : classStarts(c.schedule).map((s) => ({
          day: s.day,
          from: clock(Math.max(0, s.minute - CHECK_IN_BEFORE_MIN)),
          to: clock(Math.min(24 * 60, s.minute + CHECK_IN_AFTER_MIN)),
        })),
  );
}
