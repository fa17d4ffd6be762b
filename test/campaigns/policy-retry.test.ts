import t from 'tap';
import { localIso } from '../../src/campaigns/policy/local-time.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY, OUTCOME_RULES, policyProblems } from '../../src/campaigns/policy/retry-rules.js';
import { isInWindow } from '../../src/campaigns/policy/windows.js';
import {
  LINE_OUTCOMES,
  type Attempt,
  type CallBrief,
  type CampaignPolicy,
  type GymCallingContext,
  type PlanDecision,
} from '../../src/campaigns/types.js';
import { CALL_OUTCOMES } from '../../machines/outcomes.js';

// A campaign on one gym on a simulated clock: plan, jump the clock to the planned time, "dial" with the next
// scripted outcome, plan again, for days. Every call's local time is checked against the windows.

const NY = 'America/New_York';
const GYM: GymCallingContext = { gymId: '7', timeZone: NY, country: 'US' };
// Monday 7 December 2026, 09:00 in New York.
const START = new Date('2026-12-07T14:00:00Z');
const CALL_MS = 3 * 60_000;

type Scripted = Omit<Attempt, 'at'>;

interface Run {
  /** Local times of the dials. */
  times: string[];
  briefs: CallBrief[];
  final: PlanDecision | undefined;
  reasons: string[];
}

function run(script: Scripted[], policy: CampaignPolicy = DEFAULT_POLICY, gym = GYM, start = START): Run {
  const history: Attempt[] = [];
  const out: Run = { times: [], briefs: [], final: undefined, reasons: [] };
  let now = start;
  for (let i = 0; i < 50; i++) {
    const d = planNextAttempt({ gym, history, now, policy });
    if (d.kind === 'final') {
      out.final = d;
      return out;
    }
    if (d.at.getTime() < now.getTime()) throw new Error('planned in the past');
    const next = script[history.length];
    if (next === undefined) return out;
    if (!isInWindow(gym, d.at, policy.window) && d.reason !== 'callback requested at that time')
      throw new Error(`outside the window: ${localIso(d.at, gym.timeZone)}`);
    out.times.push(localIso(d.at, gym.timeZone));
    out.briefs.push(d.brief);
    out.reasons.push(d.reason);
    history.push({ at: d.at, ...next });
    now = new Date(d.at.getTime() + CALL_MS);
  }
  throw new Error('no end');
}

t.test('every outcome has a rule', async (t) => {
  for (const o of [...CALL_OUTCOMES, ...LINE_OUTCOMES, 'do-not-call' as const]) t.ok(OUTCOME_RULES[o], o);
});

t.test('busy, no answer, failed: 15 min, 2 h, the next day, up to the attempt limit', async (t) => {
  const r = run([
    { outcome: 'busy' },
    { outcome: 'no-answer' },
    { outcome: 'failed' },
    { outcome: 'busy' },
    { outcome: 'busy' },
    { outcome: 'busy' },
  ]);
  t.same(r.times, [
    '2026-12-07T10:00', // the first window
    '2026-12-07T10:15', // + 15 min
    '2026-12-07T12:15', // + 2 h
    '2026-12-08T10:00', // the next day
    '2026-12-09T10:00',
    '2026-12-10T10:00',
  ]);
  t.match(r.final, { kind: 'final', state: 'attempts-exhausted' });
  // A backoff that lands after the window waits for the next one.
  const late = run(
    [{ outcome: 'busy' }, { outcome: 'completed' }],
    DEFAULT_POLICY,
    GYM,
    new Date('2026-12-07T21:50:00Z'),
  );
  t.same(late.times, ['2026-12-07T16:50', '2026-12-08T10:00']);
  t.match(late.final, { state: 'completed' });
  // A conversation resets the backoff steps.
  const reset = run([
    { outcome: 'busy' },
    { outcome: 'busy' },
    { outcome: 'partial' },
    { outcome: 'busy' },
    { outcome: 'completed' },
  ]);
  t.same(reset.times.slice(3), ['2026-12-08T10:00', '2026-12-08T10:15'], 'after the partial call: 15 min again');
});

t.test('minimum spacing overrides a shorter backoff', async (t) => {
  const r = run([{ outcome: 'busy' }, { outcome: 'completed' }], { ...DEFAULT_POLICY, minSpacingMs: 3 * 3_600_000 });
  t.same(r.times, ['2026-12-07T10:00', '2026-12-07T13:00']);
});

t.test('voicemail: one message only, the next try on another day', async (t) => {
  const r = run([
    { outcome: 'voicemail-full' },
    { outcome: 'voicemail-left' },
    { outcome: 'voicemail-skipped' },
    { outcome: 'completed' },
  ]);
  t.same(r.times, ['2026-12-07T10:00', '2026-12-08T10:00', '2026-12-09T10:00', '2026-12-10T10:00']);
  t.same(
    r.briefs.map((b) => b.leaveVoicemail),
    [true, true, false, false],
  );
});

t.test('hold timeout and a stuck phone tree: another time of day each time', async (t) => {
  const r = run([{ outcome: 'hold-timeout' }, { outcome: 'ivr-stuck' }, { outcome: 'completed' }]);
  // 10:00 fails; 3 h either side is avoided (13:00 on); 13:00 fails too; then 16:00 on, away from both.
  t.same(r.times, ['2026-12-07T10:00', '2026-12-07T13:00', '2026-12-07T16:00']);
  // With every time of day tried, any window serves rather than none.
  const all = run([
    { outcome: 'hold-timeout' },
    { outcome: 'hold-timeout' },
    { outcome: 'hold-timeout' },
    { outcome: 'completed' },
  ]);
  t.same(all.times, ['2026-12-07T10:00', '2026-12-07T13:00', '2026-12-07T16:00', '2026-12-07T16:15']);
});

t.test('callback requested: at that time, asking for that person', async (t) => {
  const at = (earliestLocal: string | undefined, person?: string): Scripted => ({
    outcome: 'callback-requested',
    callback: { earliestLocal, person, topics: ['pricing'], words: 'call back and ask for the manager' },
  });
  const r = run([
    at('2026-12-08T14:00', 'Mike'),
    { outcome: 'busy' },
    { outcome: 'partial' },
    { outcome: 'completed' },
  ]);
  t.same(r.times, ['2026-12-07T10:00', '2026-12-08T14:00', '2026-12-08T14:15', '2026-12-09T10:00']);
  t.same(
    r.briefs.map((b) => b.askFor),
    [undefined, 'Mike', 'Mike', undefined],
    'Mike is asked for until someone has talked to us',
  );
  // Outside the usual window but inside 08:00-21:00: kept, they asked for it.
  t.same(run([at('2026-12-08T08:30'), { outcome: 'completed' }]).times[1], '2026-12-08T08:30');
  // Before 08:00: the first window after it.
  t.same(run([at('2026-12-08T07:00'), { outcome: 'completed' }]).times[1], '2026-12-08T10:00');
  // A day without a time: that day's window.
  t.same(run([at('2026-12-10'), { outcome: 'completed' }]).times[1], '2026-12-10T10:00');
  // No time said: the next day.
  t.same(run([at(undefined), { outcome: 'completed' }]).times[1], '2026-12-08T10:00');
  // A time already past when planned: the next window.
  t.same(run([at('2026-12-07T09:00'), { outcome: 'completed' }]).times[1], '2026-12-07T10:15');
  // On a holiday: not even a callback (Christmas Day is a Friday in 2026).
  t.same(run([at('2026-12-25T14:00'), { outcome: 'completed' }]).times[1], '2026-12-28T10:00');
});

t.test('a refused topic is never asked again in the campaign', async (t) => {
  const r = run([
    { outcome: 'partial', refused: ['pricing'] },
    { outcome: 'no-answer' },
    { outcome: 'partial' },
    { outcome: 'completed' },
  ]);
  t.same(
    r.briefs.map((b) => b.topicsToAsk),
    [
      ['hours', 'pricing', 'classes'],
      ['hours', 'classes'],
      ['hours', 'classes'],
      ['hours', 'classes'],
    ],
  );
  t.match(r.final, { state: 'completed', reason: /refused: pricing/ });
  const all = run([{ outcome: 'refused', refused: ['hours', 'pricing', 'classes'] }]);
  t.match(all.final, { state: 'refused' });
});

t.test('wrong number, not a gym, closed, do not call: final at once', async (t) => {
  for (const outcome of ['wrong-number', 'not-a-gym', 'permanently-closed', 'do-not-call'] as const) {
    const r = run([{ outcome }, { outcome: 'completed' }]);
    t.equal(r.times.length, 1, outcome);
    t.match(r.final, { kind: 'final', state: outcome });
  }
});

t.test("a policy's numbers are checked with clear words", async (t) => {
  t.same(policyProblems(DEFAULT_POLICY), []);
  const bad = policyProblems({
    ...DEFAULT_POLICY,
    maxAttempts: 0,
    topics: [],
    window: { ...DEFAULT_POLICY.window, earliest: '25:00', defaultFrom: '18:00' },
    retry: { ...DEFAULT_POLICY.retry, backoff: [-1] },
  });
  t.match(bad, [/maxAttempts/, /topics/, /window.earliest must be HH:MM/, /defaultFrom must be before/, /retry waits/]);
});
