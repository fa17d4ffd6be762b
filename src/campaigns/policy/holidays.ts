import Holidays from 'date-holidays';
import type { Language } from '../../language/index.js';
import { isoDate, type LocalDate } from './local-time.js';

// Public holidays of a gym's country and region, from date-holidays (a maintained rule set for some 200
// countries and their states, with substitute days: Christmas on a Saturday is observed on the Friday before in
// the US). Only 'public' holidays count: a bank or observance day ("Valentine's Day") does not keep a gym's desk
// away. Days are the local calendar dates the library names, compared with the gym's local date.

const cache = new Map<string, ReadonlyMap<string, string>>();
const states = new Map<string, ReadonlyMap<string, string>>();

/**
 * The regions (ISO 3166-2 subdivisions, without the country) the library knows for a country, code → name; empty
 * when none. A few states it names by word (the Cook Islands' "Aitutaki") are not ISO codes and are left out.
 */
export function holidayRegions(country: string): ReadonlyMap<string, string> {
  let known = states.get(country);
  if (known === undefined) {
    const all = Object.entries(new Holidays().getStates(country) ?? {});
    known = new Map(all.filter(([code]) => /^[A-Z0-9]{1,3}$/.test(code)));
    states.set(country, known);
  }
  return known;
}

/** The public holidays of a year, local date → the holiday's name in `language` (the library's, where it has one). */
function holidayDays(
  country: string,
  region: string | undefined,
  year: number,
  language: Language,
): ReadonlyMap<string, string> {
  const key = `${country}|${region ?? ''}|${year}|${language}`;
  let days = cache.get(key);
  if (days === undefined) {
    // A region the library does not know is ignored rather than guessed: the country's holidays still apply.
    const known = region !== undefined && holidayRegions(country).has(region.toUpperCase());
    const hd = known
      ? new Holidays(country, region, { types: ['public'] })
      : new Holidays(country, { types: ['public'] });
    days = new Map(hd.getHolidays(year, language).map((h) => [h.date.slice(0, 10), h.name]));
    cache.set(key, days);
  }
  return days;
}

/** Is `date` a public holiday where the gym is? False when the country is unknown to the library or not given. */
export function isPublicHoliday(date: LocalDate, country: string | undefined, region?: string): boolean {
  return publicHolidayName(date, country, region) !== undefined;
}

/**
 * The public holiday's name on `date` where the gym is, in `language` (English by default; the library's own name
 * where it has none in that language), or undefined for none.
 */
export function publicHolidayName(
  date: LocalDate,
  country: string | undefined,
  region?: string,
  language: Language = 'en',
): string | undefined {
  if (country === undefined || !/^[A-Za-z]{2}$/.test(country)) return undefined;
  return holidayDays(country.toUpperCase(), region, date.year, language).get(isoDate(date));
}
