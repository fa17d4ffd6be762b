import { createSileroClassifier, SileroModel } from '../src/audio/silero.js';
import { VAD_FRAME_MS, VAD_FRAME_SAMPLES, type FrameClassifier } from '../src/audio/vad.js';
import type { Dsp } from '../src/dsp/types.js';

// Does batching Silero across calls pay? N calls on one session, every call's model on (no gate: a noisy line),
// each fed one 20 ms frame per tick as the server's event loop delivers them; the windows that complete in a tick
// run as one batch (SileroModel) or one run each (maxBatch 1). CPU of the whole loop per call-second of audio.

const FRAMES = 250;

async function measure(dsp: Dsp, model: SileroModel, calls: number, audio: Int16Array) {
  const cs: FrameClassifier[] = [];
  for (let i = 0; i < calls; i++) cs.push(await createSileroClassifier(dsp, { gate: false, model }));
  const total = Math.floor(audio.length / VAD_FRAME_SAMPLES);
  const runs0 = model.runs;
  const windows0 = model.windows;
  const t0 = process.cpuUsage();
  for (let f = 0; f < FRAMES; f++) {
    for (let i = 0; i < calls; i++) {
      // Each call at its own place in the background.
      const at = ((f + i * 37) % total) * VAD_FRAME_SAMPLES;
      (cs[i] as FrameClassifier).classify(audio.subarray(at, at + VAD_FRAME_SAMPLES));
    }
    await model.idle();
  }
  const t = process.cpuUsage(t0);
  for (const c of cs) c.close();
  const cpu = t.user + t.system;
  const windows = model.windows - windows0;
  return {
    perCallSecond: cpu / calls / ((FRAMES * VAD_FRAME_MS) / 1000),
    perWindow: cpu / Math.max(1, windows),
    batch: windows / Math.max(1, model.runs - runs0),
  };
}

export async function batchingTable(
  dsp: Dsp,
  audio: Int16Array,
  repeats: number,
  log: (s: string) => void,
): Promise<string> {
  const batched = await SileroModel.load(undefined);
  const single = await SileroModel.load(undefined, { maxBatch: 1 });
  const lines = [
    `Silero on one shared session, N calls with the model always on, ${FRAMES} frames per call, medians of ${repeats}:`,
    '| calls | batched: mean batch | batched µs/window | batched µs/call-s | one run per window: µs/window | µs/call-s | batched / unbatched |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const n of [1, 4, 16, 64]) {
    const b: { perCallSecond: number; perWindow: number; batch: number }[] = [];
    const s: typeof b = [];
    for (let r = 0; r < repeats; r++) {
      // Alternating, so the machine's load falls on both alike.
      b.push(await measure(dsp, batched, n, audio));
      s.push(await measure(dsp, single, n, audio));
    }
    const med = (xs: typeof b, k: keyof (typeof b)[number]) =>
      [...xs.map((x) => x[k])].sort((x, y) => x - y)[xs.length >> 1] as number;
    const bc = med(b, 'perCallSecond');
    const sc = med(s, 'perCallSecond');
    lines.push(
      `| ${n} | ${med(b, 'batch').toFixed(1)} | ${med(b, 'perWindow').toFixed(0)} | ${bc.toFixed(0)} | ` +
        `${med(s, 'perWindow').toFixed(0)} | ${sc.toFixed(0)} | ${(bc / sc).toFixed(2)} |`,
    );
    log(`batching: ${n} calls done`);
  }
  await batched.release();
  await single.release();
  return lines.join('\n');
}
