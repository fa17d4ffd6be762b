// The DSP contract (docs/dsp.md). Implemented by the native addon (src/dsp/index.ts) and by the pure-TS reference
// (src/dsp/reference/), which must produce bit-identical output.

export interface Resampler {
  readonly fromHz: number;
  readonly toHz: number;
  /** Output samples produced by this chunk; state carries over, so any chunking gives the same stream. */
  push(pcm: Int16Array): Int16Array;
  /** Little-endian int16 bytes; an odd trailing byte is kept and joined with the next call's first byte. */
  pushBytes(s16le: Uint8Array): Int16Array;
  /** Resample then μ-law encode in one call (the outbound leg of a call). */
  pushUlaw(pcm: Int16Array): Uint8Array;
  /** Drains the filter delay (feeds zeros) and resets the state; a dangling odd byte is dropped. */
  flush(): Int16Array;
  /** Design figures: phases (L), decimation (M), taps per phase, group delay. */
  info(): ResamplerInfo;
}

export interface ResamplerInfo {
  phases: number;
  decimation: number;
  tapsPerPhase: number;
  groupDelayMs: number;
  pendingByte: boolean;
}

export interface Dsp {
  ulawEncode(pcm: Int16Array): Uint8Array;
  ulawDecode(mulaw: Uint8Array): Int16Array;
  createResampler(fromHz: number, toHz: number): Resampler;
  /** Per whole frame 3 floats: energy dBFS (floor -120), 300-3400 Hz energy share (0..1), zero-crossing rate. */
  frameFeatures(pcm: Int16Array, frameSamples: number): Float32Array;
  /** Process-wide: force the portable scalar kernels (output is identical, only speed changes). */
  setForceScalar(on: boolean): void;
  /** Name of the kernels in use: 'avx512vnni' | 'avx2' | 'sse2' | 'neon' | 'scalar' (TS reference: 'ts-reference'). */
  kernels(): string;
  /** Quantised prototype filter (scale 2^21) for a rate pair; used by the parity tests. */
  designTaps(fromHz: number, toHz: number): Int32Array;
}

/** Rate pairs the pipeline uses; any pair with a reduced interpolation factor ≤ 1024 (4-192 kHz) works. */
export const SUPPORTED_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
