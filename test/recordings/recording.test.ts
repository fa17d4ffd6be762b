import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ulawEncode } from '../../src/dsp/reference/ulaw.js';
import { RecordingEncoder } from '../../src/recordings/encoder.js';
import { CallTracks } from '../../src/recordings/tracks.js';
import { decodeFlac, flacDecoder } from './flac-decode.js';

// A known tone on each leg must come out of the FLAC file on its own channel at the time it was on the line: the
// gym's 440 Hz from 0.5 s to 1.0 s (media timestamps), the agent's 1 kHz from 1.5 s, cut by a barge-in at 1.8 s.

const RATE = 8000;

function tone(hz: number, ms: number): Uint8Array {
  const n = (ms * RATE) / 1000;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / RATE));
  return ulawEncode(pcm);
}

/** Frames of 20 ms, as the media stream and the player carry them. */
function frames(mulaw: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < mulaw.length; i += 160) out.push(mulaw.subarray(i, i + 160));
  return out;
}

/** Hands `mulaw` to `to` in 20 ms frames from `atMs` on; returns the time after the last frame. */
function feed(to: (frame: Uint8Array, atMs: number) => void, mulaw: Uint8Array, atMs: number): number {
  let at = atMs;
  for (const f of frames(mulaw)) {
    to(f, at);
    at += 20;
  }
  return at;
}

/** RMS of samples [fromMs, toMs). */
function rms(pcm: Int16Array, fromMs: number, toMs: number): number {
  const a = (fromMs * RATE) / 1000;
  const b = (toMs * RATE) / 1000;
  let sum = 0;
  for (let i = a; i < b; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / (b - a));
}

t.test('each leg on its channel, at its time, silence between, a barge-in cut reflected', async (t) => {
  const tracks = new CallTracks(60_000);
  // The gym: silence frames until 0.5 s (a live line sends them), the tone, then nothing (a gap to fill).
  const toneAt = feed((f, ms) => tracks.caller(f, ms), new Uint8Array(4000).fill(0xff), 0);
  feed((f, ms) => tracks.caller(f, ms), tone(440, 500), toneAt);
  // The agent: a second of speech from 1.5 s, sent ahead; Twilio is cleared at 1.8 s.
  const play = 1500;
  feed((f, ms) => tracks.agent(f, ms), tone(1000, 1000), play);
  tracks.cutAgent(1800);
  // Later, the gym speaks again at 2.5 s for 0.2 s, and the recording ends with it.
  feed((f, ms) => tracks.caller(f, ms), tone(440, 200), 2500);
  t.equal(tracks.durationMs, 2700);

  const dir = await mkdtemp(join(tmpdir(), 'rec-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const enc = new RecordingEncoder();
  t.teardown(() => enc.close());
  const path = join(dir, 'call.flac');
  const done = await enc.encode(tracks.finish(), path);
  const file = await readFile(path);
  t.equal(done.bytes, file.length);
  t.equal(file.subarray(0, 4).toString('latin1'), 'fLaC');
  const [gym, agent] = decodeFlac(await flacDecoder(), file);
  t.equal(gym.length, 2700 * 8, 'both channels as long as the call');
  t.equal(agent.length, 2700 * 8);

  const loud = 3000;
  const quiet = 50;
  t.ok(rms(gym, 0, 480) < quiet, 'gym: silence before its tone');
  t.ok(rms(gym, 520, 980) > loud, 'gym: its tone from 0.5 s');
  t.ok(rms(gym, 1020, 2480) < quiet, 'gym: the gap is silence');
  t.ok(rms(gym, 2520, 2680) > loud, 'gym: again from 2.5 s');
  t.ok(rms(agent, 0, 1480) < quiet, 'agent: nothing before 1.5 s (the gym tone is not on this channel)');
  t.ok(rms(agent, 1520, 1780) > loud, 'agent: its tone from 1.5 s');
  t.ok(rms(agent, 1800, 2700) < quiet, 'agent: nothing after the barge-in at 1.8 s, though a second was sent');
  t.ok(rms(gym, 1520, 1780) < quiet, 'gym: the agent tone is not on this channel');
});

t.test('audio past the longest call is dropped, not buffered', async (t) => {
  const tracks = new CallTracks(1000);
  tracks.caller(tone(440, 20), 990);
  tracks.caller(tone(440, 20), 5000);
  t.ok(tracks.truncated);
  t.equal(tracks.finish().samples, 8000);
});
