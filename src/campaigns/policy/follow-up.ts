import { DAYS, type Day, type DayHours, type GymClass, type MembershipPlan, type Topic } from '../../facts/model.js';
import { sayDays, sayPrice, sayTime } from '../../facts/say.js';
import type { FactToConfirm, FactsTopicState, GymFactsState } from '../types.js';

// What a follow-up call asks: only what is missing (never stated, or some days of the week not yet stated), and a
// short confirmation of what may have changed (last confirmed more than factsMaxAgeDays ago, or changed by the
// last call without a second call saying the same). A refused topic is never asked again in the campaign. The
// confirmation is one sentence in the words the recogniser and the simulated receptionist share (src/facts/say.ts):
// "are you still open six a.m. to ten p.m. monday through friday?".

const DAY_MS = 86_400_000;

export interface TopicPlan {
  readonly topicsToAsk: Topic[];
  readonly factsToConfirm: FactToConfirm[];
}

/** Hours grouped by identical times, the group with most days first: "six to ten monday through friday". */
function hoursQuestion(hours: Partial<Record<Day, DayHours>>): string | undefined {
  const groups = new Map<string, { opens: string; closes: string; days: Day[] }>();
  for (const d of DAYS) {
    const h = hours[d];
    if (h === undefined || !('opens' in h)) continue;
    const key = `${h.opens}-${h.closes}`;
    const g = groups.get(key) ?? { opens: h.opens, closes: h.closes, days: [] };
    g.days.push(d);
    groups.set(key, g);
  }
  const top = [...groups.values()].sort((a, b) => b.days.length - a.days.length)[0];
  if (top === undefined) {
    const always = DAYS.filter((d) => hours[d] !== undefined && 'open24h' in (hours[d] as DayHours));
    return always.length > 0 ? `are you still open twenty four hours ${sayDays(always, { plural: true })}?` : undefined;
  }
  return `are you still open ${sayTime(top.opens)} to ${sayTime(top.closes)} ${sayDays(top.days, { plural: true })}?`;
}

function pricingQuestion(plans: readonly MembershipPlan[]): string | undefined {
  // The monthly plan is the one people quote; whole dollars only, as the spoken grammar reads them.
  const sayable = plans.filter((p) => p.amountMinor % 100 === 0 && p.amountMinor <= 99_900);
  const plan = sayable.find((p) => p.period === 'month') ?? sayable[0];
  if (plan === undefined) return plans.length > 0 ? 'are your membership prices still the same as before?' : undefined;
  return `is the ${plan.plan.toLowerCase()} still ${sayPrice(plan.amountMinor / 100, plan.period)}?`;
}

function classesQuestion(classes: readonly GymClass[]): string | undefined {
  const names = classes.slice(0, 3).map((c) => c.name.toLowerCase());
  if (names.length === 0) return undefined;
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
  return `do you still run ${list as string} classes?`;
}

/** The confirmation sentence for a known topic; undefined when nothing known can be said back. */
export function confirmationQuestion(topic: Topic, state: GymFactsState): string | undefined {
  if (topic === 'hours') return hoursQuestion(state.topics.hours.value);
  if (topic === 'pricing') return pricingQuestion(state.topics.pricing.value);
  return classesQuestion(state.topics.classes.value);
}

function isStale(t: FactsTopicState, now: Date, maxAgeDays: number): boolean {
  if (t.oldestConfirmedAt === null) return true;
  return now.getTime() - t.oldestConfirmedAt.getTime() > maxAgeDays * DAY_MS;
}

/**
 * What the next call asks and confirms, over the campaign's `topics` less `refused`. Without a facts state
 * (nothing known about the gym) every topic is asked.
 */
export function planTopics(
  topics: readonly Topic[],
  state: GymFactsState | undefined,
  refused: ReadonlySet<Topic>,
  now: Date,
  maxAgeDays: number,
): TopicPlan {
  const topicsToAsk: Topic[] = [];
  const factsToConfirm: FactToConfirm[] = [];
  for (const topic of topics) {
    if (refused.has(topic)) continue;
    const t = state?.topics[topic];
    if (state === undefined || t === undefined || t.missing) {
      topicsToAsk.push(topic);
      continue;
    }
    // Some days known, some not: the call asks for the hours (the known days can be confirmed on the way).
    if (topic === 'hours' && state.topics.hours.missingDays.length > 0) {
      topicsToAsk.push(topic);
      continue;
    }
    if (!isStale(t, now, maxAgeDays) && t.confidence !== 'low') continue;
    const question = confirmationQuestion(topic, state);
    if (question === undefined) topicsToAsk.push(topic);
    else factsToConfirm.push({ topic, question });
  }
  return { topicsToAsk, factsToConfirm };
}
