// Asynchronous answering-machine detection (AMD=async): the exact create request, the verdict webhook checked
// like the voice webhook and bound to a live call of ours, delivered once to the call's handler even when two
// replicas receive it, and end to end through the fake Twilio.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { CallCapacity } from '../../src/ops/capacity.js';
import { amdRoutes } from '../../src/telephony/amd.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { callsRoutes } from '../../src/telephony/calls-api.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import { LiveCalls } from '../../src/telephony/live-calls.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { TwilioRest } from '../../src/telephony/twilio-rest.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { FakeTwilio } from '../../src/sim/fake-twilio.js';
import { waitFor } from '../support/wait.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_BASE,
  PUBLIC_WS,
  connectSim,
  dsp,
  postAmd,
  quietLog,
  randomCallSid,
  startServer,
} from './helpers.js';

const API_TOKEN = 'api-secret-0123456789abcdef-0123456789';
const GYM = '+12015550123';

async function replica(t: Test, store: MemoryCallStore) {
  const liveCalls = new LiveCalls();
  const capacity = new CallCapacity({ max: 5 });
  const ts = await startServer({
    store,
    capacity,
    liveCalls,
    routes: amdRoutes({ store, liveCalls, accountSid: ACCOUNT_SID, log: quietLog }),
  });
  t.teardown(() => ts.close());
  return ts;
}

t.test('the verdict webhook: signed, bound to a live call of ours, one of Twilio values, delivered once', async (t) => {
  const store = new MemoryCallStore();
  const a = await replica(t, store);
  const b = await replica(t, store);
  const callSid = randomCallSid();
  const callId = 'call-amd-1';
  await connectSim(a, { callSid, customParameters: { callId, direction: 'outbound' } });
  const h = await a.nextHandler();
  const form = {
    AccountSid: ACCOUNT_SID,
    CallSid: callSid,
    AnsweredBy: 'machine_end_beep',
    MachineDetectionDuration: '4100',
  };

  t.equal(await postAmd(a, callId, form, 'forged'), 403, 'a bad signature is refused before anything');
  t.equal(await postAmd(a, callId, { ...form, AnsweredBy: 'robot' }), 400, 'unknown AnsweredBy: 400');
  t.equal(await postAmd(a, callId, { ...form, CallSid: 'nope' }), 400, 'malformed CallSid: 400');
  t.equal(await postAmd(a, callId, { ...form, CallSid: randomCallSid() }), 204, 'another call: ignored');
  t.equal(await postAmd(a, 'no-such-call', form), 204, 'unknown call: ignored');
  t.equal(await postAmd(a, callId, { ...form, AccountSid: 'AC' + 'b'.repeat(32) }), 204, 'another account: ignored');
  t.same(h.amd, [], 'none of those reached the call');

  // Twilio's copy reaches both replicas (a retry, a replay): the store lets exactly one record and deliver it.
  const statuses = await Promise.all([postAmd(b, callId, form), postAmd(a, callId, form)]);
  t.same(statuses, [204, 204]);
  await waitFor(() => h.amd.length === 1, { timeoutMs: 2000, what: 'AMD delivered' });
  await new Promise((r) => setTimeout(r, 100));
  t.same(h.amd, ['machine_end_beep'], 'delivered exactly once');
  t.equal((await store.get(callId))?.answeredBy, 'machine_end_beep', 'and stored on the call');
  t.equal(await postAmd(a, callId, { ...form, AnsweredBy: 'human' }), 204);
  t.same(h.amd, ['machine_end_beep'], 'a later, different verdict is not delivered');
});

t.test('a verdict that arrives before the stream is handed over when the stream starts', async (t) => {
  const store = new MemoryCallStore();
  const a = await replica(t, store);
  const callSid = randomCallSid();
  await store.create({
    callId: 'early',
    direction: 'outbound',
    phoneNumber: GYM,
    gymName: 'Iron Temple',
    status: 'in-progress',
    twilioCallSid: callSid,
  });
  const form = { AccountSid: ACCOUNT_SID, CallSid: callSid, AnsweredBy: 'human' };
  t.equal(await postAmd(a, 'early', form), 204);
  a.capacity.tryAdmit('early', 'outbound');
  const params = { callId: 'early', direction: 'outbound' };
  const token = a.tokens.mint({ callSid, accountSid: ACCOUNT_SID, parameters: params });
  const { SimulatedStream } = await import('../../src/sim/media-client.js');
  const sim = await SimulatedStream.connect({
    url: a.localWs,
    signedUrl: PUBLIC_WS,
    authToken: AUTH_TOKEN,
    dsp,
    customParameters: { ...params, streamToken: token },
    callSid,
    accountSid: ACCOUNT_SID,
  });
  const h = await a.nextHandler();
  await waitFor(() => h.amd.length === 1, { timeoutMs: 2000, what: 'early verdict' });
  t.same(h.amd, ['human']);
  await sim.hangUp();
});

t.test('AMD=async end to end: the exact create request, then the verdict reaches the call', async (t) => {
  const store = new MemoryCallStore();
  const capacity = new CallCapacity({ max: 5 });
  const tokens = new StreamTokens(randomBytes(32));
  const liveCalls = new LiveCalls();
  const fake = new FakeTwilio({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    dsp,
    speed: 2,
    answeredBy: 'machine_end_silence',
    amdDelayMs: 50,
    connectUrl: (u) => (u === PUBLIC_WS ? ts.localWs : u),
  });
  const fakeUrl = await fake.listen();
  const rest = new TwilioRest({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    fromNumber: '+15550000000',
    publicBaseUrl: PUBLIC_BASE,
    apiBaseUrl: fakeUrl,
    amd: 'async',
    log: quietLog,
  });
  const routes = [
    ...twilioRoutes({ store, admission: capacity, publicBaseUrl: PUBLIC_BASE, streamTokens: tokens, log: quietLog }),
    ...amdRoutes({ store, liveCalls, accountSid: ACCOUNT_SID, log: quietLog }),
    ...callsRoutes({
      store,
      placer: rest,
      admission: capacity,
      destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
      log: quietLog,
    }),
  ];
  const ts = await startServer({ routes, apiToken: API_TOKEN, tokens, store, capacity, liveCalls });
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    realFetch(typeof input === 'string' ? input.replace(PUBLIC_BASE, `http://127.0.0.1:${ts.port}`) : input, init);
  t.teardown(async () => {
    globalThis.fetch = realFetch;
    await fake.close();
    ts.close();
  });
  const handlerP = ts.nextHandler();
  const res = await realFetch(`http://127.0.0.1:${ts.port}/v1/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
    body: JSON.stringify({ phone_number: GYM, gym_name: 'Iron Temple' }),
  });
  t.equal(res.status, 201);
  const { call_id: callId, twilio_call_sid: sid } = (await res.json()) as { call_id: string; twilio_call_sid: string };
  const q = `callId=${callId}`;
  const enc = encodeURIComponent;
  t.equal(
    fake.calls.get(sid)?.rawBody.split('&').sort().join('&'),
    [
      `To=${enc(GYM)}`,
      `From=${enc('+15550000000')}`,
      `Method=POST`,
      `Url=${enc(`${PUBLIC_BASE}/twilio/voice?${q}`)}`,
      `StatusCallback=${enc(`${PUBLIC_BASE}/twilio/status?${q}`)}`,
      `StatusCallbackMethod=POST`,
      `StatusCallbackEvent=initiated`,
      `StatusCallbackEvent=ringing`,
      `StatusCallbackEvent=answered`,
      `StatusCallbackEvent=completed`,
      `MachineDetection=DetectMessageEnd`,
      `AsyncAmd=true`,
      `AsyncAmdStatusCallback=${enc(`${PUBLIC_BASE}/twilio/amd?${q}`)}`,
      `AsyncAmdStatusCallbackMethod=POST`,
    ]
      .sort()
      .join('&'),
    'the create request, field for field (in any order)',
  );
  const h = await handlerP;
  await waitFor(() => h.amd.length === 1, { timeoutMs: 5000, what: 'the verdict' });
  t.same(h.amd, ['machine_end_silence']);
  t.same(fake.calls.get(sid)?.amdCallbacks, ['machine_end_silence']);
  t.notOk(h.start.customParameters.AnsweredBy, 'the voice webhook carried no verdict (asynchronous)');
  t.same(fake.errors, []);
});
