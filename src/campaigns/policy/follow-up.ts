import {
  DAYS,
  type Day,
  type DayHours,
  type GymClass,
  type GymFacts,
  type MembershipPlan,
  type Topic,
} from '../../facts/model.js';
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

/** A sentence and the facts it says back. */
interface Said {
  readonly question: string;
  readonly facts: Partial<GymFacts>;
}

/**
 * Hours grouped by identical times, the two groups with most days, and the closed days: "are you still open six
 * a.m. to ten p.m. mondays through fridays and eight a.m. to six p.m. saturdays, and closed sundays?". Days in a
 * third group are left out of the sentence and of what a "yes" confirms (a short call beats a complete sentence).
 */
function hoursQuestion(hours: Partial<Record<Day, DayHours>>): Said | undefined {
  const groups = new Map<string, { text: string; days: Day[] }>();
  for (const d of DAYS) {
    const h = hours[d];
    if (h === undefined || 'closed' in h) continue;
    const key = 'opens' in h ? `${h.opens}-${h.closes}` : '24h';
    const text = 'opens' in h ? `${sayTime(h.opens)} to ${sayTime(h.closes)}` : 'twenty four hours';
    const g = groups.get(key) ?? { text, days: [] };
    g.days.push(d);
    groups.set(key, g);
  }
  const top = [...groups.values()].sort((a, b) => b.days.length - a.days.length).slice(0, 2);
  if (top.length === 0) return undefined;
  const closed = DAYS.filter((d) => hours[d] !== undefined && 'closed' in (hours[d] as DayHours));
  const open = top.map((g) => `${g.text} ${sayDays(g.days, { plural: true })}`).join(' and ');
  const shut = closed.length > 0 ? `, and closed ${sayDays(closed, { plural: true })}` : '';
  const said: Partial<Record<Day, DayHours>> = {};
  for (const d of [...top.flatMap((g) => g.days), ...closed]) said[d] = hours[d] as DayHours;
  return { question: `are you still open ${open}${shut}?`, facts: { hours: said } };
}

function pricingQuestion(plans: readonly MembershipPlan[]): Said | undefined {
  // The monthly plan is the one people quote; whole dollars only, as the spoken grammar reads them.
  const sayable = plans.filter((p) => p.amountMinor % 100 === 0 && p.amountMinor <= 99_900);
  const plan = sayable.find((p) => p.period === 'month') ?? sayable[0];
  if (plan === undefined) return undefined;
  return {
    question: `is the ${plan.plan.toLowerCase()} still ${sayPrice(plan.amountMinor / 100, plan.period)}?`,
    facts: { pricing: [plan] },
  };
}

function classesQuestion(classes: readonly GymClass[]): Said | undefined {
  const named = classes.slice(0, 3);
  const names = named.map((c) => c.name.toLowerCase());
  if (names.length === 0) return undefined;
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
  return { question: `do you still run ${list as string} classes?`, facts: { classes: named } };
}

/** The confirmation of a known topic; undefined when nothing known can be said back (it is asked instead). */
export function confirmationOf(topic: Topic, state: GymFactsState): FactToConfirm | undefined {
  const said =
    topic === 'hours'
      ? hoursQuestion(state.topics.hours.value)
      : topic === 'pricing'
        ? pricingQuestion(state.topics.pricing.value)
        : classesQuestion(state.topics.classes.value);
  return said === undefined ? undefined : { topic, ...said };
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
    const confirm = confirmationOf(topic, state);
    if (confirm === undefined) topicsToAsk.push(topic);
    else factsToConfirm.push(confirm);
  }
  return { topicsToAsk, factsToConfirm };
}
