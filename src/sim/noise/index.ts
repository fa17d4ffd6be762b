import { chatterBed } from './chatter.js';
import { hvacBed } from './hvac.js';
import { musicVocalsBed } from './music-vocals.js';
import { musicBed } from './music.js';
import { streetBed } from './street.js';
import { type Bed, dbToGain, RATE, rms } from './synth.js';

// Background beds for the simulated line (a gym's front desk is loud), made by code from a seed: no recorded
// audio, the same seed gives the same bed. `LineBackground` plays one under the receptionist's voice for the
// whole call at a set SNR: the bed's long-term RMS is set `snrDb` below her active speech level (ITU-T P.56
// style: the level while she speaks, pauses excluded), and it is added to the 8 kHz PCM before μ-law, as the
// room around a phone would be.

export const BACKGROUND_KINDS = ['music', 'music-vocals', 'chatter', 'street', 'hvac'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

export interface BackgroundSpec {
  readonly kind: BackgroundKind;
  /** Her active speech level over the bed's long-term RMS (dB). */
  readonly snrDb: number;
  readonly seed?: number | undefined;
}

export const DEFAULT_SNR_DB = 12;
export const DEFAULT_SEED = 1;

const BEDS: Record<BackgroundKind, (seed: number) => Bed> = {
  music: (seed) => musicBed(seed),
  'music-vocals': musicVocalsBed,
  chatter: chatterBed,
  street: streetBed,
  hvac: hvacBed,
};

export function createBed(kind: BackgroundKind, seed = DEFAULT_SEED): Bed {
  return BEDS[kind](seed);
}

/**
 * Seconds of bed rendered before the call, where its level is measured. Long enough to cover a song's quiet intro
 * and several sections, many passing cars and every talker of the chatter (a short window would set the level
 * from the intro and play the rest too loud), and most calls: the simulator shares its process with the server,
 * and synthesis during the call (a second of chatter takes about 10 ms of CPU, far more on a loaded machine)
 * would stall both. A longer call renders the rest a second at a time.
 */
export const PRERENDER_SECONDS = 120;

/** A bed at a set level, added frame by frame to the caller's line. */
export class LineBackground {
  readonly gain: number;
  readonly #bed: Bed;
  #ahead: Float32Array;
  #aheadPos = 0;

  constructor(spec: BackgroundSpec, speechLevelDbfs: number) {
    this.#bed = createBed(spec.kind, spec.seed);
    this.#ahead = this.#bed.read(PRERENDER_SECONDS * RATE);
    const target = 32768 * dbToGain(speechLevelDbfs - spec.snrDb);
    this.gain = target / Math.max(1e-9, rms(this.#ahead));
  }

  /** Adds the next `pcm.length` samples of the bed to `pcm` (8 kHz), clipping at full scale like a codec. */
  addTo(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i++) {
      if (this.#aheadPos >= this.#ahead.length) {
        this.#ahead = this.#bed.read(RATE);
        this.#aheadPos = 0;
      }
      const v = (pcm[i] as number) + (this.#ahead[this.#aheadPos++] as number) * this.gain;
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
  }
}
