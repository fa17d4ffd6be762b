import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CallCapacity } from '../../src/ops/capacity.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { OutboundPlayer, type OutboundSink, type SendResult } from '../../src/telephony/outbound-player.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import type { HttpRequest } from '../../src/http/types.js';
import { waitFor } from '../support/wait.js';
import { RecordingHandler, chunked, connectSim, dsp, quietLog, startServer, toneBytes } from './helpers.js';

t.test('a handler that throws ends only its own call', async (t) => {
  let n = 0;
  const good: RecordingHandler[] = [];
  const ts = await startServer({
    factory: (start, transport) => {
      n++;
      if (start.customParameters.callId === 'explodes-at-start') throw new Error('boom at start');
      const h = new RecordingHandler(start, transport);
      if (start.customParameters.callId === 'explodes-on-audio')
        h.onAudio = () => {
          throw new Error('boom on audio');
        };
      else good.push(h);
      return h;
    },
  });
  t.teardown(() => ts.close());
  const ok = await connectSim(ts, { customParameters: { callId: 'ok', direction: 'inbound' } });
  const a = await connectSim(ts, { customParameters: { callId: 'explodes-at-start', direction: 'inbound' } });
  const b = await connectSim(ts, { customParameters: { callId: 'explodes-on-audio', direction: 'inbound' } });
  t.equal((await a.closed).code, 1011, 'factory failure → that stream closed with 1011');
  t.equal((await b.closed).code, 1011, 'handler failure → that stream closed with 1011');
  await waitFor(() => n === 3 && (good[0]?.audio.length ?? 0) > 10, {
    timeoutMs: 3000,
    what: 'the good call keeps flowing',
  });
  t.equal(good[0]?.ended, undefined, 'the other call is still up');
  await ok.hangUp();
  t.equal(await good[0]?.endedP, 'stop');
  await waitFor(() => ts.capacity.active === 0, {
    timeoutMs: 2000,
    what: 'slots released, including the failed calls',
  });
});

class FakeSink implements OutboundSink {
  sent: string[] = [];
  pressure = false;
  sendMedia(): SendResult {
    this.sent.push('media');
    return 'ok';
  }
  sendMark(name: string): SendResult {
    this.sent.push(`mark:${name}`);
    return 'ok';
  }
  sendClear(): SendResult {
    this.sent.push('clear');
    return 'ok';
  }
  backpressured(): boolean {
    return this.pressure;
  }
}

t.test('player respects backpressure: nothing is sent while the socket is full, resumes on drain', async (t) => {
  const sink = new FakeSink();
  const player = new OutboundPlayer(sink, dsp);
  sink.pressure = true;
  player.enqueue({ utteranceId: 'u', text: 'hello there', sampleRate: 22050, chunks: chunked(toneBytes(22050, 200)) });
  await new Promise((r) => setTimeout(r, 100));
  t.same(sink.sent, [], 'held back while backpressured');
  sink.pressure = false;
  player.resume();
  await waitFor(() => sink.sent.includes('media'), { timeoutMs: 1000, what: 'frames after drain' });
  await waitFor(() => sink.sent.filter((s) => s === 'media').length === 10, {
    timeoutMs: 1000,
    what: '200 ms = 10 frames',
  });
  await waitFor(() => sink.sent.some((s) => s.startsWith('mark:')), { timeoutMs: 1000, what: 'final mark' });
  t.equal(sink.sent.at(-1)?.startsWith('mark:'), true, 'utterance ends with its mark');
  player.close();
});

t.test('TTS failure mid-stream: error reported, the audio already synthesised still plays, then played', async (t) => {
  const sink = new FakeSink();
  const player = new OutboundPlayer(sink, dsp);
  const events: string[] = [];
  player.listener = {
    error: (id, e) => events.push(`error:${id}:${e.message}`),
    played: (id) => events.push(`played:${id}`),
  };
  async function* failing(): AsyncIterable<Uint8Array> {
    yield toneBytes(24000, 100);
    throw new Error('provider hung up');
  }
  player.enqueue({ utteranceId: 'u', text: 'partial', sampleRate: 24000, chunks: failing() });
  player.enqueue({ utteranceId: 'bad-rate', text: 'x', sampleRate: 12345, chunks: chunked(toneBytes(12345, 100)) });
  await waitFor(() => sink.sent.filter((s) => s.startsWith('mark:')).length === 2, {
    timeoutMs: 2000,
    what: 'both final marks',
  });
  t.ok(events.includes('error:u:provider hung up'), 'TTS failure reported for its utterance');
  t.ok(
    events.some((e) => e.startsWith('error:bad-rate:')),
    'unsupported TTS rate is that utterance’s error',
  );
  t.ok(sink.sent.filter((s) => s === 'media').length >= 5, 'the 100 ms synthesised before the failure was sent');
  t.notOk(
    events.some((e) => e.startsWith('played')),
    'nothing played before Twilio echoes the marks',
  );
  for (const m of sink.sent.filter((s) => s.startsWith('mark:'))) player.onMark(m.slice(5));
  t.same(
    events.filter((e) => e.startsWith('played')),
    ['played:u', 'played:bad-rate'],
    'played in utterance order',
  );
  player.close();
});

t.test(
  'status callbacks: out-of-order callbacks never move a call backwards; final status frees the slot',
  async (t) => {
    const store = new MemoryCallStore();
    const capacity = new CallCapacity({ max: 2 });
    const routes = twilioRoutes({
      store,
      admission: capacity,
      publicBaseUrl: 'https://x.example',
      streamTokens: new StreamTokens(randomBytes(32)),
      log: quietLog,
    });
    const status = routes.find((r) => r.pattern === '/twilio/status');
    const rec = await store.create({
      direction: 'outbound',
      phoneNumber: '+15551234567',
      gymName: 'G',
      status: 'queued',
    });
    capacity.tryAdmit(rec.callId, 'outbound');
    const req = (CallStatus: string): HttpRequest => ({
      method: 'POST',
      path: '/twilio/status',
      query: new URLSearchParams({ callId: rec.callId }),
      headers: {},
      body: Buffer.from(new URLSearchParams({ CallSid: 'CA1', CallStatus }).toString()),
      remoteIp: '127.0.0.1',
    });
    for (const s of ['ringing', 'in-progress', 'initiated', 'ringing']) await status?.handler(req(s), {});
    t.equal((await store.get(rec.callId))?.status, 'in-progress', 'late initiated/ringing ignored');
    t.equal((await store.get(rec.callId))?.twilioCallSid, 'CA1');
    t.equal(capacity.active, 1);
    await status?.handler(req('completed'), {});
    await status?.handler(req('in-progress'), {});
    const done = await store.get(rec.callId);
    t.equal(done?.status, 'completed');
    t.ok(done?.endedAt instanceof Date);
    t.equal(capacity.active, 0, 'final status released the slot');
  },
);
