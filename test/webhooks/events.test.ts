// The events come from the code paths the server runs, wired as src/main.ts wires them: a call's end recorded by
// the recorder (through the write queue), Twilio's final status of a call that never streamed (the call store), the
// lease sweep, and the campaign engine finishing a campaign. Each change makes its event once, also when its write
// is repeated; gym.facts.changed only when a gym's current facts change; the payloads carry no staff's words or
// names; WEBHOOK_EVENTS filters; a failing event write never costs a call its end. Then every event goes to a
// receiver that verifies it, each accepted once.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import { campaignStatus, createCampaign } from '../../src/campaigns/store.js';
import { endAllUnended } from '../../src/db/call-leases.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import type { GymFacts } from '../../src/facts/model.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/config.js';
import { WebhookEvents } from '../../src/webhooks/events.js';
import { FakeNetwork } from '../campaigns/network.js';
import { usEngine } from '../campaigns/us-engine.js';
import { captureLogger } from '../db/helpers/capture-log.js';
import { withPglite } from '../db/helpers/backends.js';
import { deliverAll, deliverer, SECRET, SimClock } from './helpers.js';
import { startReceiver } from './receiver.js';

const log = createLogger('silent');
const { backend } = await withPglite(t);
const pool = backend.pool;
const events = new WebhookEvents({ events: new Set(WEBHOOK_EVENT_TYPES), log });
const queue = new WriteQueue(pool, { log });
t.teardown(() => queue.close(5000));
const recorder = new CallRecorder(queue, { log, onCallEnded: events.callEnded });
const store = new PgCallStore(pool, { queue, log, onCallEnded: events.callEnded });

const IRON = '+12025550101';
const HOURS: GymFacts['hours'] = { mon: { opens: '06:00', closes: '22:00' }, sun: { closed: true } };
const MONTHLY = { plan: 'monthly', amountMinor: 4900, currency: 'USD', period: 'month' } as const;

interface Row {
  type: string;
  dedupe_key: string;
  payload: Record<string, unknown>;
}
async function outbox(): Promise<Row[]> {
  return (await pool.query<Row>('SELECT type, dedupe_key, payload FROM webhook_events ORDER BY seq')).rows;
}
const sid = () => `CA${randomBytes(16).toString('hex')}`;

/** A conversation with Iron Temple that the recorder ends, as a session does; the end write's outcome. */
async function conversation(callId: string, facts: GymFacts, rec = recorder): Promise<string> {
  const call = rec.begin({
    callId,
    direction: 'outbound',
    gymName: 'Iron Temple',
    phoneNumber: IRON,
    status: 'in-progress',
  });
  await call.facts(facts);
  await call.refusal({ topic: 'classes', words: 'Ask Mike, our classes change weekly.', website: 'irontemple.com' });
  await call.callback({
    earliestLocal: '2026-12-07T14:00',
    timeZone: 'America/New_York',
    person: 'Mike',
    topics: ['classes'],
    words: 'Call back after two and ask for Mike.',
  });
  return call.ended({ reason: 'facts-complete', outcome: 'completed' });
}

t.test('a call ended by its session: call.completed, and gym.facts.changed when the facts change', async (t) => {
  t.equal(await conversation('call-1', { hours: HOURS, pricing: [MONTHLY], classes: [] }), 'committed');
  const [completed, changed, ...rest] = await outbox();
  t.same(rest, []);
  t.match(completed, {
    type: 'call.completed',
    dedupe_key: 'call.completed:call-1',
    payload: {
      call_id: 'call-1',
      direction: 'outbound',
      campaign_id: null,
      gym: { id: Number, name: 'Iron Temple', phone: IRON },
      status: 'completed',
      outcome: 'completed',
      end_reason: 'facts-complete',
      ended_at: String,
      facts: { hours: { mon: { opens: '06:00', closes: '22:00' }, sun: { closed: true } }, pricing: [{ amount: 49 }] },
      refusals: [{ topic: 'classes', website: 'irontemple.com' }],
      callback: { earliest_local: '2026-12-07T14:00', time_zone: 'America/New_York', topics: ['classes'] },
    },
  });
  t.match(changed, {
    type: 'gym.facts.changed',
    payload: { version: 1, call_id: 'call-1', changed: ['hours', 'pricing'], previous: null, facts: { classes: [] } },
  });
  const text = JSON.stringify(await outbox());
  t.notMatch(text, /Mike|weekly|after two/, "no staff's names or words in any payload");

  // The write queue retries an end whose commit it could not confirm: the same write again adds nothing.
  t.equal(
    await recorder.begin({ callId: 'call-1', direction: 'outbound' }).ended({ reason: 'facts-complete' }),
    'committed',
  );
  t.equal((await outbox()).length, 2, 'a repeated end write adds no event');

  await conversation('call-2', { hours: HOURS, pricing: [MONTHLY], classes: [] });
  t.same(
    (await outbox()).slice(2).map((e) => e.type),
    ['call.completed'],
    'the same facts again: the call, no facts change',
  );
  await conversation('call-3', { hours: {}, pricing: [{ ...MONTHLY, amountMinor: 5900 }], classes: [] });
  const last = (await outbox()).slice(3);
  t.same(
    last.map((e) => e.type),
    ['call.completed', 'gym.facts.changed'],
  );
  t.match(last[1]?.payload, {
    version: 2,
    call_id: 'call-3',
    changed: ['pricing'],
    facts: { pricing: [{ amount: 59 }], hours: { mon: { opens: '06:00' } } },
    previous: { pricing: [{ amount: 49 }] },
  });
});

t.test("Twilio's final status closes a call that never streamed; a streamed one waits for its report", async (t) => {
  const before = (await outbox()).length;
  await store.create({
    callId: 'busy-1',
    direction: 'outbound',
    phoneNumber: '+12025550102',
    gymName: 'Busy Barbell',
    status: 'queued',
    twilioCallSid: sid(),
  });
  await store.update('busy-1', { status: 'busy', endedAt: new Date() });
  const busy = (await outbox()).slice(before);
  t.match(busy, [
    {
      type: 'call.completed',
      payload: { call_id: 'busy-1', status: 'busy', end_reason: null, outcome: null, facts: { pricing: [] } },
    },
  ]);
  t.equal(busy.length, 1, 'no facts event for a call that said nothing');

  const callSid = sid();
  await store.create({
    callId: 'streamed-1',
    direction: 'outbound',
    phoneNumber: IRON,
    gymName: 'Iron Temple',
    status: 'queued',
    twilioCallSid: callSid,
  });
  t.ok(await store.claimStream('streamed-1', callSid, `MZ${randomBytes(16).toString('hex')}`));
  await store.update('streamed-1', { status: 'completed', endedAt: new Date() });
  t.equal((await outbox()).length, before + 1, "Twilio's completed status before the session's report: no event yet");
  t.equal(
    await recorder
      .begin({ callId: 'streamed-1', direction: 'outbound' })
      .ended({ reason: 'caller_hangup', outcome: 'completed' }),
    'committed',
  );
  t.match((await outbox()).slice(before + 1), [
    { type: 'call.completed', payload: { call_id: 'streamed-1', end_reason: 'caller_hangup', outcome: 'completed' } },
  ]);
});

t.test('a call its dead server left live is closed by the lease sweep', async (t) => {
  const before = (await outbox()).length;
  await store.create({ callId: 'lost-1', direction: 'inbound', phoneNumber: IRON, gymName: '', status: 'in-progress' });
  t.equal(await endAllUnended(pool, events.callEnded), 1);
  t.match((await outbox()).slice(before), [
    { type: 'call.completed', payload: { call_id: 'lost-1', direction: 'inbound', end_reason: 'server_restarted' } },
  ]);
});

t.test('the campaign engine finishing a campaign: one campaign.completed', async (t) => {
  const gym = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('Campaign Gym', '+12025550199', 'America/New_York') RETURNING id",
  );
  // Monday 7 December 2026, 11:00 in New York: inside the default window.
  let now = new Date('2026-12-07T16:00:00Z');
  const capacity = new CallCapacity({ max: 4 });
  const network = new FakeNetwork(new Map([['+12025550199', ['busy', 'completed']]]));
  const engine = usEngine({
    pool,
    store: new PgCallStore(pool, { log }),
    network,
    capacity,
    now: () => now,
    log,
    onCampaignsDone: events.campaignsCompleted,
  });
  await engine.start();
  const made = await createCampaign(pool, {
    name: 'webhooks',
    policy: DEFAULT_POLICY,
    gymIds: [Number(gym.rows[0]?.id)],
    now,
  });
  for (let step = 0; step < 200; step++) {
    await engine.tick();
    await engine.idle();
    now = new Date(now.getTime() + 5 * 60_000);
    await network.endAll(pool, (id) => capacity.release(id, 'caller_hangup'));
    const st = await campaignStatus(pool, made.id);
    if (st?.status === 'done') break;
    if (network.live.size === 0 && st?.nextAt && st.nextAt > now) now = st.nextAt;
  }
  await engine.tick(); // after done: nothing more
  await engine.stop();
  const done = (await outbox()).filter((e) => e.type === 'campaign.completed');
  t.match(done, [
    {
      dedupe_key: `campaign.completed:${made.id}`,
      payload: {
        campaign_id: made.id,
        name: 'webhooks',
        gyms: 1,
        states: { done: 1 },
        final_states: { completed: 1 },
        dials: 2,
      },
    },
  ]);
});

t.test(
  'a front-desk message: one message.taken with the caller’s message, also when its write is repeated',
  async (t) => {
    const rec = new CallRecorder(queue, { log, onMessageTaken: events.messageTaken });
    const gym = await pool.query<{ id: string }>('INSERT INTO gyms (name, phone) VALUES ($1, $2) RETURNING id', [
      'Desk Gym',
      '+12025550177',
    ]);
    const gymId = Number(gym.rows[0]?.id);
    const call = rec.begin({
      callId: 'desk-msg-1',
      direction: 'inbound',
      phoneNumber: '+12025550188',
      gymId,
      mode: 'front-desk',
    });
    await call.created;
    const message = { name: 'Maria Lopez', callbackNumber: '+12025550188', reason: 'freezing my membership' };
    const at = new Date('2026-12-09T15:12:39.871Z');
    t.equal(await call.message(message, at), 'committed');
    t.equal(await call.message(message, at), 'committed');
    const taken = (await outbox()).filter((e) => e.type === 'message.taken');
    t.equal(taken.length, 1);
    t.match(taken[0]?.payload, {
      call_id: 'desk-msg-1',
      gym: { id: gymId, name: 'Desk Gym', phone: '+12025550177' },
      name: 'Maria Lopez',
      callback_number: '+12025550188',
      reason: 'freezing my membership',
      taken_at: '2026-12-09T15:12:39.871Z',
    });
  },
);

t.test('WEBHOOK_EVENTS filters what is written', async (t) => {
  const only = new WebhookEvents({ events: new Set(['campaign.completed'] as const), log });
  const before = (await outbox()).length;
  await conversation(
    'filtered-1',
    { hours: { tue: { open24h: true } }, pricing: [], classes: [] },
    new CallRecorder(queue, { log, onCallEnded: only.callEnded }),
  );
  t.equal((await outbox()).length, before, 'neither call.completed nor gym.facts.changed');
});

t.test('an event that cannot be written never costs the call its end', async (t) => {
  const { log: captured, lines } = captureLogger();
  const failing = new WebhookEvents({ events: new Set(WEBHOOK_EVENT_TYPES), log: captured });
  await pool.query("ALTER TABLE webhook_events ADD CONSTRAINT test_refuse CHECK (type <> 'call.completed') NOT VALID");
  t.teardown(() => pool.query('ALTER TABLE webhook_events DROP CONSTRAINT test_refuse'));
  const before = (await outbox()).length;
  const ended = await conversation(
    'unlucky-1',
    { hours: { wed: { closed: true } }, pricing: [], classes: [] },
    new CallRecorder(queue, { log, onCallEnded: failing.callEnded }),
  );
  t.equal(ended, 'committed');
  const call = await pool.query('SELECT end_reason FROM calls WHERE id = $1', ['unlucky-1']);
  t.equal(call.rows[0]?.end_reason, 'facts-complete', 'the end is recorded');
  t.equal((await outbox()).length, before, 'without its events');
  t.match(lines, [{ level: 50, msg: 'webhook event not recorded', what: 'call' }]);
});

t.test('every event reaches a verifying receiver once', async (t) => {
  const clock = new SimClock();
  const receiver = await startReceiver({ secret: SECRET, now: () => clock.ms });
  t.teardown(() => receiver.close());
  const d = deliverer(pool, receiver.url, clock);
  t.teardown(() => d.stop());
  await deliverAll(pool, [d], clock);
  const rows = await pool.query<{ id: string; type: string }>('SELECT id, type FROM webhook_events ORDER BY seq');
  t.same(receiver.rejected, []);
  const accepted = receiver.accepted();
  t.ok(
    rows.rows.every((r) => accepted.get(r.id) === 1),
    `${rows.rows.length} events, each accepted once`,
  );
  const types = new Set(receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type));
  t.same([...types].sort(), [...WEBHOOK_EVENT_TYPES].sort(), 'all three types');
});
