import t from 'tap';
import { createDenoiser } from '../../src/audio/denoise.js';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { LineSnr } from '../../src/providers/asr/line-snr.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { LinePolicy } from '../../src/providers/asr/line-snr.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { LineBackground } from '../../src/sim/noise/index.js';
import { testDsp } from './helpers.js';
import { joinPcm } from '../../src/audio/pcm.js';

// The denoiser in front of the offline recogniser (issue 15 item 5): RNNoise at 48 kHz around the 8 kHz line,
// the per-call estimate of how noisy the line is, and the recogniser switching the denoiser on only for a noisy
// line. Speech is flite's slt as the receptionist; noise is the simulator's generated beds.

const { dsp, note } = testDsp();
if (note) t.comment(note);

const FRAME = 160;

const rmsDb = (pcm: Int16Array, from = 0, to = pcm.length): number => {
  let e = 0;
  for (let i = from; i < to; i++) e += (pcm[i] as number) ** 2;
  return 10 * Math.log10(e / Math.max(1, to - from) / 32768 ** 2 + 1e-12);
};

/** Runs `pcm` through a fresh denoiser in 20 ms frames; returns what came out, joined. */
async function denoise(pcm: Int16Array): Promise<Int16Array> {
  const d = await createDenoiser(dsp);
  const parts: Int16Array[] = [];
  for (let o = 0; o < pcm.length; o += FRAME) parts.push(d.process(pcm.subarray(o, Math.min(pcm.length, o + FRAME))));
  d.close();
  return joinPcm(parts);
}

function bed(kind: 'hvac' | 'chatter' | 'music', seconds: number, levelDbfs: number, snrDb: number): Int16Array {
  const pcm = new Int16Array(seconds * 8000);
  new LineBackground({ kind, snrDb, seed: 3 }, levelDbfs).addTo(pcm);
  return pcm;
}

t.test('RNNoise takes the room out and leaves the voice', async (t) => {
  // A steady fan and hum: after a second to learn it, the denoiser takes it down by more than 10 dB.
  const fan = bed('hvac', 4, -20, 10);
  const quiet = await denoise(fan);
  t.ok(
    Math.abs(quiet.length - fan.length) <= FRAME,
    `as many samples out as in, less a frame (${quiet.length}/${fan.length})`,
  );
  const before = rmsDb(fan, 8000);
  const after = rmsDb(quiet, 8000);
  t.ok(before - after > 10, `fan noise down by ${(before - after).toFixed(1)} dB`);

  // Her speech alone keeps its level within 3 dB.
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const { pcm: voice } = await synthesizePhoneAudio(tts, dsp, 'we are open from six a.m. to ten p.m. every day');
  const heard = await denoise(voice);
  const change = rmsDb(heard) - rmsDb(voice);
  t.ok(Math.abs(change) < 3, `speech level changed by ${change.toFixed(1)} dB`);
});

t.test('a closed denoiser passes audio through and can be closed twice', async (t) => {
  const d = await createDenoiser(dsp);
  d.close();
  d.close();
  const pcm = new Int16Array(FRAME).fill(1000);
  t.equal(d.process(pcm), pcm);
});

t.test('the line estimate tells a quiet line from a noisy one', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const { pcm: voice } = await synthesizePhoneAudio(tts, dsp, 'monday through friday five a.m. to eleven p.m.');
  // Speech, a second of line, speech again: 8 kHz, 20 ms frames.
  const line = new Int16Array(voice.length * 2 + 8000);
  line.set(voice, 0);
  line.set(voice, voice.length + 8000);
  const spread = (pcm: Int16Array): number => {
    const est = new LineSnr(500, 50);
    const e = dsp.frameFeatures(pcm, FRAME);
    for (let f = 0; f < e.length; f += 3) est.push(e[f] as number);
    return est.snrDb ?? NaN;
  };
  const quiet = spread(line);
  const noisy = Int16Array.from(line);
  new LineBackground({ kind: 'chatter', snrDb: 10, seed: 3 }, -16).addTo(noisy);
  const loud = spread(noisy);
  t.ok(quiet > 40, `quiet line: ${quiet} dB between speech and gaps`);
  t.ok(loud < 30, `chatter 10 dB under her: ${loud} dB`);
  t.equal(new LineSnr(500, 100).snrDb, undefined, 'no estimate before enough frames');
});

t.test('a noisy line, and quiet again only well past the limits (no flapping at the edge)', async (t) => {
  /** 20 frames: `speech` dBFS for 14, `gap` dBFS for 6. */
  const line = (speech: number, gap: number): LineSnr => {
    const est = new LineSnr(500, 20);
    for (let i = 0; i < 200; i++) est.push(i % 20 < 14 ? speech : gap);
    return est;
  };
  const music = line(-20, -40);
  t.ok(music.noisy && !music.quietAgain, 'gaps 20 dB under her, well over hiss: noisy');
  const edge = line(-20, -53);
  t.ok(!edge.noisy && !edge.quietAgain, '33 dB: no longer noisy, but not clearly quiet either');
  const quiet = line(-20, -90);
  t.ok(!quiet.noisy && quiet.quietAgain, 'gaps at hiss level: quiet');
  const silentGaps = line(-50, -65);
  t.ok(!silentGaps.noisy, 'little spread, but gaps below a phone line hiss: not noisy');
  t.notOk(new LineSnr(500, 100).noisy || new LineSnr(500, 100).quietAgain, 'neither before an estimate');
});

t.test('the recogniser denoises a noisy line only (policy noisy), always or never as told', async (t) => {
  // 2.5 s: the estimate needs 2 s of line before it decides.
  const noisy = dsp.ulawEncode(bed('music', 3, -16, 10).subarray(0, 20_000));
  const quiet = dsp.ulawEncode(new Int16Array(20_000));
  const asrs = new Map<LinePolicy, OfflineAsr>();
  t.teardown(() => asrs.forEach((a) => a.close()));
  const run = async (policy: LinePolicy, mulaw: Uint8Array): Promise<boolean> => {
    // The energy detector classifies synchronously, so the stream can be fed in one loop.
    const asr = asrs.get(policy) ?? new OfflineAsr({ dsp, denoise: policy, vad: { kind: 'energy' } });
    asrs.set(policy, asr);
    const stream = await asr.open({ onEvent: () => {} });
    for (let o = 0; o < mulaw.length; o += FRAME) stream.push(mulaw.subarray(o, o + FRAME));
    const on = (stream as unknown as { denoising: boolean }).denoising;
    await stream.close();
    return on;
  };
  t.equal(await run('noisy', noisy), true, 'music under the line: denoised');
  t.equal(await run('noisy', quiet), false, 'quiet line: not denoised (no CPU spent)');
  t.equal(await run('never', noisy), false, 'never');
  t.equal(await run('always', quiet), true, 'always');
});
