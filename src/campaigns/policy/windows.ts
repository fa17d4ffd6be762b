import type { GymCallingContext, WindowRules } from '../types.js';
import { isPublicHoliday } from './holidays.js';
import {
  addDays,
  instantOf,
  localDateOf,
  localMinuteOf,
  minuteOfDay,
  weekdayOf,
  type LocalDate,
} from './local-time.js';

// When a gym can be called, in its own local time. A day's window is its known opening hours less the first half
// hour (the opening rush) and the last minutes (a call needs the desk still there); a day with no known hours
// gets the default (weekdays 10:00–17:00); a gym open around the clock gets the default times on every day, since
// its desk is staffed in the day. The hard limits (08:00–21:00) cut every window, the busiest class times and any
// extra spans the retry rules avoid (another time of day) are cut out, and public holidays have no window.

/** A span of minutes in a local day, [from, to). */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** A window as instants, [start, end): a call may start at any instant inside it. */
export interface Window {
  readonly start: Date;
  readonly end: Date;
}

/** How far ahead a window is looked for: a gym closed for three weeks is not called in this campaign. */
export const HORIZON_DAYS = 21;

function minus(spans: readonly Span[], cut: Span): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (cut.to <= s.from || cut.from >= s.to) out.push(s);
    else {
      if (cut.from > s.from) out.push({ from: s.from, to: cut.from });
      if (cut.to < s.to) out.push({ from: cut.to, to: s.to });
    }
  }
  return out;
}

/** The day's base span before any cut: known hours, else the default; undefined when the gym is shut. */
function baseSpan(gym: GymCallingContext, date: LocalDate, rules: WindowRules): Span | undefined {
  const day = weekdayOf(date);
  const known = gym.hours?.[day];
  const defaults: Span = { from: minuteOfDay(rules.defaultFrom), to: minuteOfDay(rules.defaultTo) };
  if (known === undefined) return rules.defaultDays.includes(day) ? defaults : undefined;
  if ('closed' in known) return undefined;
  if ('open24h' in known) return defaults;
  const opens = minuteOfDay(known.opens);
  let closes = minuteOfDay(known.closes);
  // Closing after midnight ("06:00–01:00"): the day's part runs to midnight; the hard limit cuts it anyway.
  if (closes <= opens) closes = 1440;
  return { from: opens + rules.afterOpeningMin, to: closes - rules.beforeClosingMin };
}

/** The day's calling spans in local minutes, after the hard limits, holidays, busy times and `avoid`. */
export function daySpans(
  gym: GymCallingContext,
  date: LocalDate,
  rules: WindowRules,
  avoid: readonly Span[] = [],
): Span[] {
  if (rules.skipHolidays && isPublicHoliday(date, gym.country, gym.region)) return [];
  const base = baseSpan(gym, date, rules);
  if (base === undefined) return [];
  const from = Math.max(base.from, minuteOfDay(rules.earliest));
  const to = Math.min(base.to, minuteOfDay(rules.latest));
  if (to <= from) return [];
  let spans: Span[] = [{ from, to }];
  const day = weekdayOf(date);
  for (const b of gym.busyTimes ?? []) {
    if (b.day === day) spans = minus(spans, { from: minuteOfDay(b.from), to: minuteOfDay(b.to) });
  }
  for (const a of avoid) spans = minus(spans, a);
  return spans.filter((s) => s.to > s.from);
}

/** The day's windows as instants. None on a date the zone skipped (Samoa's 30 December 2011). */
export function windowsOn(
  gym: GymCallingContext,
  date: LocalDate,
  rules: WindowRules,
  avoid: readonly Span[] = [],
): Window[] {
  const noon = instantOf(date, 720, gym.timeZone);
  const seen = localDateOf(noon, gym.timeZone);
  if (seen.year !== date.year || seen.month !== date.month || seen.day !== date.day) return [];
  return daySpans(gym, date, rules, avoid)
    .map((s) => ({ start: instantOf(date, s.from, gym.timeZone), end: instantOf(date, s.to, gym.timeZone) }))
    .filter((w) => w.end.getTime() > w.start.getTime());
}

/** Where a dial goes: the instant, and the end of the window it is in (no dial at or after `until`). */
export interface CallSlot {
  readonly at: Date;
  readonly until: Date;
}

/** The first instant at or after `from` inside a window, or undefined when none within HORIZON_DAYS. */
export function nextCallSlot(
  gym: GymCallingContext,
  from: Date,
  rules: WindowRules,
  avoid: readonly Span[] = [],
): CallSlot | undefined {
  const first = localDateOf(from, gym.timeZone);
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    for (const w of windowsOn(gym, addDays(first, i), rules, avoid)) {
      if (w.end.getTime() > from.getTime())
        return { at: w.start.getTime() >= from.getTime() ? w.start : from, until: w.end };
    }
  }
  return undefined;
}

export function nextCallTime(
  gym: GymCallingContext,
  from: Date,
  rules: WindowRules,
  avoid: readonly Span[] = [],
): Date | undefined {
  return nextCallSlot(gym, from, rules, avoid)?.at;
}

/** Is `at` inside one of the gym's windows (what the demo checks every attempt against)? */
export function isInWindow(gym: GymCallingContext, at: Date, rules: WindowRules): boolean {
  return windowsOn(gym, localDateOf(at, gym.timeZone), rules).some(
    (w) => w.start.getTime() <= at.getTime() && at.getTime() < w.end.getTime(),
  );
}

/** Is `at` inside the hard limits (08:00–21:00 local) on a day that is not a public holiday? */
export function isWithinHardLimits(gym: GymCallingContext, at: Date, rules: WindowRules): boolean {
  const date = localDateOf(at, gym.timeZone);
  if (rules.skipHolidays && isPublicHoliday(date, gym.country, gym.region)) return false;
  const m = localMinuteOf(at, gym.timeZone);
  return m >= minuteOfDay(rules.earliest) && m < minuteOfDay(rules.latest);
}

/** The end of the hard limits (21:00 local) on the local day `at` falls in. */
export function hardLimitsEnd(gym: GymCallingContext, at: Date, rules: WindowRules): Date {
  return instantOf(localDateOf(at, gym.timeZone), minuteOfDay(rules.latest), gym.timeZone);
}

/** The span `radiusMin` either side of a local minute, split at midnight: "not at this time of day". */
export function around(minute: number, radiusMin: number): Span[] {
  const from = minute - radiusMin;
  const to = minute + radiusMin;
  const spans: Span[] = [{ from: Math.max(0, from), to: Math.min(1440, to) }];
  if (from < 0) spans.push({ from: 1440 + from, to: 1440 });
  if (to > 1440) spans.push({ from: 0, to: to - 1440 });
  return spans;
}
