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

/**
 * One detection, reported when it ended. Sample positions count from the detector's first sample. `tone`: a steady
 * single tone of 400-2,000 Hz lasting at least 120 ms (a voicemail beep); `cosine` is cos(2π·f/8000) of its mean
 * frequency (toneHz in src/dsp/tones.ts turns it into Hz).
 */
export type ToneDetection =
  | { kind: 'dtmf'; digit: string; startSample: number; samples: number }
  | { kind: 'tone'; cosine: number; startSample: number; samples: number };

/** Streaming tone detection on 8 kHz PCM: push any chunk sizes, in order. */
export interface ToneDetector {
  /** The detections that ended within this chunk, oldest first; null when none (the usual case). */
  push(pcm: Int16Array): ToneDetection[] | null;
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
  /**
   * DTMF keys (0-9 * # A-D; 'w' = half a second of silence) as μ-law 8 kHz: each key a Q.23 tone pair of `toneMs`
   * then `gapMs` of silence, both 70..2000 ms (RangeError otherwise). docs/dsp.md#dtmf-and-tones.
   */
  dtmfRender(keys: string, toneMs: number, gapMs: number): Uint8Array;
  /** A detector of DTMF keys and/or steady single tones (beeps), with its own state. */
  createToneDetector(opts: { dtmf: boolean; beep: boolean }): ToneDetector;
}

/** Rate pairs the pipeline uses; any pair with a reduced interpolation factor ≤ 1024 (4-192 kHz) works. */
export const SUPPORTED_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
