import { addDays, isoDate, localDateOf, weekdayOf, type LocalDate } from '../campaigns/policy/local-time.js';
import { publicHolidayName } from '../campaigns/policy/holidays.js';
import type { Queryable } from '../db/sql.js';
import { TOPICS, type Day, type DayHours, type GymClass, type MembershipPlan, type Topic } from '../facts/model.js';
import { gymFreshness } from '../gyms/freshness.js';
import type { Language } from '../language/index.js';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

// What the front desk may say about its gym: the gym's stored, current facts (src/gyms/freshness.ts: per topic the
// newest value the calls confirmed, and whether it is older than FACTS_MAX_AGE_DAYS), and the two days a caller
// asks about most, today and tomorrow in the gym's own time zone, each with its public holiday when there is one.
// Answers (answers.ts) and the guard (guard.ts) read only this: nothing the desk says comes from anywhere else.

/** One calendar day at the gym. */
export interface DeskDay {
  readonly day: Day;
  readonly date: string;
  /** The stored hours of that weekday; undefined: not known. */
  readonly hours: DayHours | undefined;
  /** The public holiday on that date where the gym is, named in each language; its weekday hours may not hold. */
  readonly holiday: Readonly<Record<Language, string>> | undefined;
}

/** A public holiday ahead: its date, weekday and name in each language. */
export interface DeskHoliday {
  readonly date: string;
  readonly day: Day;
  readonly name: Readonly<Record<Language, string>>;
}

/** How far ahead the desk knows the holidays a caller may name ("are you open on Thanksgiving?"). */
const HOLIDAYS_AHEAD_DAYS = 366;

export interface DeskKnowledge {
  readonly gymName: string;
  readonly timeZone: string;
  readonly hours: Partial<Record<Day, DayHours>>;
  readonly pricing: readonly MembershipPlan[];
  readonly classes: readonly GymClass[];
  /** Topics with facts older than FACTS_MAX_AGE_DAYS: said with a warning that they may have changed. */
  readonly stale: readonly Topic[];
  readonly today: DeskDay;
  readonly tomorrow: DeskDay;
  /** Today and the six days after it: a weekday the caller names is its next one, holiday and all. */
  readonly week: readonly DeskDay[];
  /** The public holidays of the coming year where the gym is, soonest first: a caller may name one. */
  readonly holidays: readonly DeskHoliday[];
  /** The gym's country (ISO 3166-1): a caller's callback number said without its country code is one of its. */
  readonly country: CountryCode | undefined;
}

export interface KnowledgeOptions {
  readonly now: Date;
  /** FACTS_MAX_AGE_DAYS. */
  readonly maxAgeDays: number;
  /** CALL_DEFAULT_TIMEZONE, for a gym whose zone is not known. */
  readonly defaultTimeZone: string;
}

export interface GymPlace {
  readonly name: string;
  readonly timeZone: string | null;
  /** ISO 3166-1 country and the subdivision inside it (migration 012), for its public holidays. */
  readonly region: string | null;
  readonly subdivision: string | null;
  /** The gym's own number (E.164): its country when `region` is not known. */
  readonly phone?: string | null | undefined;
}

/** The gym's country: its region as imported, else its own number's. */
function countryOf(place: GymPlace): CountryCode | undefined {
  if (place.region !== null && isSupportedCountry(place.region)) return place.region;
  return place.phone == null ? undefined : parsePhoneNumberFromString(place.phone)?.country;
}

/** The day's public holiday in every language the desk speaks (a call may switch language after it started). */
function holidayNames(date: LocalDate, place: GymPlace): Readonly<Record<Language, string>> | undefined {
  const name = (l: Language) => publicHolidayName(date, place.region ?? undefined, place.subdivision ?? undefined, l);
  const en = name('en');
  return en === undefined ? undefined : { en, es: name('es') ?? en };
}

function deskDay(date: LocalDate, hours: Partial<Record<Day, DayHours>>, place: GymPlace): DeskDay {
  const day = weekdayOf(date);
  return {
    day,
    date: isoDate(date),
    hours: hours[day],
    holiday: holidayNames(date, place),
  };
}

/** The knowledge from facts already read (tests, and the loader below). */
export function deskKnowledge(
  place: GymPlace,
  facts: {
    hours: Partial<Record<Day, DayHours>>;
    pricing: readonly MembershipPlan[];
    classes: readonly GymClass[];
    stale: readonly Topic[];
  },
  o: Pick<KnowledgeOptions, 'now' | 'defaultTimeZone'>,
): DeskKnowledge {
  const timeZone = place.timeZone ?? o.defaultTimeZone;
  const today = localDateOf(o.now, timeZone);
  const week = Array.from({ length: 7 }, (_, n) => deskDay(addDays(today, n), facts.hours, place));
  const holidays: DeskHoliday[] = [];
  for (let n = 0; n < HOLIDAYS_AHEAD_DAYS; n++) {
    const date = addDays(today, n);
    const name = holidayNames(date, place);
    if (name !== undefined) holidays.push({ date: isoDate(date), day: weekdayOf(date), name });
  }
  return {
    gymName: place.name,
    timeZone,
    hours: facts.hours,
    pricing: facts.pricing,
    classes: facts.classes,
    stale: TOPICS.filter((t) => facts.stale.includes(t)),
    today: week[0] as DeskDay,
    tomorrow: week[1] as DeskDay,
    week,
    holidays,
    country: countryOf(place),
  };
}

/** A gym's knowledge from the database, or undefined when there is no such gym. */
export async function loadKnowledge(
  db: Queryable,
  gymId: number,
  o: KnowledgeOptions,
): Promise<DeskKnowledge | undefined> {
  const g = await db.query<{
    name: string;
    timezone: string | null;
    region: string | null;
    subdivision: string | null;
    phone: string | null;
  }>('SELECT name, timezone, region, subdivision, phone FROM gyms WHERE id = $1', [gymId]);
  const row = g.rows[0];
  if (row === undefined) return undefined;
  const f = await gymFreshness(db, gymId, { asOf: o.now, maxAgeDays: o.maxAgeDays });
  return deskKnowledge(
    { name: row.name, timeZone: row.timezone, region: row.region, subdivision: row.subdivision, phone: row.phone },
    {
      hours: f.topics.hours.value,
      pricing: f.topics.pricing.value,
      classes: f.topics.classes.value,
      stale: f.stale,
    },
    o,
  );
}
