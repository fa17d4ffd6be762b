import t from 'tap';
import { confirmationOf, planTopics } from '../../src/campaigns/policy/follow-up.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import type { FactsTopicState, GymFactsState } from '../../src/campaigns/types.js';
import type { Day, DayHours } from '../../src/facts/model.js';

// Follow-ups on a simulated clock: facts confirmed on one day are left alone while fresh, and re-confirmed in one
// sentence once older than factsMaxAgeDays; what is missing is asked, and nothing else.

const DAY = 86_400_000;
const CONFIRMED = new Date('2026-09-01T15:00:00Z');
const fresh = (at: Date | null = CONFIRMED, confidence: FactsTopicState['confidence'] = 'medium'): FactsTopicState => ({
  missing: at === null,
  oldestConfirmedAt: at,
  confidence: at === null ? null : confidence,
});
const WEEKDAY: DayHours = { opens: '06:00', closes: '22:00' };
const HOURS: Partial<Record<Day, DayHours>> = {
  mon: WEEKDAY,
  tue: WEEKDAY,
  wed: WEEKDAY,
  thu: WEEKDAY,
  fri: WEEKDAY,
  sat: { opens: '08:00', closes: '18:00' },
  sun: { closed: true },
};

function state(
  over: { hours?: FactsTopicState; pricing?: FactsTopicState; classes?: FactsTopicState; missingDays?: Day[] } = {},
): GymFactsState {
  const pricing = over.pricing ?? fresh();
  const classes = over.classes ?? fresh();
  return {
    topics: {
      hours: { ...(over.hours ?? fresh()), value: HOURS, missingDays: over.missingDays ?? [] },
      pricing: {
        ...pricing,
        value: pricing.missing
          ? []
          : [{ plan: 'Monthly membership', amountMinor: 4900, currency: 'USD', period: 'month' }],
      },
      classes: { ...classes, value: classes.missing ? [] : [{ name: 'Yoga' }, { name: 'Spin' }] },
    },
  };
}

t.test('confirmations are one short sentence in the spoken vocabulary', async (t) => {
  const s = state();
  t.same(confirmationOf('hours', s), {
    topic: 'hours',
    question:
      'are you still open six a.m. to ten p.m. mondays through fridays and eight a.m. to six p.m. saturdays, and closed sundays?',
    facts: { hours: HOURS },
  });
  t.same(confirmationOf('pricing', s), {
    topic: 'pricing',
    question: 'is the monthly membership still forty nine dollars a month?',
    facts: { pricing: s.topics.pricing.value },
  });
  t.equal(confirmationOf('classes', s)?.question, 'do you still run yoga and spin classes?');
  t.same(confirmationOf('classes', s)?.facts, { classes: [{ name: 'Yoga' }, { name: 'Spin' }] });
});

t.test('ask only what is missing, confirm only what is stale or changed', async (t) => {
  const now = new Date(CONFIRMED.getTime() + 30 * DAY);
  const none = new Set<never>();
  t.same(
    planTopics(DEFAULT_POLICY.topics, state(), none, now, 90),
    { topicsToAsk: [], factsToConfirm: [] },
    'all fresh',
  );
  t.same(planTopics(DEFAULT_POLICY.topics, state({ pricing: fresh(null) }), none, now, 90), {
    topicsToAsk: ['pricing'],
    factsToConfirm: [],
  });
  const old = new Date(now.getTime() - 120 * DAY);
  t.same(planTopics(DEFAULT_POLICY.topics, state({ pricing: fresh(null), classes: fresh(old) }), none, now, 90), {
    topicsToAsk: ['pricing'],
    factsToConfirm: [
      {
        topic: 'classes',
        question: 'do you still run yoga and spin classes?',
        facts: { classes: [{ name: 'Yoga' }, { name: 'Spin' }] },
      },
    ],
  });
  // Changed by the last call, not yet confirmed by another: confirmed even though it is recent.
  t.match(planTopics(DEFAULT_POLICY.topics, state({ hours: fresh(CONFIRMED, 'low') }), none, now, 90), {
    topicsToAsk: [],
    factsToConfirm: [{ topic: 'hours' }],
  });
  // Some days unknown: the hours are asked.
  t.same(planTopics(DEFAULT_POLICY.topics, state({ missingDays: ['sun'] }), none, now, 90).topicsToAsk, ['hours']);
  // A refused topic is neither asked nor confirmed; nothing known at all: everything is asked.
  t.same(
    planTopics(DEFAULT_POLICY.topics, state({ pricing: fresh(old) }), new Set(['pricing']), now, 90).factsToConfirm,
    [],
  );
  t.same(planTopics(DEFAULT_POLICY.topics, undefined, none, now, 90).topicsToAsk, ['hours', 'pricing', 'classes']);
  // Only the campaign's topics.
  t.same(planTopics(['hours'], state({ pricing: fresh(null) }), none, now, 90), {
    topicsToAsk: [],
    factsToConfirm: [],
  });
});

t.test('over months: a gym is left alone while its facts are fresh, then gets a short follow-up', async (t) => {
  const gym = { gymId: '3', timeZone: 'Europe/London', country: 'GB' };
  const facts = state();
  const plan = (days: number) =>
    planNextAttempt({
      gym,
      history: [],
      facts,
      now: new Date(CONFIRMED.getTime() + days * DAY),
      policy: DEFAULT_POLICY,
    });
  t.match(plan(1), { kind: 'final', state: 'nothing-to-ask' });
  t.match(plan(89), { kind: 'final', state: 'nothing-to-ask' });
  const due = plan(91);
  t.equal(due.kind, 'call');
  if (due.kind !== 'call') return;
  t.same(due.brief.topicsToAsk, []);
  t.same(
    due.brief.factsToConfirm.map((f) => f.topic),
    ['hours', 'pricing', 'classes'],
  );
  // 91 days after 1 September 2026 is Tuesday 1 December, 15:00 in London: inside the day's window.
  t.equal(due.at.toISOString(), '2026-12-01T15:00:00.000Z');
  // A per-campaign age limit.
  t.match(
    planNextAttempt({
      gym,
      history: [],
      facts,
      now: new Date(CONFIRMED.getTime() + 40 * DAY),
      policy: { ...DEFAULT_POLICY, factsMaxAgeDays: 30 },
    }),
    { kind: 'call' },
  );
  // After the follow-up call confirmed everything, the gym is done.
  t.match(
    planNextAttempt({
      gym,
      history: [{ at: due.at, outcome: 'completed' }],
      facts: state({ hours: fresh(due.at), pricing: fresh(due.at), classes: fresh(due.at) }),
      now: new Date(due.at.getTime() + 5 * 60_000),
      policy: DEFAULT_POLICY,
    }),
    { kind: 'final', state: 'completed' },
  );
});
