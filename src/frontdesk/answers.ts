import { DAYS, type Day, type DayHours, type Period, type Topic } from '../facts/model.js';
import type { DeskKnowledge } from './knowledge.js';
import {
  classesLine,
  classUnknownLine,
  classYesLine,
  dayHoursLine,
  dayHoursUnknownLine,
  DESK_LINES,
  holidayLine,
  planLine,
  planUnknownLine,
  topicUnknownLine,
  weekLine,
  type DayLabel,
} from './lines.js';

// Answers to a caller's question, built only from the gym's knowledge (knowledge.ts) with the fixed lines of
// lines.ts: a value that is not stored is said to be unknown, a stale topic is said with its warning, and a public
// holiday today or tomorrow is named with its hours unknown (no holiday hours are stored). The offline
// receptionist speaks these; the OpenAI path's lookup tool returns them as the facts the model may use.

export interface DeskAnswer {
  readonly sentences: string[];
  /** False when the answer is "I don't know": the receptionist offers to take a message. */
  readonly known: boolean;
}

const stale = (k: DeskKnowledge, t: Topic): string[] => (k.stale.includes(t) ? [DESK_LINES.staleNote] : []);

export function hoursAnswer(k: DeskKnowledge, day: DayLabel | 'week'): DeskAnswer {
  if (Object.keys(k.hours).length === 0) return { sentences: [DESK_LINES.hoursUnknown], known: false };
  if (day === 'week') return { sentences: [...weekLines(k.hours), ...stale(k, 'hours')], known: true };
  const d = day === 'today' ? k.today : day === 'tomorrow' ? k.tomorrow : undefined;
  if (d !== undefined && d.holiday !== undefined && (day === 'today' || day === 'tomorrow'))
    return { sentences: [holidayLine(day, d.holiday)], known: false };
  const h = d === undefined ? k.hours[day as Day] : d.hours;
  if (h === undefined) return { sentences: [dayHoursUnknownLine(day)], known: false };
  return { sentences: [dayHoursLine(day, h), ...stale(k, 'hours')], known: true };
}

const hoursKey = (h: DayHours): string =>
  'closed' in h ? 'closed' : 'open24h' in h ? 'open24h' : `${h.opens}-${h.closes}`;

/** The week's stored hours, days with the same hours said together; days not stored are said to be unknown. */
function weekLines(hours: Partial<Record<Day, DayHours>>): string[] {
  const groups = new Map<string, { days: Day[]; h: DayHours }>();
  for (const d of DAYS) {
    const h = hours[d];
    if (h === undefined) continue;
    const g = groups.get(hoursKey(h));
    if (g) g.days.push(d);
    else groups.set(hoursKey(h), { days: [d], h });
  }
  const out = [...groups.values()].map((g) => weekLine(g.days, g.h));
  const missing = DAYS.filter((d) => hours[d] === undefined);
  if (missing.length > 0)
    out.push(`I don't have our hours for ${missing.length === 1 ? 'one day' : `${missing.length} days`} of the week.`);
  return out;
}

export function priceAnswer(k: DeskKnowledge, plan: string | undefined, period: Period | undefined): DeskAnswer {
  if (k.pricing.length === 0) return { sentences: [DESK_LINES.pricesUnknown], known: false };
  const byName = plan === undefined ? [] : k.pricing.filter((p) => p.plan.toLowerCase().includes(plan));
  const byPeriod = period === undefined ? [] : k.pricing.filter((p) => p.period === period);
  const asked = plan !== undefined || period !== undefined;
  const found = byName.length > 0 ? byName : byPeriod;
  if (asked && found.length === 0)
    return {
      sentences: [planUnknownLine(plan ?? `a ${period === 'visit' ? 'drop-in' : `${period ?? ''} plan`}`)],
      known: false,
    };
  const plans = found.length > 0 ? found : k.pricing;
  return { sentences: [...plans.slice(0, 4).map(planLine), ...stale(k, 'pricing')], known: true };
}

export function classesAnswer(k: DeskKnowledge, name: string | undefined): DeskAnswer {
  if (k.classes.length === 0) return { sentences: [DESK_LINES.classesUnknown], known: false };
  if (name === undefined)
    return { sentences: [classesLine(k.classes.map((c) => c.name)), ...stale(k, 'classes')], known: true };
  const c = k.classes.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c === undefined) return { sentences: [classUnknownLine(name)], known: false };
  return { sentences: [classYesLine(c.name, c.schedule), ...stale(k, 'classes')], known: true };
}

export function amenityAnswer(thing: string): DeskAnswer {
  return { sentences: [topicUnknownLine(thing)], known: false };
}
