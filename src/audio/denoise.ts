import type { Dsp, Resampler } from '../dsp/types.js';
import { RNNOISE_FRAME as MODEL_FRAME, RNNOISE_HZ as MODEL_HZ, rnnoiseWasm, type RnnoiseWasm } from './rnnoise-wasm.js';

// Noise suppression for a call's 8 kHz caller audio: RNNoise (Xiph's recurrent-network denoiser, as WebAssembly in
// @echogarden/rnnoise-wasm). RNNoise works on 48 kHz frames of 480 samples, so the line's audio is brought up to
// 48 kHz and back down with the DSP addon's resampler (the band above 4 kHz is empty; RNNoise's bands there see
// silence and leave it alone). The denoiser is what the offline recogniser hears on a noisy line; whether it
// helps, and on which lines, is measured in bench/asr-noise.ts (docs/benchmarks/asr-noise.md).

const LINE_HZ = 8000;

/** One call's denoiser: 8 kHz PCM in, the same audio with the noise suppressed out (a few ms later). */
export interface Denoiser {
  /**
   * Denoises `pcm` (8 kHz, any length) and returns what is ready: about as many samples as went in, less what
   * waits for a whole 10 ms frame. Nothing is dropped, only delayed (by about 14 ms in all).
   */
  process(pcm: Int16Array): Int16Array;
  /** Frees the call's RNNoise state; process() after close() returns its input unchanged. */
  close(): void;
}

/** Makes a call's denoiser at once, e.g. between two frames of a call, once the module is loaded. */
export type DenoiserFactory = (dsp: Pick<Dsp, 'createResampler'>) => Denoiser;

/** Loads RNNoise's WebAssembly module (once per process, shared by every call). */
export async function loadDenoiserFactory(): Promise<DenoiserFactory> {
  const m = await rnnoiseWasm();
  return (dsp) => denoiserOn(m, dsp);
}

/**
 * A denoiser for one call. Every call has its own recurrent state (it follows that line's noise); the
 * WebAssembly module is loaded once per process and shared.
 */
export async function createDenoiser(dsp: Pick<Dsp, 'createResampler'>): Promise<Denoiser> {
  return (await loadDenoiserFactory())(dsp);
}

function denoiserOn(m: RnnoiseWasm, dsp: Pick<Dsp, 'createResampler'>): Denoiser {
  const state = m._rnnoise_create(0);
  if (!state) throw new Error('rnnoise_create failed');
  const inPtr = m._malloc(MODEL_FRAME * 4);
  const outPtr = m._malloc(MODEL_FRAME * 4);
  const up: Resampler = dsp.createResampler(LINE_HZ, MODEL_HZ);
  const down: Resampler = dsp.createResampler(MODEL_HZ, LINE_HZ);
  // 48 kHz samples waiting for a whole frame, and one frame's output as int16 for the way down.
  const pending = new Float32Array(MODEL_FRAME);
  let pendingLen = 0;
  const frameOut = new Int16Array(MODEL_FRAME);
  let closed = false;

  const run = (): Int16Array => {
    // The heap may have been replaced by another call's growth: take the view each frame.
    const heap = m.HEAPF32;
    heap.set(pending, inPtr >> 2);
    m._rnnoise_process_frame(state, outPtr, inPtr);
    const out = heap.subarray(outPtr >> 2, (outPtr >> 2) + MODEL_FRAME);
    // RNNoise keeps int16's scale in float; its gains are ≤ 1, so only rounding can reach the edges.
    for (let i = 0; i < MODEL_FRAME; i++) frameOut[i] = Math.max(-32768, Math.min(32767, Math.round(out[i] as number)));
    return down.push(frameOut);
  };

  return {
    process(pcm) {
      if (closed) return pcm;
      const hi = up.push(pcm);
      const parts: Int16Array[] = [];
      for (let o = 0; o < hi.length;) {
        const n = Math.min(hi.length - o, MODEL_FRAME - pendingLen);
        for (let i = 0; i < n; i++) pending[pendingLen + i] = hi[o + i] as number;
        pendingLen += n;
        o += n;
        if (pendingLen === MODEL_FRAME) {
          parts.push(run());
          pendingLen = 0;
        }
      }
      if (parts.length === 1) return parts[0] as Int16Array;
      const total = parts.reduce((s, p) => s + p.length, 0);
      const out = new Int16Array(total);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
    close() {
      if (closed) return;
      closed = true;
      m._rnnoise_destroy(state);
      m._free(inPtr);
      m._free(outPtr);
    },
  };
}
