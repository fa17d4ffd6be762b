import { DAYS, type Day } from '../../facts/model.js';

// A gym's local wall-clock time and the instants it names, through Intl (Node's ICU carries the IANA time-zone
// database, so no second copy of it comes in with a library). Two rules decide the times a clock shows twice or
// never (the ones Temporal calls "compatible"): a time inside a spring-forward gap (02:30 on the US's March
// Sunday) is read as the same length of time after the gap starts (03:30), so a window that starts in the gap
// starts when the clock jumps; a time in a fall-back overlap (01:30 twice in November) is the earlier one.

/** A calendar date in the gym's zone; month 1..12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const MINUTE = 60_000;
export const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at `at`, as if it were a UTC instant (so calendar arithmetic is plain UTC arithmetic). */
function wallAsUtc(at: number, tz: string): number {
  const parts = format(tz).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** The zone's offset from UTC at `at`, in ms (east positive). */
export function offsetAt(at: number, tz: string): number {
  return wallAsUtc(Math.floor(at / 1000) * 1000, tz) - Math.floor(at / 1000) * 1000;
}

export function localDateOf(at: Date, tz: string): LocalDate {
  const w = new Date(wallAsUtc(at.getTime(), tz));
  return { year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate() };
}

/** Minutes since local midnight at `at` (0..1439). */
export function localMinuteOf(at: Date, tz: string): number {
  const w = wallAsUtc(at.getTime(), tz);
  return Math.floor((((w % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE);
}

export function weekdayOf(d: LocalDate): Day {
  // getUTCDay: 0 = Sunday; DAYS starts on Monday.
  return DAYS[(new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7] as Day;
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + n * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-05". */
export function isoDate(d: LocalDate): string {
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

/** "2026-12-05T14:30", the local wall time of `at` in `tz` (what the campaign's attempts show). */
export function localIso(at: Date, tz: string): string {
  const m = localMinuteOf(at, tz);
  return `${isoDate(localDateOf(at, tz))}T${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** "HH:MM" → minutes since midnight; "24:00" is 1440. Throws on anything else. */
export function minuteOfDay(hhmm: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (m === null || h > 24 || min > 59 || (h === 24 && min > 0))
    throw new RangeError(`time must be HH:MM, got ${hhmm}`);
  return h * 60 + min;
}

/**
 * The instant when the clock in `tz` shows `minute` minutes after midnight of `date` (1440 = the next midnight).
 * Gap and overlap as the header says.
 */
export function instantOf(date: LocalDate, minute: number, tz: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minute * MINUTE;
  // The offsets in force a day either side cover any one transition; real zones never change twice in two days.
  const before = offsetAt(wall - DAY_MS, tz);
  const after = offsetAt(wall + DAY_MS, tz);
  const fits = [wall - before, wall - after].filter((t) => wallAsUtc(t, tz) === wall).sort((a, b) => a - b);
  if (fits.length > 0) return new Date(fits[0] as number);
  // In the gap: the offset before the jump carries the wall time past it (02:30 at -05:00 is 03:30 at -04:00).
  return new Date(wall - before);
}

/** Parses the local ISO date or date-time the callback store keeps ("2026-12-06" or "2026-12-06T14:00"). */
export function parseLocalIso(s: string): { date: LocalDate; minute?: number } | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d))?$/.exec(s);
  if (m === null) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (check.getUTCMonth() + 1 !== date.month || check.getUTCDate() !== date.day) return undefined;
  if (m[4] === undefined) return { date };
  const h = Number(m[4]);
  const min = Number(m[5]);
  if (h > 23 || min > 59) return undefined;
  return { date, minute: h * 60 + min };
}
