import { DAYS, hoursKey, type Day, type DayHours, type Period, type Topic } from '../facts/model.js';
import type { Language } from '../language/index.js';
import { normalize } from '../facts/numbers.js';
import type { DeskHoliday, DeskKnowledge } from './knowledge.js';
import { deskLines, type DayLabel, type DeskLines } from './lines.js';

// Answers to a caller's question, built only from the gym's knowledge (knowledge.ts) with the fixed lines of
// lines.ts (in the call's language): a value that is not stored is said to be unknown, a stale topic is said with its warning, and a public
// holiday today or tomorrow is named with its hours unknown (no holiday hours are stored). The offline
// receptionist speaks these; the OpenAI path's lookup tool returns them as the facts the model may use.

export interface DeskAnswer {
  readonly sentences: string[];
  /** False when the answer is "I don't know": the receptionist offers to take a message. */
  readonly known: boolean;
}

const stale = (L: DeskLines, k: DeskKnowledge, t: Topic): string[] => (k.stale.includes(t) ? [L.staleNote] : []);

export function hoursAnswer(k: DeskKnowledge, day: DayLabel | 'week', language?: Language): DeskAnswer {
  const L = deskLines(language);
  if (Object.keys(k.hours).length === 0) return { sentences: [L.hoursUnknown], known: false };
  if (day === 'week') return { sentences: [...weekLines(L, k.hours), ...stale(L, k, 'hours')], known: true };
  // Today, tomorrow, or the named weekday's next date (today included): a public holiday on it is said instead.
  const d = day === 'today' ? k.today : day === 'tomorrow' ? k.tomorrow : k.week.find((x) => x.day === day);
  if (d !== undefined && d.holiday !== undefined)
    return { sentences: [L.holiday(day, d.holiday[language ?? 'en'])], known: false };
  const h = d === undefined ? k.hours[day as Day] : d.hours;
  if (h === undefined) return { sentences: [L.dayHoursUnknown(day)], known: false };
  return { sentences: [L.dayHours(day, h), ...stale(L, k, 'hours')], known: true };
}

/** The week's stored hours, days with the same hours said together; days not stored are said to be unknown. */
function weekLines(L: DeskLines, hours: Partial<Record<Day, DayHours>>): string[] {
  const groups = new Map<string, { days: Day[]; h: DayHours }>();
  for (const d of DAYS) {
    const h = hours[d];
    if (h === undefined) continue;
    const g = groups.get(hoursKey(h));
    if (g) g.days.push(d);
    else groups.set(hoursKey(h), { days: [d], h });
  }
  const out = [...groups.values()].map((g) => L.week(g.days, g.h));
  const missing = DAYS.filter((d) => hours[d] === undefined);
  if (missing.length > 0) out.push(L.daysMissing(missing.length));
  return out;
}

export function priceAnswer(
  k: DeskKnowledge,
  plan: string | undefined,
  period: Period | undefined,
  language?: Language,
): DeskAnswer {
  const L = deskLines(language);
  if (k.pricing.length === 0) return { sentences: [L.pricesUnknown], known: false };
  const byName = plan === undefined ? [] : k.pricing.filter((p) => p.plan.toLowerCase().includes(plan));
  const byPeriod = period === undefined ? [] : k.pricing.filter((p) => p.period === period);
  const asked = plan !== undefined || period !== undefined;
  const found = byName.length > 0 ? byName : byPeriod;
  if (asked && found.length === 0)
    return { sentences: [L.planUnknown(plan ?? L.periodPlan(period ?? 'month'))], known: false };
  const plans = found.length > 0 ? found : k.pricing;
  return { sentences: [...plans.slice(0, 4).map((p) => L.plan(p)), ...stale(L, k, 'pricing')], known: true };
}

export function classesAnswer(k: DeskKnowledge, name: string | undefined, language?: Language): DeskAnswer {
  const L = deskLines(language);
  if (k.classes.length === 0) return { sentences: [L.classesUnknown], known: false };
  if (name === undefined)
    return { sentences: [L.classes(k.classes.map((c) => c.name)), ...stale(L, k, 'classes')], known: true };
  const c = k.classes.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c === undefined) return { sentences: [L.classUnknown(name)], known: false };
  return { sentences: [L.classYes(c.name, c.schedule), ...stale(L, k, 'classes')], known: true };
}

/** Words of a holiday's name that do not tell one from another ("Christmas Day", "Día de la Independencia"). */
const HOLIDAY_FILLER = new Set(['day', 'the', 'of', 'jr', 'dia', 'de', 'del', 'la', 'el', 'los']);
const holidayWords = (text: string): string[] =>
  normalize(text)
    .map((w) => w.replace(/'s$/, ''))
    .filter((w) => !HOLIDAY_FILLER.has(w));

/** The coming public holiday the caller's words name, soonest first ("are you open on Christmas?"), if any. */
export function namedHoliday(k: DeskKnowledge, said: string, language?: Language): DeskHoliday | undefined {
  const heard = new Set(holidayWords(said));
  return k.holidays.find((h) => {
    const names = language === 'es' ? [h.name.es, h.name.en] : [h.name.en];
    return names.some((n) => {
      const words = holidayWords(n);
      return words.length > 0 && words.every((w) => heard.has(w));
    });
  });
}

/** A holiday the caller named: it is named back, with its hours unknown (no holiday hours are stored). */
export function holidayAnswer(h: DeskHoliday, language?: Language): DeskAnswer {
  return { sentences: [deskLines(language).holidayNamed(h.name[language ?? 'en'])], known: false };
}

export function amenityAnswer(thing: string, language?: Language): DeskAnswer {
  return { sentences: [deskLines(language).topicUnknown(thing)], known: false };
}

/**
 * Every sentence the desk can build from the stored facts: each hours answer (today, tomorrow, the week, every
 * weekday, holidays included), each plan's price, the class list and each class, the stale warning, the greeting and
 * the desk's fixed lines. The lookup tool's known answers are drawn from these, so the guard passes them as they
 * are; an unknown answer ("I don't have any information on the pool") is a sentence with no claim.
 */
export function storedAnswers(k: DeskKnowledge, language?: Language): string[] {
  const L = deskLines(language);
  const days: Array<DayLabel | 'week'> = ['today', 'tomorrow', 'week', ...DAYS];
  const fixed = Object.entries(L).flatMap(([key, v]) => (typeof v === 'string' && key !== 'language' ? [v] : []));
  return [
    ...fixed,
    L.greeting(k.gymName),
    ...days.flatMap((d) => hoursAnswer(k, d, language).sentences),
    ...k.pricing.map((p) => L.plan(p)),
    ...classesAnswer(k, undefined, language).sentences,
    ...k.classes.flatMap((c) => classesAnswer(k, c.name, language).sentences),
    ...k.holidays.flatMap((h) => holidayAnswer(h, language).sentences),
  ];
}
