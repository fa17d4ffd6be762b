import { toneHz } from '../dsp/tones.js';
import type { ToneDetector } from '../dsp/types.js';
import { TWILIO_RATE } from './dsp-port.js';

// The tone detector (src/dsp, native/src/tones.cc) on one stream's inbound audio, its detections moved from sample
// counts onto the stream clock the VAD and the call machine use. A voicemail's beep becomes the machine's
// TONE.BEEP; keys played by the gym's side (rare: Twilio reports the caller's keys itself) its DTMF.RECEIVED.

export type HeardTone =
  | { kind: 'dtmf'; digit: string; atMs: number; durationMs: number }
  | { kind: 'beep'; hz: number; atMs: number; durationMs: number };

export class ToneListener {
  readonly #detector: ToneDetector;
  #samples = 0;

  constructor(detector: ToneDetector) {
    this.#detector = detector;
  }

  /** `pcm` starts at stream time `atMs`; returns what ended in it (usually nothing). */
  push(pcm: Int16Array, atMs: number): HeardTone[] {
    const first = this.#samples;
    this.#samples += pcm.length;
    const found = this.#detector.push(pcm);
    if (found === null) return [];
    // Audio is contiguous at 8 kHz, so a detection that started in an earlier chunk is placed from this one.
    const at = (sample: number): number => Math.round(atMs + ((sample - first) * 1000) / TWILIO_RATE);
    const ms = (samples: number): number => Math.round((samples * 1000) / TWILIO_RATE);
    return found.map((d) =>
      d.kind === 'dtmf'
        ? { kind: 'dtmf', digit: d.digit, atMs: at(d.startSample), durationMs: ms(d.samples) }
        : { kind: 'beep', hz: toneHz(d.cosine), atMs: at(d.startSample), durationMs: ms(d.samples) },
    );
  }
}
