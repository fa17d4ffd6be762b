import t from 'tap';
import { PgCallStore } from '../../src/db/call-store.js';
import { createCall, endCall, getCall, recordStatus } from '../../src/db/repositories/calls.js';
import { getTurns, insertTurn } from '../../src/db/repositories/turns.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import type { HttpRequest } from '../../src/http/types.js';
import { signRequest } from '../../src/telephony/signature.js';
import { StreamTokens, streamTokenKey } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { withPglite } from '../db/helpers/backends.js';
import { waitFor } from '../support/wait.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_BASE,
  quietLog,
  randomCallSid,
  sleep,
  startServer,
  streamAs,
  webhookCall,
  type TestServer,
} from './helpers.js';

// Issue 14, security 10 and 11 (and the "finished calls are never rewritten" half of 1), on the real database:
// a replayed webhook cannot reopen a finished call, its transcript cannot be rewritten, and two replicas on one
// database run, count and end each call once.

const { backend } = await withPglite(t);
const tokens = () => new StreamTokens(streamTokenKey(AUTH_TOKEN));

interface Replica {
  ts: TestServer;
  store: PgCallStore;
  metrics: Metrics;
  capacity: CallCapacity;
}

async function replica(unclaimedTimeoutMs = 30_000): Promise<Replica> {
  const store = new PgCallStore(backend.pool, { log: quietLog });
  const metrics = createMetrics({ processMetrics: false });
  const capacity = new CallCapacity({
    max: 5,
    metrics,
    unclaimedTimeoutMs,
    settleWithoutStream: (id) => store.settleWithoutStream(id),
  });
  const streamTokens = tokens();
  const routes = twilioRoutes({ store, admission: capacity, publicBaseUrl: PUBLIC_BASE, streamTokens, log: quietLog });
  const ts = await startServer({ routes, tokens: streamTokens, store, capacity });
  t.teardown(() => {
    ts.close();
    metrics.close();
  });
  return { ts, store, metrics, capacity };
}

/** The voice webhook on `r`; the <Parameter>s Twilio would send in the stream's start. */
const admit = async (r: Replica, callSid: string) => (await webhookCall(r.ts, callSid)).parameters;
const connect = (r: Replica, callSid: string, parameters: Record<string, string>) =>
  streamAs(r.ts, callSid, parameters);

async function counts(m: Metrics): Promise<{ started: number; ended: Record<string, number> }> {
  const { body } = await m.render();
  let started = 0;
  const ended: Record<string, number> = {};
  for (const [, v] of body.matchAll(/^gym_agent_calls_started_total\{[^}]*\} (\d+)$/gm)) started += Number(v);
  for (const [, reason, v] of body.matchAll(/^gym_agent_calls_ended_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)$/gm))
    ended[reason ?? ''] = (ended[reason ?? ''] ?? 0) + Number(v);
  return { started, ended };
}

t.test('a replayed voice or status webhook never moves a completed call back', async (t) => {
  const r = await replica();
  const callSid = randomCallSid();
  const voiceParams = { AccountSid: ACCOUNT_SID, CallSid: callSid, From: '+15551230000', Direction: 'inbound' };
  await admit(r, callSid);
  const rec = await r.store.findBySid(callSid);
  const callId = rec?.callId ?? '';
  const post = (path: string, params: Record<string, string>): HttpRequest => ({
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'x-twilio-signature': signRequest(AUTH_TOKEN, `${PUBLIC_BASE}${path}`, params) },
    body: Buffer.from(new URLSearchParams(params).toString()),
    remoteIp: '127.0.0.1',
  });
  const routes = twilioRoutes({
    store: r.store,
    admission: r.capacity,
    publicBaseUrl: PUBLIC_BASE,
    streamTokens: tokens(),
    log: quietLog,
  });
  const [voice, status] = routes;
  await status?.handler(post('/twilio/status', { ...voiceParams, CallStatus: 'completed' }), {});
  t.equal((await r.store.get(callId))?.status, 'completed');

  const replayed = await voice?.handler(post('/twilio/voice', voiceParams), {});
  t.match(replayed?.body, /<Hangup\/>/, 'the replayed voice webhook hangs up');
  t.notMatch(replayed?.body, /<Stream/, 'and opens no stream');
  await status?.handler(post('/twilio/status', { ...voiceParams, CallStatus: 'in-progress' }), {});
  t.equal((await r.store.get(callId))?.status, 'completed', 'replays through the webhooks: still completed');

  // The same writes without the webhooks' checks: the database itself keeps a final status final.
  await r.store.update(callId, { status: 'in-progress', endedAt: null });
  await recordStatus(backend.pool, { callId, status: 'in-progress', at: new Date(Date.now() + 60_000) });
  await createCall(backend.pool, {
    callId,
    direction: 'inbound',
    status: 'in-progress',
    at: new Date(Date.now() + 60_000),
  });
  const row = await getCall(backend.pool, callId);
  t.equal(row?.status, 'completed', 'store update, recorder status and re-create: still completed');
  t.ok(row?.ended_at, 'and still ended');
});

t.test('a finished call’s transcript is never rewritten', async (t) => {
  const callId = 'turns-after-end';
  await createCall(backend.pool, { callId, direction: 'inbound', status: 'in-progress', at: new Date() });
  const turn = (seq: number, text: string) =>
    insertTurn(backend.pool, { callId, seq, speaker: 'caller', text, endedAt: new Date() });
  await turn(0, 'we open at six');
  await turn(0, 'we open at six a.m.'); // a retry of the live call's own write rewrites the same row
  await endCall(backend.pool, { callId, reason: 'goodbye', at: new Date() });
  await turn(0, 'overwritten by an attacker');
  await turn(1, 'appended after the end');
  t.same(
    (await getTurns(backend.pool, callId)).map((x) => [x.seq, x.text]),
    [[0, 'we open at six a.m.']],
    'after the end: no overwrite, no new turn',
  );
});

t.test('two replicas on one database: one stream, one start, one end', async (t) => {
  const a = await replica(300);
  const b = await replica(300);
  const callSid = randomCallSid();
  const parameters = await admit(a, callSid); // Twilio's webhook reached replica A...
  const sim = await connect(b, callSid, parameters); // ...and its stream replica B
  const h = await b.ts.nextHandler();
  t.equal(h.start.callSid, callSid, 'B runs the call');
  const second = await connect(a, callSid, parameters);
  t.equal((await second.closed).code, 1008, 'a second stream for the live call is refused on the other replica');
  await sleep(500); // A's wait for the stream ran out while B owns it
  await sim.hangUp();
  await h.endedP;
  await waitFor(() => b.capacity.active === 0 && a.capacity.active === 0, {
    timeoutMs: 3000,
    what: 'slots freed on both',
  });
  await sleep(50); // A's settle (lost) has resolved
  t.same(await counts(a.metrics), { started: 0, ended: {} }, 'A counted nothing: the call was not its stream');
  t.same(await counts(b.metrics), { started: 1, ended: { stop: 1 } }, 'B counted it started and ended once');

  const ghostSid = randomCallSid();
  const ghost = await admit(a, ghostSid); // admitted, but its stream never comes in time
  await waitFor(() => a.capacity.active === 0, { timeoutMs: 3000, what: 'A released the ghost' });
  await sleep(50);
  t.same(await counts(a.metrics), { started: 1, ended: { stream_never_connected: 1 } }, 'A settled the ghost');
  const late = await connect(b, ghostSid, ghost);
  t.equal((await late.closed).code, 1008, 'its late stream is refused on B: the call was settled without one');
  t.same(await counts(b.metrics), { started: 1, ended: { stop: 1 } }, 'and B counted nothing for it');
});
