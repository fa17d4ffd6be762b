import { musicBed } from './music.js';
import { dbToGain, RATE, rms } from './synth.js';

// What a caller hears on hold: the gym's music (the same generated track as the room bed, sent straight down the
// line instead of under a voice) at a set long-term level, or line silence. Music on hold is mixed loud by the
// phone systems that play it; -20 dBFS RMS sits between speech and the loud end of what carriers pass.

export const HOLD_MUSIC_DBFS = -20;

export class HoldSound {
  readonly #read: (n: number) => Float32Array;
  readonly #gain: number;

  constructor(sound: 'music' | 'silence', seed: number, levelDbfs = HOLD_MUSIC_DBFS) {
    if (sound === 'silence') {
      this.#read = (n) => new Float32Array(n);
      this.#gain = 0;
      return;
    }
    const bed = musicBed(seed);
    // The level is set on the first half-minute (past the intro), measured once.
    const first = bed.read(30 * RATE);
    let pos = 0;
    this.#read = (n) => {
      if (pos + n <= first.length) {
        const out = first.subarray(pos, pos + n);
        pos += n;
        return out;
      }
      pos = Infinity;
      return bed.read(n);
    };
    this.#gain = (32768 * dbToGain(levelDbfs)) / Math.max(1e-9, rms(first));
  }

  /** The next `ms` of hold sound, 8 kHz PCM (clipped at full scale like a codec). */
  next(ms: number): Int16Array {
    const n = Math.round((ms * RATE) / 1000);
    const x = this.#read(n);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((x[i] as number) * this.#gain)));
    return out;
  }
}

/** A beep (a voicemail's "record after the tone"): a sine with 5 ms ramps so it does not click, 8 kHz PCM. */
export function toneBurst(hz: number, ms: number, levelDbfs = -10): Int16Array {
  const n = Math.round((ms * RATE) / 1000);
  const ramp = Math.min(40, Math.floor(n / 2));
  const amp = 32768 * dbToGain(levelDbfs) * Math.SQRT2;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = Math.round(amp * env * Math.sin((2 * Math.PI * hz * i) / RATE));
  }
  return out;
}
