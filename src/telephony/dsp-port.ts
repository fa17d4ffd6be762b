// The part of the DSP addon contract (src/dsp/index.ts, TEAM.md) that telephony uses. Declared structurally
// so `loadDsp()` (native addon) and the pure-TS reference both fit, and tests can pass either.

export interface TelephonyResampler {
  push(pcm: Int16Array): Int16Array;
  /** s16le bytes; an odd trailing byte is carried into the next call. */
  pushBytes(s16le: Uint8Array): Int16Array;
  flush(): Int16Array;
}

export interface TelephonyDsp {
  ulawEncode(pcm: Int16Array): Uint8Array;
  ulawDecode(mulaw: Uint8Array): Int16Array;
  createResampler(fromHz: number, toHz: number): TelephonyResampler;
}

export const TWILIO_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = (TWILIO_RATE * FRAME_MS) / 1000;
/** μ-law encoding of digital silence (0 PCM). */
export const ULAW_SILENCE = 0xff;
