import type { Dsp } from '../dsp/types.js';
import { createGatedClassifier, type GateOptions } from './gate.js';
import { RNNOISE_FRAME as MODEL_FRAME, RNNOISE_HZ as MODEL_HZ, rnnoiseWasm } from './rnnoise-wasm.js';
import type { FrameClassifier } from './vad.js';

// RNNoise as a speech detector: Xiph's recurrent denoiser (@echogarden/rnnoise-wasm) estimates, for every 10 ms
// it processes, the probability that the frame holds voice (it needs that to decide how much to suppress). It
// works at 48 kHz in 480-sample frames: the line's 8 kHz is brought up with the addon's resampler, so a 20 ms
// frame is two RNNoise frames; the frame's probability is the larger of the two. Only the probability is used
// (the denoised audio is not brought back down). Behind the same gate as Silero. Measured, not the default
// (docs/benchmarks/vad.md).

export async function createRnnoiseClassifier(
  dsp: Pick<Dsp, 'frameFeatures' | 'createResampler'>,
  opts: GateOptions = {},
): Promise<FrameClassifier> {
  const m = await rnnoiseWasm();
  const state = m._rnnoise_create(0);
  if (!state) throw new Error('rnnoise_create failed');
  const io = m._malloc(MODEL_FRAME * 4);
  const out = m._malloc(MODEL_FRAME * 4);
  const up = dsp.createResampler(8000, MODEL_HZ);
  let filled = 0;
  let probability = 0;
  let closed = false;
  return createGatedClassifier(
    'rnnoise',
    dsp,
    {
      name: 'rnnoise',
      push(frame, active) {
        if (closed) throw new Error('rnnoise classifier is closed');
        // The resampler always follows the audio, so the model wakes up on continuous samples.
        const hi = up.push(frame);
        if (!active) return probability;
        let best = 0;
        for (let o = 0; o < hi.length;) {
          const n = Math.min(hi.length - o, MODEL_FRAME - filled);
          // The heap may have grown (another call's state): take the view now. RNNoise keeps int16's scale.
          const heap = m.HEAPF32;
          for (let i = 0; i < n; i++) heap[(io >> 2) + filled + i] = hi[o + i] as number;
          filled += n;
          o += n;
          if (filled === MODEL_FRAME) {
            best = Math.max(best, m._rnnoise_process_frame(state, out, io));
            filled = 0;
          }
        }
        probability = best;
        return probability;
      },
      sleep() {
        probability = 0;
      },
      reset() {
        // RNNoise's API has no reset; its noise estimate re-adapts within a few hundred ms of new audio.
        probability = 0;
        filled = 0;
      },
      close() {
        if (closed) return;
        closed = true;
        m._rnnoise_destroy(state);
        m._free(io);
        m._free(out);
      },
    },
    opts,
  );
}
