import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// The gym's time zone, for reading "call back tomorrow after two" in the gym's own local time. A number's region
// decides it when the region has a single zone (CLDR's list, through Intl.Locale: GB → Europe/London, IE →
// Europe/Dublin); regions with several (US, CA, AU, NZ with Chatham) use the configured default
// (CALL_DEFAULT_TIMEZONE), since an area code does not reliably name a zone (overlays, moved mobile numbers).

/** Is `tz` an IANA zone this runtime knows? (What the config validates CALL_DEFAULT_TIMEZONE with.) */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface LocaleWithZones extends Intl.Locale {
  readonly timeZones?: readonly string[];
  getTimeZones?(): readonly string[];
}

/** The zone of the region of `phoneNumber` (E.164) when it has exactly one; otherwise `fallback`. */
export function gymTimeZone(phoneNumber: string, fallback: string): string {
  const region = parsePhoneNumberFromString(phoneNumber)?.country;
  if (region === undefined) return fallback;
  const locale = new Intl.Locale(`und-${region}`) as LocaleWithZones;
  const zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
  return zones.length === 1 && isTimeZone(zones[0] as string) ? (zones[0] as string) : fallback;
}

export interface WallClock {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

/** What a clock on the wall in `tz` shows at `at`. */
export function wallClock(at: Date, tz: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}
