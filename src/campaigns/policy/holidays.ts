import Holidays from 'date-holidays';
import { isoDate, type LocalDate } from './local-time.js';

// Public holidays of a gym's country and region, from date-holidays (a maintained rule set for some 200
// countries and their states, with substitute days: Christmas on a Saturday is observed on the Friday before in
// the US). Only 'public' holidays count: a bank or observance day ("Valentine's Day") does not keep a gym's desk
// away. Days are the local calendar dates the library names, compared with the gym's local date.

const cache = new Map<string, ReadonlySet<string>>();

function holidaySet(country: string, region: string | undefined, year: number): ReadonlySet<string> {
  const key = `${country}|${region ?? ''}|${year}`;
  let days = cache.get(key);
  if (days === undefined) {
    // A region the library does not know is ignored rather than guessed: the country's holidays still apply.
    const states = new Holidays().getStates(country) ?? {};
    const known = region !== undefined && Object.hasOwn(states, region.toUpperCase());
    const hd = known
      ? new Holidays(country, region, { types: ['public'] })
      : new Holidays(country, { types: ['public'] });
    days = new Set(hd.getHolidays(year).map((h) => h.date.slice(0, 10)));
    cache.set(key, days);
  }
  return days;
}

/** Is `date` a public holiday where the gym is? False when the country is unknown to the library or not given. */
export function isPublicHoliday(date: LocalDate, country: string | undefined, region?: string): boolean {
  if (country === undefined || !/^[A-Za-z]{2}$/.test(country)) return false;
  return holidaySet(country.toUpperCase(), region, date.year).has(isoDate(date));
}
