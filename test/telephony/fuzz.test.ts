import t from 'tap';
import WebSocket from 'ws';
import type { MediaRejectReason } from '../../src/telephony/serializer.js';
import { serializeInbound } from '../../src/telephony/serializer.js';
import { signRequest } from '../../src/telephony/signature.js';
import { waitFor } from '../support/wait.js';
import { AUTH_TOKEN, PUBLIC_WS, chunked, connectSim, startServer, toneBytes } from './helpers.js';

// Robustness: ≥ 10,000 random and mutated messages over one connection while another simulated call runs.
// The server must stay up, the fuzzed connection must survive (bad messages are dropped, not fatal, once the
// stream started), and the other call must not notice anything.

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function fuzzMessages(n: number, streamSid: string, seed: number): string[] {
  const rnd = prng(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const randStr = (len: number) =>
    Array.from({ length: len }, () =>
      String.fromCodePoint(pick([int(128), 0x20 + int(95), 0x400 + int(200), 0x1f600 + int(50)])),
    ).join('');
  const payload = Buffer.from(Array.from({ length: 160 }, () => int(256))).toString('base64');
  let seq = 1000;
  const templates = () => [
    serializeInbound({
      event: 'media',
      sequenceNumber: ++seq,
      streamSid,
      media: { track: 'inbound', chunk: seq, timestamp: seq * 20, payload: Buffer.from(payload, 'base64') },
    }),
    serializeInbound({ event: 'mark', sequenceNumber: ++seq, streamSid, mark: { name: `m${int(100)}` } }),
    serializeInbound({
      event: 'dtmf',
      sequenceNumber: ++seq,
      streamSid,
      dtmf: { track: 'inbound_track', digit: pick(['1', '#', '*']) },
    }),
    serializeInbound({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
    JSON.stringify({ event: 'start', sequenceNumber: String(++seq), streamSid, start: { streamSid } }),
  ];
  const mutate = (s: string): string => {
    switch (int(10)) {
      case 0: {
        const i = int(s.length);
        return s.slice(0, i) + s.slice(i + 1 + int(20));
      }
      case 1: {
        const i = int(s.length);
        return s.slice(0, i) + randStr(1 + int(5)) + s.slice(i);
      }
      case 2:
        return s.replace(
          /"(media|mark|dtmf|start|connected)"/,
          `"${pick(['medi', 'MEDIA', 'stop ', 'clear', '', 'media\u0000'])}"`,
        );
      case 3:
        return s.replace(/"\d+"/, pick(['"-1"', '"1e3"', '0', 'null', '"99999999999999999999"', '[]']));
      case 4:
        return s.replace(streamSid, pick(['MZ' + 'f'.repeat(32), '', 'x'.repeat(100)]));
      case 5:
        return s.replace(
          /"payload":"[^"]*"/,
          pick(['"payload":"@@@@"', '"payload":""', `"payload":"${'A'.repeat(12000)}"`, '"payload":1']),
        );
      case 6:
        return s.slice(0, int(s.length));
      case 7:
        return `{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`;
      case 8:
        return s.replace('{', '{"event":"media","event":"mark",');
      default:
        return s.replace(/"sequenceNumber":"\d+"/, '"sequenceNumber":"1"');
    }
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = int(4);
    if (r === 0) out.push(randStr(int(300)));
    else if (r === 1)
      out.push(
        JSON.stringify(pick([null, 1, 'x', [], {}, { event: randStr(5) }, { event: 'media', media: randStr(4) }])),
      );
    else if (r === 2 && i % 50 === 0) out.push('x'.repeat(20000 + int(20000)));
    else out.push(mutate(pick(templates())));
  }
  return out;
}

t.test('10,000+ random and mutated messages on one stream; the other call is unaffected', async (t) => {
  const rejects = new Map<MediaRejectReason, number>();
  // The flood is sent as fast as the client can: this test is about parsing, so the server's message-rate limit
  // (message-budget.test.ts) is set above it.
  const ts = await startServer({
    metrics: { rejected: (r) => void rejects.set(r, (rejects.get(r) ?? 0) + 1) },
    inboundBudget: { burst: 100_000, perSecond: 100_000 },
  });
  t.teardown(() => ts.close());

  const victimP = ts.nextHandler();
  const victim = await connectSim(ts, { customParameters: { callId: 'victim', direction: 'inbound' } });
  const vh = await victimP;
  const fuzzP = ts.nextHandler();
  const fuzzer = await connectSim(ts, { customParameters: { callId: 'fuzz', direction: 'inbound' } });
  const fh = await fuzzP;

  // The victim call talks both ways while the fuzzer floods.
  const speech = new Int16Array(8000).map((_, i) => Math.round(5000 * Math.sin(i / 7)));
  const spoken = victim.say(speech);
  vh.transport.player.enqueue({
    utteranceId: 'v1',
    text: 'we open at six',
    sampleRate: 24000,
    chunks: chunked(toneBytes(24000, 1200)),
  });

  const msgs = fuzzMessages(12_000, fuzzer.streamSid, 20261125);
  for (let i = 0; i < msgs.length; i++) {
    fuzzer.sendRaw(msgs[i] as string);
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  await spoken;
  await waitFor(() => vh.events.includes('played:v1'), { timeoutMs: 10_000, what: 'victim utterance played' });
  const totalRejects = [...rejects.values()].reduce((a, b) => a + b, 0);
  await waitFor(() => [...rejects.values()].reduce((a, b) => a + b, 0) + fh.dtmf.length > 9000, {
    timeoutMs: 10_000,
    what: 'fuzz processed',
  });

  t.ok(totalRejects > 9000, `${[...rejects.values()].reduce((a, b) => a + b, 0)} bad messages counted and dropped`, {
    byReason: Object.fromEntries(rejects),
  });
  t.equal(fh.ended, undefined, 'the fuzzed stream is still open (bad messages are dropped, not fatal)');
  t.equal(vh.ended, undefined, 'the victim call is still up');

  const vr = victim.report();
  t.equal(vr.badMessages, 0, 'victim received only valid Twilio messages');
  // Timing (gaps) is not asserted: the flood is generated in this same process. Completeness is.
  t.ok(vr.agentFrames >= 60 && vr.agentFrames <= 61, `victim got all agent audio (${vr.agentFrames} frames)`);
  t.ok(vr.lastUtteranceFinished, 'victim heard the whole utterance');
  const stamps = vh.audio.map((a) => a.atMs);
  t.ok(
    stamps.every((s, i) => i === 0 || s === (stamps[i - 1] ?? 0) + 20),
    `victim: ${stamps.length} caller frames, none lost or reordered`,
  );
  const heard = vh.audio.filter((a) => a.mulaw.some((b) => b !== 0xff)).length;
  t.equal(heard, 50, 'all 50 frames of victim speech arrived');

  // A stream that is not Twilio at all is closed; the server keeps serving.
  const junk = new WebSocket(ts.localWs, { headers: { 'x-twilio-signature': signRequest(AUTH_TOKEN, PUBLIC_WS) } });
  await new Promise((r) => junk.once('open', r));
  junk.send('GET / HTTP/1.1');
  const code = await new Promise<number>((r) => junk.once('close', (c) => r(c)));
  t.equal(code, 1008, 'garbage before start → closed as not a Twilio stream');
  const bin = await connectSim(ts);
  bin.sendRaw(Buffer.from([1, 2, 3]));
  t.equal((await bin.closed).code, 1008, 'binary frame → closed');

  const fresh = await connectSim(ts);
  await waitFor(() => ts.handlers.some((h) => h.start.callSid === fresh.callSid), {
    timeoutMs: 3000,
    what: 'new call accepted',
  });
  await Promise.all([fresh.hangUp(), victim.hangUp(), fuzzer.hangUp()]);
  t.equal(vh.ended, 'stop');
});
