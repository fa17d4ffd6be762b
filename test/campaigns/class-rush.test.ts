// Calling windows avoid the class rush: a class schedule as people and models write it gives class starts, every
// start cuts the quarter hour of check-in around it, and the engine plans a gym with known classes around them.
import t from 'tap';
import { busyTimesOf } from '../../src/campaigns/policy/busy-times.js';
import { localIso } from '../../src/campaigns/policy/local-time.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import type { GymFactsState } from '../../src/campaigns/types.js';
import type { GymClass } from '../../src/facts/model.js';
import { classStarts } from '../../src/facts/parse-schedule.js';

const starts = (s: string) => classStarts(s).map((c) => `${c.day} ${String(c.minute / 60).padStart(2, '0')}`);
const hour = (s: string) => classStarts(s).map((c) => `${c.day} ${Math.floor(c.minute / 60)}:${c.minute % 60}`);

t.test('class starts from schedules in both orders and several writings', async (t) => {
  t.same(starts('Mondays and Wednesdays at 6 pm'), ['mon 18', 'wed 18']);
  t.same(starts('6 pm on mondays, 7 pm on fridays'), ['mon 18', 'fri 19']);
  t.same(
    starts('weekdays 7am and 6pm'),
    ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((d) => [`${d} 07`, `${d} 18`]),
  );
  t.same(hour('Tue/Thu 18:30'), ['tue 18:30', 'thu 18:30']);
  t.same(hour('saturday half past nine in the morning'), ['sat 9:30']);
  t.same(
    starts('at noon'),
    ['mon 12', 'tue 12', 'wed 12', 'thu 12', 'fri 12', 'sat 12', 'sun 12'],
    'no day: every day',
  );
  t.same(starts('tuesdays four to five'), ['tue 16'], 'an unmarked class hour of the afternoon, its end skipped');
  t.same(starts('mondays six to seven pm'), ['mon 18'], "a range's start shares its end's pm");
  t.same(starts('fridays at seven'), [], 'seven: morning or evening, not guessed');
  t.same(starts('a 20 minute class on mondays'), [], 'a duration is not a time');
  t.same(starts('ask at the desk'), []);
});

t.test('busy spans: check-in before each start and the first minutes after it', async (t) => {
  const classes: GymClass[] = [
    { name: 'spin', schedule: 'mondays at 6 pm' },
    { name: 'yoga' },
    { name: 'hiit', schedule: 'weekdays at 12:15 pm' },
  ];
  const busy = busyTimesOf(classes);
  t.same(busy[0], { day: 'mon', from: '17:40', to: '18:10' });
  t.same(
    busy.filter((b) => b.day === 'tue'),
    [{ day: 'tue', from: '11:55', to: '12:25' }],
  );
  t.equal(busy.length, 6, 'a class without a schedule says nothing about time');
});

const facts = (classes: GymClass[]): GymFactsState => ({
  topics: {
    hours: { missing: true, oldestConfirmedAt: null, confidence: null, value: {}, missingDays: [] },
    pricing: { missing: true, oldestConfirmedAt: null, confidence: null, value: [] },
    classes: {
      missing: false,
      oldestConfirmedAt: new Date('2026-12-01T00:00:00Z'),
      confidence: 'high',
      value: classes,
    },
  },
});

t.test('the policy plans around the class rush, and still calls a gym whose classes fill its windows', async (t) => {
  const NY = 'America/New_York';
  const classes: GymClass[] = [{ name: 'hiit', schedule: 'weekdays at 10:15 am' }];
  const d = planNextAttempt({
    gym: { gymId: '1', timeZone: NY, busyTimes: busyTimesOf(classes) },
    history: [],
    facts: facts(classes),
    // Monday 7 December 2026, 09:00 in New York: the default window opens at 10:00, a class starts at 10:15.
    now: new Date('2026-12-07T14:00:00Z'),
    policy: DEFAULT_POLICY,
  });
  t.equal(d.kind, 'call');
  if (d.kind === 'call') t.equal(localIso(d.at, NY), '2026-12-07T10:25', 'after the check-in rush');
  // Classes every half hour of the default window and at its end: no window is left, so the windows without them
  // serve.
  const packed: GymClass[] = [];
  for (let h = 10; h <= 17; h++)
    packed.push({ name: `c${h}`, schedule: `weekdays at ${h % 12 || 12}:00 ${h < 12 ? 'am' : 'pm'}` });
  for (let h = 10; h < 17; h++)
    packed.push({ name: `d${h}`, schedule: `weekdays at ${h % 12 || 12}:30 ${h < 12 ? 'am' : 'pm'}` });
  const full = planNextAttempt({
    gym: { gymId: '1', timeZone: NY, busyTimes: busyTimesOf(packed) },
    history: [],
    facts: facts(packed),
    now: new Date('2026-12-07T14:00:00Z'),
    policy: DEFAULT_POLICY,
  });
  t.equal(full.kind, 'call', 'still called');
  if (full.kind === 'call') t.equal(localIso(full.at, NY), '2026-12-07T10:00');
});
