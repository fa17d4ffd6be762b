import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { AppError } from '../../src/errors.js';
import { errorResponse, json, type Route } from '../../src/http/types.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { callsRoutes } from '../../src/telephony/calls-api.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { TwilioRest } from '../../src/telephony/twilio-rest.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { FakeTwilio } from '../../src/sim/fake-twilio.js';
import { callCommand } from '../../src/cli/commands/call.js';
import { waitFor } from '../support/wait.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_BASE,
  PUBLIC_WS,
  chunked,
  dsp,
  quietLog,
  startServer,
  toneBytes,
} from './helpers.js';

const API_TOKEN = 'api-secret-0123456789abcdef-0123456789';
/** libphonenumber's example US number, in the 555-01xx range kept for fiction. */
const GYM = '+12015550123';
const destinations = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };

async function setup(t: Test, opts: { machineDetection?: boolean; answeredBy?: string } = {}) {
  const store = new MemoryCallStore();
  const capacity = new CallCapacity({ max: 5 });
  const tokens = new StreamTokens(randomBytes(32));
  const fake = new FakeTwilio({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    dsp,
    speed: 2,
    connectUrl: (u) => (u === PUBLIC_WS ? ts.localWs : u),
    callee: async (stream) => {
      await stream.say(new Int16Array(1600).fill(3000)); // "hello?"
    },
    ...(opts.answeredBy ? { answeredBy: opts.answeredBy } : {}),
  });
  const fakeUrl = await fake.listen();
  const rest = new TwilioRest({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    fromNumber: '+15550000000',
    publicBaseUrl: PUBLIC_BASE,
    apiBaseUrl: fakeUrl,
    machineDetection: opts.machineDetection,
    log: quietLog,
  });
  const routes = [
    ...twilioRoutes({ store, admission: capacity, publicBaseUrl: PUBLIC_BASE, streamTokens: tokens, log: quietLog }),
    ...callsRoutes({ store, placer: rest, admission: capacity, destinations, log: quietLog }),
    // In the app the database's read API answers this (src/db/routes.ts); `gym-agent call --wait` polls it.
    {
      method: 'GET',
      pattern: '/v1/calls/:id',
      auth: 'api-token',
      handler: async (_req, p) => {
        const c = await store.get(p.id ?? '');
        return c ? json(200, { call_id: c.callId, status: c.status }) : errorResponse('NOT_FOUND', 'no such call');
      },
    } satisfies Route,
  ];
  // The webhooks hit the server through PUBLIC_BASE; route them to the local port like an ingress would.
  const ts = await startServer({ routes, apiToken: API_TOKEN, tokens, store, capacity });
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    realFetch(typeof input === 'string' ? input.replace(PUBLIC_BASE, `http://127.0.0.1:${ts.port}`) : input, init);
  t.teardown(async () => {
    globalThis.fetch = realFetch;
    await fake.close();
    ts.close();
  });
  const api = (method: string, path: string, body?: unknown, token: string | undefined = API_TOKEN) =>
    realFetch(`http://127.0.0.1:${ts.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { store, capacity, fake, fakeUrl, rest, ts, api };
}

t.test(
  'POST /v1/calls end to end offline: real SDK → fake Twilio → signed webhook → media stream → hang-up',
  async (t) => {
    const { fake, rest, ts, api, capacity, store } = await setup(t);
    const handlerP = ts.nextHandler();
    const res = await api('POST', '/v1/calls', { phone_number: GYM, gym_name: 'Iron Temple' });
    t.equal(res.status, 201);
    const created = (await res.json()) as { call_id: string; twilio_call_sid: string; status: string };
    t.match(created, {
      call_id: String,
      twilio_call_sid: /^CA[0-9a-f]{32}$/,
      status: /queued|initiated|ringing|in-progress/,
    });

    const h = await handlerP;
    t.match(h.start.customParameters, {
      callId: created.call_id,
      direction: 'outbound',
      gymName: 'Iron Temple',
      streamToken: /^\d+\.[\w-]{43}$/,
    });
    t.equal(h.start.callSid, created.twilio_call_sid);
    await waitFor(() => h.audio.some((a) => a.mulaw.some((b) => b !== 0xff)), {
      timeoutMs: 5000,
      what: 'callee audio',
    });
    h.transport.player.enqueue({
      utteranceId: 'g',
      text: 'Hi!',
      sampleRate: 24000,
      chunks: chunked(toneBytes(24000, 300)),
    });
    await waitFor(() => h.events.includes('played:g'), { timeoutMs: 5000, what: 'greeting played' });

    // GET /v1/calls/:id is the database's read API (test/db); here the call store is read directly.
    t.match(await store.get(created.call_id), {
      callId: created.call_id,
      status: 'in-progress',
      phoneNumber: GYM,
      gymName: 'Iron Temple',
      direction: 'outbound',
    });

    t.equal(await rest.hangUp(created.twilio_call_sid), 'completed');
    t.equal(await h.endedP, 'stop', 'Twilio ends the stream with stop');
    t.equal(await rest.hangUp(created.twilio_call_sid), 'already-ended', 'second hang-up: 404 counts as done');
    t.equal(await rest.hangUp('CA' + '0'.repeat(32)), 'already-ended', 'unknown call: 404 counts as done');
    const call = fake.calls.get(created.twilio_call_sid);
    await call?.done;
    t.equal(call?.hangupRequests, 2);
    t.same(call?.callbacks, ['initiated', 'ringing', 'answered', 'completed']);
    t.equal(call?.report?.turns.length, 1, 'simulator report: one caller turn');
    t.ok((call?.report?.turns[0]?.responseMs ?? -1) >= 0, 'response latency measured');

    await waitFor(() => capacity.active === 0, { timeoutMs: 3000, what: 'slot released' });
    t.match(await store.get(created.call_id), { status: 'completed', endedAt: Date });
    t.same(fake.errors, [], 'the fake met no protocol errors');
  },
);

t.test('API validation: JSON errors with codes; bearer auth', async (t) => {
  const { api, store } = await setup(t);
  const cases: [unknown, string][] = [
    ['{not json', 'VALIDATION_FAILED'],
    [{ phone_number: '5551234567', gym_name: 'X' }, 'VALIDATION_FAILED'],
    [{ phone_number: '+1555', gym_name: 'X' }, 'VALIDATION_FAILED'],
    [{ phone_number: GYM, gym_name: '   ' }, 'VALIDATION_FAILED'],
    [{ phone_number: GYM }, 'VALIDATION_FAILED'],
  ];
  for (const [body, code] of cases) {
    const res = await api('POST', '/v1/calls', body);
    t.equal(res.status, 400);
    const j = (await res.json()) as { error: { code: string; message: string } };
    t.equal(j.error.code, code, j.error.message);
  }
  const noAuth = await api('POST', '/v1/calls', { phone_number: GYM, gym_name: 'X' }, '');
  t.equal(noAuth.status, 401);
  t.equal(((await noAuth.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  const wrong = await api('POST', '/v1/calls', { phone_number: GYM, gym_name: 'X' }, 'nope');
  t.equal(wrong.status, 401);
  t.equal(await store.findBySid('x'), undefined, 'no record was created by a rejected request');
});

t.test('Twilio REST errors map to the catalogue; machine detection hangs up on voicemail', async (t) => {
  const { fake, fakeUrl, api, store } = await setup(t, { machineDetection: true, answeredBy: 'machine_start' });
  const bad = new TwilioRest({
    accountSid: ACCOUNT_SID,
    authToken: 'wrong',
    fromNumber: '+15550000000',
    publicBaseUrl: PUBLIC_BASE,
    apiBaseUrl: fakeUrl,
    log: quietLog,
  });
  const err = await bad.placeCall(GYM, 'c').catch((e: unknown) => e);
  t.ok(err instanceof AppError && err.code === 'PROVIDER_FAILED', 'auth failure → PROVIDER_FAILED');
  t.equal((err as AppError).retryable, false, '401 is permanent');
  t.equal(fake.calls.size, 0, 'nothing was placed');

  const res = await api('POST', '/v1/calls', { phone_number: GYM, gym_name: 'Voicemail Gym' });
  const created = (await res.json()) as { call_id: string; twilio_call_sid: string };
  const call = fake.calls.get(created.twilio_call_sid);
  t.ok(call, 'call placed');
  await call?.done;
  t.equal(call?.stream, undefined, 'no media stream for an answering machine');
  const rec = await store.get(created.call_id);
  t.equal(rec?.answeredBy, 'machine_start');
  t.equal(rec?.status, 'completed');
});

t.test('gym-agent call: validates arguments, places the call through the running server, follows it', async (t) => {
  const { ts, fake, rest } = await setup(t);
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    env: { API_TOKEN, PORT: String(ts.port) },
    fetch: globalThis.fetch,
    out: (s: string) => void out.push(s),
    err: (s: string) => void err.push(s),
    pollMs: 50,
  };
  t.equal(await callCommand(['5551234567', 'Gym'], io), 2, 'non-E.164 number');
  t.equal(await callCommand([GYM], io), 2, 'missing gym name');
  t.equal(await callCommand([GYM, 'Gym', '--bogus'], io), 2, 'unknown option');
  t.equal(await callCommand([GYM, 'Gym'], { ...io, env: { PORT: String(ts.port) } }), 1, 'no token → 401');
  t.match(err.at(-1), /401 UNAUTHORIZED/);
  const handlerP = ts.nextHandler();
  const waiting = callCommand([GYM, 'Gold Gym', '--wait'], io);
  const h = await handlerP;
  await rest.hangUp(h.start.callSid);
  t.equal(await waiting, 0, '--wait returns 0 once the call completed');
  t.match(out[0], /^call [0-9a-f-]{36} placed \(Twilio CA[0-9a-f]{32}\), status /);
  t.equal(out.at(-2), 'status completed');
  t.equal(out.at(-1), 'outcome none recorded (the call never reached the agent)');
  t.equal(fake.calls.size, 1);
});

t.test('a store that cannot record the call frees the admission slot and places nothing', async (t) => {
  const capacity = new CallCapacity({ max: 1 });
  const store = new MemoryCallStore();
  store.create = async () => {
    throw new AppError('DB_UNAVAILABLE', 'database down');
  };
  let placed = 0;
  const placer = {
    placeCall: async () => {
      placed++;
      return { sid: 'CA0', status: 'queued' };
    },
  };
  const routes = callsRoutes({
    store,
    placer: placer as unknown as TwilioRest,
    admission: capacity,
    destinations,
    log: quietLog,
  });
  const post = routes.find((r) => r.method === 'POST' && r.pattern === '/v1/calls');
  if (post === undefined) throw new Error('POST /v1/calls route missing');
  const req = {
    method: 'POST',
    path: '/v1/calls',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ phone_number: GYM, gym_name: 'Iron Temple' })),
    remoteIp: '127.0.0.1',
  };
  await t.rejects(post.handler(req, {}), { code: 'DB_UNAVAILABLE' });
  t.equal(capacity.active, 0, 'slot released at once');
  t.equal(placed, 0, 'nothing placed with Twilio');
});
