// Webhooks through the real start-up (startServer with WEBHOOK_URL and WEBHOOK_SECRET, the embedded database, the
// fake Twilio): a call placed with POST /v1/calls to a busy line ends with Twilio's status callback, its
// call.completed reaches the receiver signed, on the server's own deliverer; the event and the (empty) dead-letter
// list are in the API; the attempt is counted in /metrics.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { createLogger } from '../../src/log.js';
import { scratchDir } from '../db/helpers/postgres.js';
import { seedDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';
import { SECRET } from './helpers.js';
import { startReceiver } from './receiver.js';

const BUSY = '+12025550142';

t.test("a busy line's call.completed, sent by the server's deliverer", async (t) => {
  const dir = await mkdtemp(join(scratchDir(), 'gca-webhooks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await seedDatabase(dir);
  const receiver = await startReceiver({ secret: SECRET, now: () => Date.now() });
  t.teardown(() => receiver.close());
  const env = await DemoEnvironment.start({
    dataDir: dir,
    log: createLogger('silent'),
    env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'call.completed' },
    unanswered: (to) => (to === BUSY ? 'busy' : undefined),
  });
  t.teardown(() => env.close());
  const callId = await env.placeCall(BUSY, 'Busy Barbell');
  await waitFor(() => receiver.accepted().size === 1, { timeoutMs: 20_000, what: 'the webhook' });

  t.same(receiver.rejected, [], 'signed with WEBHOOK_SECRET');
  const [req] = receiver.requests;
  t.match(JSON.parse(req?.body ?? '{}'), {
    type: 'call.completed',
    data: { call_id: callId, status: 'busy', gym: { name: 'Busy Barbell', phone: BUSY } },
  });
  const api = (path: string) =>
    fetch(`${env.baseUrl}${path}`, { headers: { authorization: `Bearer ${env.apiToken}` } }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));
  const event = await api(`/v1/webhooks/events/${req?.id}`);
  t.match(JSON.parse(event.text), { state: 'delivered', attempts: 1, history: [{ result: 'delivered', status: 200 }] });
  t.same(JSON.parse((await api('/v1/webhooks/dead-letters')).text), { dead_letters: [], next: null });
  t.match(
    (await api('/metrics')).text,
    /gym_agent_webhook_attempts_total\{type="call.completed",result="delivered"\} 1/,
  );
});
