import type { Dsp, Resampler, ToneDetector } from '../dsp/types.js';

// The part of the DSP contract (src/dsp/types.ts, docs/dsp.md) that telephony uses, so `loadDsp()` (native
// addon) and the pure-TS reference both fit, and tests can pass either.

export type TelephonyResampler = Pick<Resampler, 'push' | 'pushBytes' | 'flush'>;

export interface TelephonyDsp {
  ulawEncode(pcm: Int16Array): Uint8Array;
  ulawDecode(mulaw: Uint8Array): Int16Array;
  createResampler(fromHz: number, toHz: number): TelephonyResampler;
  /** Tone detection (voicemail beeps, keys) on inbound audio; without it a stream listens for no tones. */
  createToneDetector?(opts: { dtmf: boolean; beep: boolean }): ToneDetector;
  /** DTMF keys as μ-law (the in-band keypad); without it a stream's keypad cannot play tones. */
  dtmfRender?: Dsp['dtmfRender'];
}

export const TWILIO_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = (TWILIO_RATE * FRAME_MS) / 1000;
/** μ-law encoding of digital silence (0 PCM). */
export const ULAW_SILENCE = 0xff;
