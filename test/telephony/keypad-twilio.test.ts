// The Twilio keypad end to end: a REST redirect to <Play digits> and a new <Connect><Stream>; the gym's line hears
// the keys as tones; the new stream is admitted only as the continuation of the parked call and the call goes on in
// the same handler (same actor), its media clock continuing. A forged continuation is refused.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { ToneDetection } from '../../src/dsp/index.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { callsRoutes } from '../../src/telephony/calls-api.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import { StreamHandoffs } from '../../src/telephony/keypad/handoff.js';
import { LiveCalls } from '../../src/telephony/live-calls.js';
import { TwilioKeypad } from '../../src/telephony/keypad/twilio.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { playDigitsTwiml } from '../../src/telephony/twiml.js';
import { TwilioRest } from '../../src/telephony/twilio-rest.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { FakeTwilio } from '../../src/sim/fake-twilio.js';
import { SimulatedStream } from '../../src/sim/media-client.js';
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

t.test('keys by <Play digits>: heard on the line, the call resumes on a new stream in the same handler', async (t) => {
  const store = new MemoryCallStore();
  const capacity = new CallCapacity({ max: 5 });
  const tokens = new StreamTokens(randomBytes(32));
  const heard: string[] = [];
  const fake = new FakeTwilio({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    dsp,
    speed: 2,
    connectUrl: (u) => (u === PUBLIC_WS ? ts.localWs : u),
    callee: (_stream, ctx) => {
      const det = dsp.createToneDetector({ dtmf: true, beep: false });
      ctx.line.onAgentAudio((mulaw) => {
        for (const e of det.push(dsp.ulawDecode(mulaw)) ?? ([] as ToneDetection[]))
          if (e.kind === 'dtmf') heard.push(e.digit);
      });
    },
  });
  const fakeUrl = await fake.listen();
  const rest = new TwilioRest({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    fromNumber: '+15550000000',
    publicBaseUrl: PUBLIC_BASE,
    apiBaseUrl: fakeUrl,
    log: quietLog,
  });
  const routes = [
    ...twilioRoutes({ store, admission: capacity, publicBaseUrl: PUBLIC_BASE, streamTokens: tokens, log: quietLog }),
    ...callsRoutes({
      store,
      placer: rest,
      admission: capacity,
      destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
      log: quietLog,
    }),
  ];
  const liveCalls = new LiveCalls();
  const ts = await startServer({
    routes,
    apiToken: API_TOKEN,
    tokens,
    store,
    capacity,
    liveCalls,
    keypad: { mode: 'twilio', rest },
  });
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
    body: JSON.stringify({ phone_number: '+12015550123', gym_name: 'Iron Temple' }),
  });
  t.equal(res.status, 201);
  const { twilio_call_sid: sid } = (await res.json()) as { twilio_call_sid: string };
  const h = await handlerP;
  t.equal(h.transport.keypad?.mode, 'twilio', 'KEYPAD_MODE=twilio first (in-band is its fallback)');
  const before = h.transport.nowMs();

  await h.transport.keypad!.pressKeys('21');
  t.equal(fake.calls.get(sid)?.redirects, 1, 'one REST redirect');
  await waitFor(() => heard.length === 2, { timeoutMs: 3000, what: 'keys on the line' });
  t.same(heard, ['2', '1'], 'the gym heard Twilio play the keys');
  t.equal(ts.handlers.length, 1, 'no second call: the new stream resumed the same handler');
  t.equal(h.ended, undefined, 'the call did not end with its first stream');
  t.equal(
    h.events.filter((e) => e === 'line-paused').length,
    1,
    "the call was told its line paused (its delays run on the wall's time until the next stream's frames)",
  );
  t.ok(h.transport.nowMs() > before, 'media time keeps counting');

  // The call goes on over the new stream: agent audio plays and its marks come back; the gym's audio arrives.
  const audioBefore = h.audio.length;
  h.transport.player.enqueue({
    utteranceId: 'after',
    text: 'thanks',
    sampleRate: 8000,
    chunks: chunked(toneBytes(8000, 300)),
  });
  await waitFor(() => h.events.includes('played:after'), { timeoutMs: 3000, what: 'played on the new stream' });
  await waitFor(() => h.audio.length > audioBefore + 5, { timeoutMs: 3000, what: 'audio from the new stream' });
  t.ok(h.audio.at(-1)!.atMs > before, `the new stream's audio is on the call's clock (${h.audio.at(-1)!.atMs} ms)`);
  // Twilio's answering-machine verdict still reaches the call (the first stream, where it registered, has ended).
  t.equal(liveCalls.deliver(h.start.customParameters.callId ?? '', 'machine_end_beep'), 'delivered');
  t.same(h.amd, ['machine_end_beep'], 'the verdict reached the resumed call');

  // A second start that claims to continue the call (with a valid-looking but foreign token) is refused.
  const forged = await SimulatedStream.connect({
    url: ts.localWs,
    signedUrl: PUBLIC_WS,
    authToken: AUTH_TOKEN,
    dsp,
    customParameters: { ...h.start.customParameters, handoff: '1' },
    callSid: sid,
    accountSid: ACCOUNT_SID,
  });
  await forged.closed;
  t.equal(ts.handlers.length, 1, 'the forged continuation got nothing');

  await fake.calls.get(sid)?.line?.hangUp();
  await waitFor(() => h.ended !== undefined, { timeoutMs: 3000, what: 'call ended' });
  t.same(fake.errors, []);
});

t.test('the redirect TwiML, exactly; keys <Play digits> cannot play are refused before any request', async (t) => {
  t.equal(
    playDigitsTwiml('2w1', PUBLIC_WS, { callId: 'c&1', handoff: '1' }),
    '<?xml version="1.0" encoding="UTF-8"?><Response><Play digits="2w1"/><Connect>' +
      `<Stream url="${PUBLIC_WS}"><Parameter name="callId" value="c&amp;1"/><Parameter name="handoff" value="1"/>` +
      '</Stream></Connect></Response>',
  );
  const requests: string[] = [];
  const keypad = new TwilioKeypad({
    rest: { redirect: async (_sid, twiml) => void requests.push(twiml) },
    handoffs: new StreamHandoffs(),
    tokens: new StreamTokens(randomBytes(32)),
    streamUrl: PUBLIC_WS,
    start: {
      callSid: 'CA' + 'c'.repeat(32),
      streamSid: 'MZ1',
      accountSid: ACCOUNT_SID,
      tracks: ['inbound'],
      customParameters: { callId: 'c1', direction: 'outbound', streamToken: 'old' },
      startedAt: 0,
    },
    timeoutMs: 50,
  });
  await t.rejects(keypad.pressKeys('1A'), /cannot play the keys A-D/);
  t.same(requests, [], 'nothing sent for A-D');
  const alive = setTimeout(() => {}, 5_000); // the handoff's timers are unref'd: keep this test's loop running
  await t.rejects(keypad.pressKeys('3'), /no new media stream within 50 ms/, 'no stream came: the press fails');
  clearTimeout(alive);
  t.equal(requests.length, 1);
  t.match(requests[0], /<Play digits="3"\/>.*<Parameter name="callId" value="c1"\/>.*name="handoff" value="1"/);
  t.notMatch(requests[0], /value="old"/, 'a fresh token, not the first stream');
});
