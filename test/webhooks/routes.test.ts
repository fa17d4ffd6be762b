// The dead letters through the API, with the token, as an operator sees them: listed newest first a page at a time
// by key (every one once, `next` null on the last page), one event with every attempt, and a retry that sends it
// again under the same webhook-id once the receiver is fixed, accepted exactly once. Bad ids, a retry of an event
// that is not dead, an unknown parameter and a missing token are refused.
import t from 'tap';
import { LoginThrottle } from '../../src/http/auth.js';
import { Dispatcher } from '../../src/http/dispatch.js';
import { RequestPolicy } from '../../src/http/request-policy.js';
import { createLogger } from '../../src/log.js';
import { webhookRoutes } from '../../src/webhooks/routes.js';
import { withPglite } from '../db/helpers/backends.js';
import { addEvent, deliverAll, deliverer, SECRET, SimClock, stateOf } from './helpers.js';
import { startReceiver } from './receiver.js';

const TOKEN = 'webhook-routes-token-0123456789abcdef';
const { backend } = await withPglite(t);
const pool = backend.pool;
const dispatcher = new Dispatcher({
  routes: webhookRoutes({ pool, log: createLogger('silent') }),
  apiToken: TOKEN,
  policy: new RequestPolicy({}),
  logins: new LoginThrottle({ trustedHops: 0 }),
  log: createLogger('silent'),
});

async function call(method: 'GET' | 'POST', pathAndQuery: string, token: string | null = TOKEN) {
  const u = new URL(pathAndQuery, 'http://localhost');
  const res = await dispatcher.handle({
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: {
      host: 'localhost',
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: Buffer.alloc(0),
    remoteIp: '127.0.0.1',
  });
  return { status: res.status, json: JSON.parse(String(res.body)) as Record<string, unknown> };
}

t.test('dead letters are listed, inspected and retried through the API', async (t) => {
  const clock = new SimClock();
  const fixed = new Set<string>();
  const receiver = await startReceiver({
    secret: SECRET,
    now: () => clock.ms,
    // Refuses everything (400: dead at once) until the test "fixes" it, or keeps failing (500) for `down`.
    respond: (r) => (fixed.has(r.id) ? { status: 200 } : { status: r.body.includes('"down"') ? 500 : 400 }),
  });
  t.teardown(() => receiver.close());
  const ids: string[] = [];
  for (const name of ['a', 'b', 'c', 'down']) ids.push(await addEvent(pool, name));
  const delivered = await addEvent(pool, 'ok');
  fixed.add(delivered);
  const d = deliverer(pool, receiver.url, clock, { maxAttempts: 3 });
  t.teardown(() => d.stop());
  await deliverAll(pool, [d], clock);

  // Every dead letter once across pages of one, newest first.
  const seen: string[] = [];
  let next: string | null = '/v1/webhooks/dead-letters?limit=1';
  let pages = 0;
  while (next !== null && pages++ < 10) {
    const page = await call('GET', next);
    t.equal(page.status, 200, next);
    const items = page.json.dead_letters as { id: string; attempts: number; last_status: number }[];
    t.equal(items.length, 1);
    seen.push(...items.map((i) => i.id));
    next = page.json.next as string | null;
  }
  t.same(seen, [...ids].reverse(), 'each dead letter once, newest first; the delivered event is not one');

  const down = await call('GET', `/v1/webhooks/events/${ids[3]}`);
  t.match(down.json, {
    id: ids[3],
    type: 'call.completed',
    state: 'dead',
    attempts: 3,
    last_status: 500,
    data: { name: 'down' },
    history: [
      { status: 500, result: 'retry' },
      { status: 500, result: 'retry' },
      { status: 500, result: 'dead', error: 'HTTP 500' },
    ],
  });

  const retried = ids[0] as string;
  fixed.add(retried);
  const r = await call('POST', `/v1/webhooks/dead-letters/${retried}/retry`);
  t.equal(r.status, 202);
  t.match(r.json, { id: retried, state: 'pending', attempts: 0 });
  await deliverAll(pool, [d], clock);
  t.same(await stateOf(pool, retried), { state: 'delivered', attempts: 1 });
  t.equal(receiver.accepted().get(retried), 1, 'the retried event is accepted once, under its id');
  t.same(
    receiver
      .byId()
      .get(retried)
      ?.map((x) => x.answer),
    [400, 200],
    'the refused request, then the retried one',
  );
  t.same(receiver.rejected, [], 'every request verified');

  t.equal((await call('POST', `/v1/webhooks/dead-letters/${retried}/retry`)).status, 409, 'not a dead letter now');
  t.equal((await call('POST', `/v1/webhooks/dead-letters/${delivered}/retry`)).status, 409, 'delivered: no retry');
  t.equal((await call('POST', '/v1/webhooks/dead-letters/00000000-0000-4000-8000-000000000000/retry')).status, 404);
  t.equal((await call('POST', '/v1/webhooks/dead-letters/not-a-uuid/retry')).status, 404);
  t.equal((await call('GET', '/v1/webhooks/events/not-a-uuid')).status, 404);
  t.equal((await call('GET', '/v1/webhooks/dead-letters?offset=1')).status, 400, 'pages by key only');
  t.equal((await call('GET', '/v1/webhooks/dead-letters', null)).status, 401, 'the API token is required');
  t.equal((await call('GET', '/v1/webhooks/dead-letters')).json.next, null);
});
