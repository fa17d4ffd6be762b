import { TWILIO_RATE, ULAW_SILENCE } from '../telephony/dsp-port.js';

// The two sides of a call as they were on the line, time-aligned on the call's clock: the gym's μ-law frames at
// their media timestamps, the agent's at the time each frame was due to play at Twilio (sent a lead ahead of it).
// Whatever no frame covers is silence. A barge-in's `clear` makes Twilio drop what it still held: cutAgent() erases
// the agent audio from that moment on, so the recording has what the gym heard, not what was sent. Everything here
// runs on the media path: a copy of 160 bytes per frame into a growing buffer, nothing else (encoding happens after
// the call, src/recordings/encode.ts).

const SAMPLES_PER_MS = TWILIO_RATE / 1000;
const INITIAL_SAMPLES = TWILIO_RATE * 60;

export const CALLER = 0;
export const AGENT = 1;
export type Channel = typeof CALLER | typeof AGENT;

/** What encoding needs: both channels, the same length, μ-law at 8 kHz. */
export interface RecordedAudio {
  readonly caller: Uint8Array;
  readonly agent: Uint8Array;
  readonly samples: number;
}

export class CallTracks {
  readonly #maxSamples: number;
  readonly #buf: [Uint8Array, Uint8Array];
  /** End (exclusive) of the audio written per channel. */
  readonly #end: [number, number] = [0, 0];
  #truncated = false;

  /** `maxMs`: the longest call that can be recorded (MAX_CALL_MS and a margin); audio after it is dropped. */
  constructor(maxMs: number) {
    this.#maxSamples = Math.ceil(maxMs * SAMPLES_PER_MS);
    const initial = Math.min(INITIAL_SAMPLES, this.#maxSamples);
    this.#buf = [new Uint8Array(initial).fill(ULAW_SILENCE), new Uint8Array(initial).fill(ULAW_SILENCE)];
  }

  /** True when audio past maxMs was dropped. */
  get truncated(): boolean {
    return this.#truncated;
  }

  get durationMs(): number {
    return Math.max(this.#end[CALLER], this.#end[AGENT]) / SAMPLES_PER_MS;
  }

  /** A frame of the gym's line starting at `atMs` on the call's clock. */
  caller(mulaw: Uint8Array, atMs: number): void {
    this.#write(CALLER, mulaw, atMs);
  }

  /** A frame of the agent's voice that plays at Twilio from `atMs` on the call's clock. */
  agent(mulaw: Uint8Array, atMs: number): void {
    this.#write(AGENT, mulaw, atMs);
  }

  /** Twilio dropped what it held at `atMs` (a `clear`): the agent said nothing from then on. */
  cutAgent(atMs: number): void {
    const from = Math.max(0, Math.round(atMs * SAMPLES_PER_MS));
    if (from >= this.#end[AGENT]) return;
    this.#buf[AGENT].fill(ULAW_SILENCE, from, this.#end[AGENT]);
    this.#end[AGENT] = from;
  }

  /** Both channels, cut to the same length (views of this object's buffers: take them once, at the end). */
  finish(): RecordedAudio {
    const samples = Math.max(this.#end[CALLER], this.#end[AGENT]);
    this.#grow(samples);
    return { caller: this.#buf[CALLER].subarray(0, samples), agent: this.#buf[AGENT].subarray(0, samples), samples };
  }

  #write(ch: Channel, mulaw: Uint8Array, atMs: number): void {
    if (!Number.isFinite(atMs) || atMs < 0) return;
    const at = Math.round(atMs * SAMPLES_PER_MS);
    let n = mulaw.length;
    if (at + n > this.#maxSamples) {
      this.#truncated = true;
      n = Math.max(0, this.#maxSamples - at);
      if (n === 0) return;
    }
    this.#grow(at + n);
    this.#buf[ch].set(n === mulaw.length ? mulaw : mulaw.subarray(0, n), at);
    if (at + n > this.#end[ch]) this.#end[ch] = at + n;
  }

  #grow(samples: number): void {
    const size = this.#buf[CALLER].length;
    if (samples <= size) return;
    const next = Math.min(this.#maxSamples, Math.max(samples, size * 2));
    for (const ch of [CALLER, AGENT] as const) {
      const b = new Uint8Array(next).fill(ULAW_SILENCE, size);
      b.set(this.#buf[ch]);
      this.#buf[ch] = b;
    }
  }
}
