// Webhook delivery (issue 18 item 4) against a receiver that verifies every signature with its own code and fails
// on purpose: 500s, a hang past the timeout, a 429 and a 503 with Retry-After (seconds and an HTTP date), a reset
// connection. Each event is accepted exactly once, any repeat is the same event (same id, same bytes) re-sent
// after a failure, in the order of its retries and no sooner than the backoff or Retry-After allows; a 4xx, a
// redirect or the last attempt make a dead letter. On a simulated clock: a day of retries runs in a second.
import t from 'tap';
import { claimEvents, settleAttempt } from '../../src/webhooks/outbox.js';
import { WEBHOOK_BACKOFF } from '../../src/webhooks/deliver.js';
import { withPglite } from '../db/helpers/backends.js';
import { addEvent, deliverAll, deliverer, SECRET, SimClock, stateOf } from './helpers.js';
import { startReceiver, type Action } from './receiver.js';

const { backend } = await withPglite(t);
const pool = backend.pool;
const S = 1000;

/** What the receiver answers each event's n-th request; the last entry repeats. */
const SCRIPTS: Record<string, (now: number) => Action[]> = {
  flaky: () => [{ status: 500 }, { status: 502 }, { status: 200 }],
  hang: () => ['hang', { status: 204 }],
  'slow-down': () => [{ status: 429, headers: { 'retry-after': '120' } }, { status: 200 }],
  'busy-until': (now) => [
    { status: 503, headers: { 'retry-after': new Date(now + 600 * S).toUTCString() } },
    { status: 200 },
  ],
  reset: () => ['reset', { status: 200 }],
  fine: () => [{ status: 200 }],
  gone: () => [{ status: 410 }],
  refuses: () => [{ status: 400 }],
  redirect: () => [{ status: 302, headers: { location: 'http://127.0.0.1:1/' } }],
  broken: () => [{ status: 500 }],
};

/** The receiver's script, keyed by the event's `data.name`; `fixed` events are accepted from now on. */
function scripted(clock: SimClock, fixed: Set<string>) {
  return (r: { body: string }, nth: number): Action => {
    const name = (JSON.parse(r.body) as { data: { name: string } }).data.name;
    if (fixed.has(name)) return { status: 200 };
    const script = SCRIPTS[name]?.(clock.ms) ?? [{ status: 200 }];
    return script[Math.min(nth, script.length) - 1] as Action;
  };
}

t.test('each event is accepted exactly once after injected failures, every signature verified', async (t) => {
  const clock = new SimClock();
  const fixed = new Set<string>();
  const receiver = await startReceiver({ secret: SECRET, now: () => clock.ms, respond: scripted(clock, fixed) });
  t.teardown(() => receiver.close());
  const ids = new Map<string, string>();
  for (const name of Object.keys(SCRIPTS)) ids.set(name, await addEvent(pool, name));
  // A short real-time timeout for the hang; four attempts before a dead letter.
  const d = deliverer(pool, receiver.url, clock, { timeoutMs: 400, maxAttempts: 4 });
  t.teardown(() => d.stop());
  await deliverAll(pool, [d], clock);

  t.equal(receiver.requests.length > Object.keys(SCRIPTS).length, true, 'failures were retried');
  t.same(receiver.rejected, [], 'every request carried a valid signature and a current timestamp');
  const accepted = receiver.accepted();
  const byId = receiver.byId();
  for (const [name, id] of ids) {
    const reqs = byId.get(id) ?? [];
    t.ok(
      reqs.every((r) => r.body === reqs[0]?.body && r.id === id),
      `${name}: every request is the same event`,
    );
    const dead = ['gone', 'refuses', 'redirect', 'broken'].includes(name);
    t.equal(accepted.get(id) ?? 0, dead ? 0 : 1, `${name}: accepted ${dead ? 'never' : 'exactly once'}`);
    t.equal((await stateOf(pool, id))?.state, dead ? 'dead' : 'delivered', `${name}: ${dead ? 'dead' : 'delivered'}`);
    // The requests came in the order of the script: each failure, then (for the others) the acceptance.
    const expected = SCRIPTS[name]?.(0).map((a) => (typeof a === 'string' ? a : a.status)) ?? [];
    const answers = reqs.map((r) => r.answer);
    t.same(answers, name === 'broken' ? [500, 500, 500, 500] : expected, `${name}: answered ${answers.join(', ')}`);
  }
  const body = JSON.parse(byId.get(ids.get('fine') as string)?.[0]?.body ?? '{}') as Record<string, unknown>;
  t.match(body, { type: 'call.completed', timestamp: String, data: { name: 'fine' } }, 'Standard Webhooks body');

  const gaps = (name: string) => {
    const at = (byId.get(ids.get(name) as string) ?? []).map((r) => r.at);
    return at.slice(1).map((x, i) => x - (at[i] as number));
  };
  // Equal jitter: each wait is between half and all of its cap (30 s, then four times more).
  const [g1, g2] = gaps('flaky');
  t.ok(g1 !== undefined && g1 >= 15 * S && g1 <= 30 * S, `first retry after ${g1} ms (15-30 s)`);
  t.ok(g2 !== undefined && g2 >= 60 * S && g2 <= 120 * S, `second retry after ${g2} ms (60-120 s)`);
  t.ok((gaps('slow-down')[0] ?? 0) >= 120 * S, 'a 429 waits at least its Retry-After seconds');
  t.ok((gaps('busy-until')[0] ?? 0) >= 599 * S, 'a 503 waits until its Retry-After date');
  t.ok(
    gaps('broken').every((g, i) => g >= (WEBHOOK_BACKOFF.baseMs * WEBHOOK_BACKOFF.factor ** i) / 2),
    'a failing receiver is retried further and further apart',
  );

  const history = await pool.query<{ name: string; error: string | null; status: number | null }>(
    `SELECT e.payload->>'name' AS name, a.error, a.status FROM webhook_attempts a
       JOIN webhook_events e ON e.seq = a.event_seq WHERE a.result <> 'delivered' ORDER BY a.id`,
  );
  const errorOf = (name: string) => history.rows.find((r) => r.name === name);
  t.match(errorOf('hang'), { status: null, error: /timed out/ }, 'a hang is a timeout');
  t.match(errorOf('reset'), { status: null, error: /connection/ }, 'a reset is a connection failure');
  t.match(errorOf('redirect'), { status: 302, error: /redirects are not followed/ });
  t.equal((await stateOf(pool, ids.get('refuses') as string))?.attempts, 1, 'a 4xx is dead at once');
  t.equal((await stateOf(pool, ids.get('broken') as string))?.attempts, 4, 'a 5xx is dead after the last attempt');
});

t.test(
  'a replica killed mid-send: its lease lapses, another sends the event, the late result is ignored',
  async (t) => {
    const clock = new SimClock();
    const receiver = await startReceiver({ secret: SECRET, now: () => clock.ms });
    t.teardown(() => receiver.close());
    const id = await addEvent(pool, 'orphan');
    const [orphan] = await claimEvents(pool, { owner: 'killed-replica', now: clock.now(), leaseMs: 45 * S, limit: 10 });
    t.equal(orphan?.id, id, 'the killed replica had claimed it');
    const d = deliverer(pool, receiver.url, clock);
    t.teardown(() => d.stop());
    t.equal(await d.tick(), 0, 'not taken while its lease holds');
    clock.ms += 46 * S;
    t.equal(await d.tick(), 1, 'taken once the lease has lapsed');
    await d.idle();
    t.equal(receiver.accepted().get(id), 1);
    t.same(await stateOf(pool, id), { state: 'delivered', attempts: 2 }, 'the cut-short attempt counts');
    const late = await settleAttempt(pool, orphan as NonNullable<typeof orphan>, 'killed-replica', {
      startedAt: clock.now(),
      endedAt: clock.now(),
      status: 500,
      result: 'retry',
      error: 'HTTP 500',
      nextAt: clock.now(),
    });
    t.equal(late, false, 'the killed replica cannot record its attempt any more');
    t.equal((await stateOf(pool, id))?.state, 'delivered');
  },
);
