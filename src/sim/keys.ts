import type { GymLine } from './line.js';

// The gym's phone system hears the caller's keys the way a real one does: as tones in the audio the caller sends
// (ITU-T Q.23 pairs), picked out by a DTMF detector. Never through Twilio's dtmf messages or any other side
// channel: a key the agent "pressed" that did not reach the line as a clean tone was not pressed.

/** A DTMF detector over consecutive 8 kHz PCM: returns each key once, when its tone has been recognised. */
export interface ToneKeyDetector {
  push(pcm: Int16Array): string[];
}

/** The shape of the DSP addon's tone detector (src/dsp): detections that ended in a chunk, or null. */
export interface ToneDetections {
  push(pcm: Int16Array): readonly { readonly kind: string; readonly digit?: string }[] | null;
}

/** The keys among a tone detector's detections (its beeps, if it reports any, are not keys). */
export function keysOf(d: ToneDetections): ToneKeyDetector {
  return {
    push: (pcm) => (d.push(pcm) ?? []).flatMap((e) => (e.kind === 'dtmf' && e.digit ? [e.digit] : [])),
  };
}

export interface HeardKey {
  readonly key: string;
  /** Call time (ms) the key was recognised. */
  readonly atMs: number;
}

/** Listens to everything the agent's side plays to the gym and reports the keys in it. */
export class KeyEars {
  readonly heard: HeardKey[] = [];
  readonly #listeners = new Set<(k: HeardKey) => void>();
  readonly #stop: () => void;

  constructor(line: GymLine, ulawDecode: (mulaw: Uint8Array) => Int16Array, detector: ToneKeyDetector) {
    this.#stop = line.onAgentAudio((mulaw) => {
      for (const key of detector.push(ulawDecode(mulaw))) {
        const k = { key, atMs: line.nowMs() };
        this.heard.push(k);
        for (const l of this.#listeners) l(k);
      }
    });
  }

  /** Every key heard, in order, as one string ("21"). */
  get keys(): string {
    return this.heard.map((k) => k.key).join('');
  }

  onKey(cb: (k: HeardKey) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  close(): void {
    this.#stop();
    this.#listeners.clear();
  }
}
