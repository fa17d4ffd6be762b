// Two replicas' deliverers on one database (a real PostgreSQL server, and PGlite), ticking at the same moments so
// their claims race: no event is ever being sent by both at once (the receiver sees no two requests with one
// webhook-id in progress together), each is accepted exactly once, and both replicas did part of the work.
import t from 'tap';
import { backends } from '../db/helpers/backends.js';
import { addEvent, deliverAll, deliverer, SECRET, SimClock } from './helpers.js';
import { startReceiver } from './receiver.js';

for (const backend of await backends(t)) {
  t.test(`two deliverers on ${backend.name}`, async (t) => {
    const pool = backend.pool;
    const clock = new SimClock();
    // Slow answers keep requests in progress while the other replica claims; every third event fails once first.
    const receiver = await startReceiver({
      secret: SECRET,
      now: () => clock.ms,
      delayMs: 20,
      respond: (r, nth) => (nth === 1 && r.body.includes('"fail-once"') ? { status: 503 } : { status: 200 }),
    });
    t.teardown(() => receiver.close());
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await addEvent(pool, i % 3 === 0 ? 'fail-once' : `event-${i}`));
    const sent = { a: 0, b: 0 };
    const counting = (n: 'a' | 'b') => (url: string | URL | Request, init?: RequestInit) => {
      sent[n]++;
      return fetch(url, init);
    };
    const a = deliverer(pool, receiver.url, clock, { concurrency: 3, fetch: counting('a') });
    const b = deliverer(pool, receiver.url, clock, { concurrency: 3, fetch: counting('b') });
    t.teardown(() => Promise.all([a.stop(), b.stop()]));
    await deliverAll(pool, [a, b], clock);

    t.same(receiver.overlaps, [], 'never two requests of one event in progress at once');
    t.same(receiver.rejected, [], 'every signature verified');
    const accepted = receiver.accepted();
    t.ok(
      ids.every((id) => accepted.get(id) === 1),
      'each event accepted exactly once',
    );
    t.equal(receiver.requests.length, 40, '30 events, 10 of them twice');
    t.ok(sent.a > 0 && sent.b > 0, `both replicas sent (${sent.a} and ${sent.b})`);
    const left = await pool.query("SELECT count(*)::int AS n FROM webhook_events WHERE state <> 'delivered'");
    t.equal(left.rows[0]?.n, 0);
  });
}
