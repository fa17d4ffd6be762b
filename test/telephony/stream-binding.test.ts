import { randomBytes } from 'node:crypto';
import t from 'tap';
import WebSocket from 'ws';
import { CallCapacity } from '../../src/ops/capacity.js';
import { healthRoutes } from '../../src/ops/health.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { serializeInbound } from '../../src/telephony/serializer.js';
import { signRequest } from '../../src/telephony/signature.js';
import { STREAM_TOKEN_PARAM, StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { waitFor } from '../support/wait.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_BASE,
  PUBLIC_WS,
  quietLog,
  randomCallSid,
  startServer,
  streamAs,
  webhookCall,
} from './helpers.js';

// Issue 14, security items 1 and 2: the upgrade signature is the same for every stream, so an attacker holding one
// captured handshake can open as many streams as they like. Every `start` must prove it is the stream of a call our
// voice webhook admitted (stream-token.ts, stream-gate.ts); nothing per call exists before it has.

async function setup(maxCalls = 10) {
  const store = new MemoryCallStore();
  const capacity = new CallCapacity({ max: maxCalls });
  const tokens = new StreamTokens(randomBytes(32));
  const routes = [
    ...twilioRoutes({ store, admission: capacity, publicBaseUrl: PUBLIC_BASE, streamTokens: tokens, log: quietLog }),
    ...healthRoutes({ checks: [] }),
  ];
  const ts = await startServer({ routes, tokens, store, capacity });
  return ts;
}

t.test('a captured start replayed with another call’s ids is refused; both calls are untouched', async (t) => {
  const ts = await setup();
  t.teardown(() => ts.close());
  const a = await webhookCall(ts);
  const b = await webhookCall(ts);
  const simA = await streamAs(ts, a.callSid, a.parameters);
  const hA = await ts.nextHandler();
  t.equal(hA.start.customParameters.callId, a.callId, 'A’s own stream runs A');

  const forgeries: [string, string, Record<string, string>, string?][] = [
    ['A’s token with B’s callId', b.callSid, { ...a.parameters, callId: b.callId }],
    ['A’s parameters with B’s callSid (would hang B up)', b.callSid, a.parameters],
    ['B’s ids without a token', b.callSid, { callId: b.callId, direction: 'inbound' }],
    ['A’s token with another gym name', a.callSid, { ...a.parameters, gymName: 'Evil Gym' }],
    ['A’s start again while A is live (second stream)', a.callSid, a.parameters],
    ['A’s start from another Twilio account', a.callSid, a.parameters, 'AC' + 'f'.repeat(32)],
  ];
  for (const [name, callSid, parameters, account] of forgeries) {
    const s = await streamAs(ts, callSid, parameters, account);
    t.equal((await s.closed).code, 1008, `${name} → closed 1008`);
  }
  t.equal(ts.handlers.length, 1, 'no forged stream got a call handler');
  t.equal(hA.ended, undefined, 'A is still up');
  const before = hA.audio.length;
  await waitFor(() => hA.audio.length > before + 5, { timeoutMs: 3000, what: 'A’s audio still flowing' });

  const simB = await streamAs(ts, b.callSid, b.parameters);
  const hB = await ts.nextHandler();
  t.equal(hB.start.callSid, b.callSid, 'B’s real stream still connects: its slot was never taken');
  await simA.hangUp();
  t.equal(await hA.endedP, 'stop');

  const replay = await streamAs(ts, a.callSid, a.parameters);
  t.equal((await replay.closed).code, 1008, 'A’s start replayed after A ended → refused (never reopened)');
  t.equal(ts.handlers.length, 2);
  await simB.hangUp();
  await waitFor(() => ts.capacity.active === 0, { timeoutMs: 2000, what: 'both slots released exactly once' });
});

t.test('an expired stream token is refused and takes nothing', async (t) => {
  const ts = await setup();
  t.teardown(() => ts.close());
  const a = await webhookCall(ts);
  const { [STREAM_TOKEN_PARAM]: _fresh, ...parameters } = a.parameters;
  const stale = ts.tokens.mint({ callSid: a.callSid, accountSid: ACCOUNT_SID, parameters }, Date.now() - 60_000);
  const s = await streamAs(ts, a.callSid, { ...parameters, [STREAM_TOKEN_PARAM]: stale });
  t.equal((await s.closed).code, 1008, 'expired token → closed 1008');
  t.equal(ts.handlers.length, 0);
  t.equal(ts.capacity.claim(a.callId), 'claimed', 'the call’s slot was left waiting for its real stream');
});

t.test('200 forged start-only streams: no slot taken, /healthz answers fast, a real call is admitted', async (t) => {
  const ts = await setup(5);
  t.teardown(() => ts.close());
  const signature = signRequest(AUTH_TOKEN, PUBLIC_WS);
  const forged = Array.from({ length: 200 }, (_, i) => {
    const ws = new WebSocket(ts.localWs, { headers: { 'x-twilio-signature': signature } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.once('open', () => {
      const streamSid = `MZ${i}`.padEnd(34, '0');
      ws.send(
        serializeInbound({
          event: 'start',
          sequenceNumber: 1,
          streamSid,
          start: {
            accountSid: ACCOUNT_SID,
            streamSid,
            callSid: randomCallSid(),
            tracks: ['inbound'],
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            customParameters: { callId: `forged-${i}`, direction: 'inbound' },
          },
        }),
      );
    });
    return closed;
  });
  const t0 = performance.now();
  const health = await fetch(`http://127.0.0.1:${ts.port}/healthz`);
  const healthMs = performance.now() - t0;
  t.equal(health.status, 200);
  t.ok(healthMs < 1000, `/healthz answered in ${healthMs.toFixed(0)} ms during the flood`);
  const codes = await Promise.all(forged);
  t.ok(
    codes.every((c) => c === 1008),
    'every forged stream was closed as not a stream of ours',
  );
  t.equal(ts.capacity.active, 0, 'no forged stream holds a slot');
  t.equal(ts.handlers.length, 0, 'and none got a call handler');

  const real = await webhookCall(ts);
  const sim = await streamAs(ts, real.callSid, real.parameters);
  const h = await ts.nextHandler();
  t.equal(h.start.callSid, real.callSid, 'a real call is admitted and streams');
  await sim.hangUp();
  await h.endedP;
});

t.test('the call store cannot answer: a call admitted here goes on, any other stream is refused', async (t) => {
  const store = new MemoryCallStore();
  store.claimStream = () => Promise.reject(new Error('database unreachable'));
  const ts = await startServer({ store });
  t.teardown(() => ts.close());
  const ours = randomCallSid();
  const parameters = await ts.admitCall({ callId: 'admitted-here', direction: 'inbound' }, ours);
  const sim = await streamAs(ts, ours, parameters);
  const h = await ts.nextHandler();
  t.equal(h.start.callSid, ours, 'the call this process admitted streams');

  // A stream with a genuine token for a call this process never admitted (another replica's, say) cannot be
  // checked against the database now: refused, and it leaves no slot behind.
  const elsewhere = randomCallSid();
  const foreign = { callId: 'admitted-elsewhere', direction: 'inbound' };
  const token = ts.tokens.mint({ callSid: elsewhere, accountSid: ACCOUNT_SID, parameters: foreign });
  const s = await streamAs(ts, elsewhere, { ...foreign, [STREAM_TOKEN_PARAM]: token });
  t.equal((await s.closed).code, 1008, 'refused');
  t.equal(ts.capacity.active, 1, 'only the live call holds a slot');
  await sim.hangUp();
  await h.endedP;
});
