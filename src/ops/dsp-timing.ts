import type { Dsp, Resampler } from '../dsp/types.js';
import type { DspOp, Metrics } from './metrics.js';

// gym_agent_dsp_seconds without touching the DSP module: a wrapper with the same Dsp interface that times one
// call in every `sampleEvery` (default 16). A native call per 20 ms chunk takes a few microseconds; timing each
// would add a noticeable share to it, while a 1-in-16 sample gives the same distribution at a sixteenth of the cost.
// Wire it once: `const dsp = instrumentDsp(loadDsp(...), metrics)`.

export function instrumentDsp(dsp: Dsp, metrics: Metrics, sampleEvery = 16): Dsp {
  if (!Number.isInteger(sampleEvery) || sampleEvery < 1) throw new RangeError('sampleEvery must be an integer >= 1');
  const counters: Record<DspOp, number> = { ulaw_encode: 0, ulaw_decode: 0, resample: 0, frame_features: 0 };
  const timed =
    <A extends unknown[], R>(op: DspOp, fn: (...a: A) => R) =>
    (...a: A): R =>
      ++counters[op] % sampleEvery === 0 ? metrics.timeDsp(op, () => fn(...a)) : fn(...a);

  const wrapResampler = (r: Resampler): Resampler => ({
    get fromHz() {
      return r.fromHz;
    },
    get toHz() {
      return r.toHz;
    },
    push: timed('resample', (pcm: Int16Array) => r.push(pcm)),
    pushBytes: timed('resample', (b: Uint8Array) => r.pushBytes(b)),
    pushUlaw: timed('resample', (pcm: Int16Array) => r.pushUlaw(pcm)),
    flush: () => r.flush(),
    info: () => r.info(),
  });

  return {
    ulawEncode: timed('ulaw_encode', (pcm: Int16Array) => dsp.ulawEncode(pcm)),
    ulawDecode: timed('ulaw_decode', (mulaw: Uint8Array) => dsp.ulawDecode(mulaw)),
    frameFeatures: timed('frame_features', (pcm: Int16Array, n: number) => dsp.frameFeatures(pcm, n)),
    createResampler: (from: number, to: number) => wrapResampler(dsp.createResampler(from, to)),
    setForceScalar: (on: boolean) => dsp.setForceScalar(on),
    kernels: () => dsp.kernels(),
    designTaps: (from: number, to: number) => dsp.designTaps(from, to),
    // Not timed: a key press renders once, and tone detection has its own figures (bench/dsp.ts, docs/benchmarks/dsp.md).
    dtmfRender: (keys: string, toneMs: number, gapMs: number) => dsp.dtmfRender(keys, toneMs, gapMs),
    createToneDetector: (opts: { dtmf: boolean; beep: boolean }) => dsp.createToneDetector(opts),
  };
}
