// Issue 16: Twilio's answering-machine verdict reaches the call across replicas. Two "replicas" (a telephony server,
// a PgCallStore and CallEvents each) share one real PostgreSQL; the load balancer's choice is the test's: the
// verdict is posted to one replica while the call's media stream runs on the other. The call hears it exactly once,
// also when the webhook hits the replica running the call (its own notification echoes back), when the stream
// starts after the verdict was recorded elsewhere, and when the listener was down as it was recorded; forged or
// malformed notifications deliver nothing.
import pg from 'pg';
import t from 'tap';
import type { Test } from 'tap';
import { PgCallStore } from '../../src/db/call-store.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { amdRoutes } from '../../src/telephony/amd.js';
import { AMD_EVENT, CALL_EVENTS_CHANNEL, CallEvents } from '../../src/telephony/call-events.js';
import { StreamTokens, streamTokenKey } from '../../src/telephony/stream-token.js';
import { withPostgres } from '../db/helpers/backends.js';
import { waitFor } from '../support/wait.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  postAmd,
  quietLog,
  randomCallSid,
  sleep,
  startServer,
  streamAs,
  type RecordingHandler,
  type TestServer,
} from './helpers.js';

const pgs = await withPostgres(t);
const { url, pool } = pgs?.backend ?? { url: '', pool: undefined };
/** Long enough for a notification to cross the database and be acted on, had it delivered anything. */
const SETTLE_MS = 300;

interface Replica {
  readonly ts: TestServer;
  /** Set: the listener's (re)connections fail, as with the database out of reach. */
  offline: boolean;
  /** Listener connections attempted. */
  connects: number;
}

async function replica(t: Test, name: string): Promise<Replica> {
  if (pool === undefined) throw new Error('no database');
  const store = new PgCallStore(pool, { log: quietLog });
  const r = { offline: false, connects: 0 } as Replica & { ts?: TestServer };
  const events = new CallEvents({
    single: false,
    pool,
    connect: () => {
      r.connects++;
      if (r.offline) throw new Error('database out of reach (test)');
      return new pg.Client({ connectionString: url, application_name: `amd-replica-${name}` });
    },
    retry: { attempts: Infinity, baseMs: 20, maxMs: 100 },
    log: quietLog,
  });
  await events.start();
  const liveCalls = events.liveCalls;
  r.ts = await startServer({
    store,
    capacity: new CallCapacity({ max: 5 }),
    // One Twilio account: every replica verifies every other's stream tokens.
    tokens: new StreamTokens(streamTokenKey(AUTH_TOKEN)),
    liveCalls,
    routes: amdRoutes({ store, liveCalls, accountSid: ACCOUNT_SID, log: quietLog }),
  });
  t.teardown(async () => {
    r.ts?.close();
    await events.close();
  });
  return r as Replica;
}

/** An outbound call admitted on `r` (its record, slot and stream token); its stream is not connected yet. */
async function admitted(r: Replica) {
  const callSid = randomCallSid();
  const callId = `amd-${callSid.slice(2, 14)}`;
  const parameters = await r.ts.admitCall({ callId, direction: 'outbound' }, callSid);
  const form = { AccountSid: ACCOUNT_SID, CallSid: callSid, AnsweredBy: 'machine_end_beep' };
  return { callSid, callId, parameters, form };
}

/** The call's media stream, connected to `r` as Twilio would; resolves with its handler once it runs. */
async function stream(t: Test, r: Replica, call: Awaited<ReturnType<typeof admitted>>): Promise<RecordingHandler> {
  const handler = r.ts.nextHandler();
  const sim = await streamAs(r.ts, call.callSid, call.parameters);
  t.teardown(() => sim.hangUp());
  return handler;
}

/** Replicas A and B, and a call whose media stream runs on B. */
async function callOnB(t: Test) {
  const [a, b] = [await replica(t, 'a'), await replica(t, 'b')];
  const call = await admitted(b);
  return { a, b, call, h: await stream(t, b, call) };
}

/** The call's handler hears `verdict`, and nothing more once notifications had the time to arrive. */
async function deliveredOnce(t: Test, h: RecordingHandler, what: string, verdict = 'machine_end_beep') {
  await waitFor(() => h.amd.length > 0, { timeoutMs: 3000, what });
  await sleep(SETTLE_MS);
  t.same(h.amd, [verdict], `${what}: exactly once`);
}

const notify = (payload: string) => pool?.query('SELECT pg_notify($1, $2)', [CALL_EVENTS_CHANNEL, payload]);

t.test('the verdict posted to replica A reaches the call streaming on replica B, once', async (t) => {
  if (!pgs) return;
  const { a, b, call, h } = await callOnB(t);
  t.equal(await postAmd(a.ts, call.callId, call.form), 204);
  await deliveredOnce(t, h, 'the verdict on B');
  // Twilio retries, a replay, a copy to each replica: recorded once already, so nothing more reaches the call.
  t.same(await Promise.all([postAmd(a.ts, call.callId, call.form), postAmd(b.ts, call.callId, call.form)]), [204, 204]);
  await sleep(SETTLE_MS);
  t.same(h.amd, ['machine_end_beep'], 'nor after the copies');
  t.same(a.ts.handlers, [], 'A runs no stream of it');
});

t.test(
  'the verdict posted to the replica running the call: delivered once, its own notification ignored',
  async (t) => {
    if (!pgs) return;
    const { b, call, h } = await callOnB(t);
    t.equal(await postAmd(b.ts, call.callId, call.form), 204);
    t.same(h.amd, ['machine_end_beep'], 'delivered before the webhook answered: locally, no round trip');
    // The echo of B's own notification, and more copies of it, arrive after the delivery.
    await notify(`${AMD_EVENT}${call.callId}`);
    await notify(`${AMD_EVENT}${call.callId}`);
    await sleep(SETTLE_MS);
    t.same(h.amd, ['machine_end_beep'], 'still exactly once');
  },
);

t.test('a verdict recorded on A before the stream started on B is delivered when it starts', async (t) => {
  if (!pgs) return;
  const [a, b] = [await replica(t, 'a'), await replica(t, 'b')];
  const call = await admitted(b);
  t.equal(await postAmd(a.ts, call.callId, call.form), 204, 'recorded; B has no stream of it to notify yet');
  await sleep(SETTLE_MS);
  await deliveredOnce(t, await stream(t, b, call), 'the verdict when the stream registered');
});

t.test("a verdict recorded while B's listener is disconnected is delivered when it reconnects", async (t) => {
  if (!pgs) return;
  const { a, b, call, h } = await callOnB(t);
  b.offline = true;
  const before = b.connects;
  await pool?.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'amd-replica-b'");
  await waitFor(() => b.connects > before + 1, { timeoutMs: 3000, what: 'B trying to reconnect' });
  t.equal(await postAmd(a.ts, call.callId, call.form), 204);
  await sleep(SETTLE_MS);
  t.same(h.amd, [], 'its notification was lost: B was not listening');
  b.offline = false;
  await deliveredOnce(t, h, 'the catch-up after reconnecting');
});

t.test('forged and malformed notifications deliver nothing, and the listener goes on', async (t) => {
  if (!pgs) return;
  const { a, call, h } = await callOnB(t);
  const other = await admitted(a);
  for (const payload of [
    '',
    'garbage',
    AMD_EVENT,
    `${AMD_EVENT}no-such-call`,
    // Live on B, but no verdict recorded: the read back finds nothing.
    `${AMD_EVENT}${call.callId}`,
    // A verdict-less call of A's; and the call's id in other shapes.
    `${AMD_EVENT}${other.callId}`,
    `AMD:${call.callId}`,
    ` ${AMD_EVENT}${call.callId}`,
    `${AMD_EVENT}${call.callId}\u0001`,
    JSON.stringify({ callId: call.callId }),
    `${AMD_EVENT}${call.callId}${'x'.repeat(7000)}`,
  ])
    await notify(payload);
  await sleep(SETTLE_MS);
  t.same(h.amd, [], 'nothing delivered');
  t.equal(await postAmd(a.ts, call.callId, { ...call.form, AnsweredBy: 'human' }), 204);
  await deliveredOnce(t, h, 'a real verdict after the junk', 'human');
});
