import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { ulawDecodeSample } from '../../src/dsp/reference/ulaw.js';
import { OutboundPlayer, type OutboundSink } from '../../src/telephony/outbound-player.js';
import { CallRecording } from '../../src/recordings/call-recording.js';
import { CallTracks } from '../../src/recordings/tracks.js';
import { waitFor } from '../support/wait.js';

// Through the real paced player: the agent's frames are recorded at the time they play (not when they leave, a
// lead earlier), and a barge-in's clear removes what was sent ahead but never played.

const dsp = loadDsp();

function tonePcm(ms: number): Uint8Array {
  const n = ms * 8;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  return new Uint8Array(pcm.buffer);
}

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  yield b;
}

function rms(mulaw: Uint8Array, fromMs: number, toMs: number): number {
  let sum = 0;
  for (let i = fromMs * 8; i < toMs * 8; i++) sum += ulawDecodeSample(mulaw[i] ?? 0xff) ** 2;
  return Math.sqrt(sum / ((toMs - fromMs) * 8));
}

t.test('agent frames placed when they play; a clear cuts what was sent ahead', async (t) => {
  const sent: number[] = [];
  const t0 = performance.now();
  const sink: OutboundSink = {
    sendMedia: () => (sent.push(performance.now() - t0), 'ok'),
    sendMark: () => 'ok',
    sendClear: () => 'ok',
    backpressured: () => false,
  };
  const player = new OutboundPlayer(sink, dsp);
  t.teardown(() => player.close());
  const tracks = new CallTracks(10_000);
  const nowMs = () => performance.now() - t0;
  new CallRecording(10_000, nowMs, tracks).attach(player);
  player.enqueue({ utteranceId: 'u1', text: 'hello there', sampleRate: 8000, chunks: once(tonePcm(2000)) });
  await waitFor(() => sent.length >= 30, { timeoutMs: 5000, what: '30 frames sent' });
  const clearedAt = nowMs();
  const ahead = sent.length * 20 - clearedAt; // audio sent but not yet played
  player.clear();
  const start = sent[0] ?? 0;
  t.ok(ahead >= 60, `audio was sent ahead of playback when cleared (${ahead.toFixed(0)} ms)`);
  const a = tracks.finish().agent;
  t.ok(rms(a, 0, Math.floor(start)) < 50, 'nothing before the first frame');
  t.ok(rms(a, Math.ceil(start) + 20, Math.floor(clearedAt) - 40) > 3000, 'the tone until the barge-in');
  t.ok(
    a.length / 8 <= clearedAt + 20,
    `nothing after the clear: the recording ends there (${(a.length / 8).toFixed(0)} ms)`,
  );
});
