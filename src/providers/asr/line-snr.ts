// How noisy a call's line is, from the level of its 20 ms frames over the last seconds: the spread between the
// loud frames (her speech, over whatever else is there) and the quiet ones (the gaps between her words, where
// only the room is left). A quiet line has gaps near digital silence, so the spread is large; music, chatter or
// traffic fill the gaps and the spread shrinks towards the SNR the line really has. It is a per-call estimate
// from the addon's frame energies (a histogram update per frame, no allocation), cheap enough to run on every
// call, and it decides whether the recogniser's input is denoised and whose words its finals carry (offline.ts).

export const LINE_POLICIES = ['never', 'always', 'noisy'] as const;
/** Whether something runs on every line, on none, or on noisy lines only (as measured here, per call). */
export type LinePolicy = (typeof LINE_POLICIES)[number];

/** Frame energies are binned per dB from -120 dBFS (the addon's floor) to 0. */
const FLOOR_DB = -120;
const BINS = 121;
/** The quiet end: gaps between words are well over a tenth of a conversation's frames. */
const QUIET_QUANTILE = 0.15;
/** The loud end: her speech, not the single loudest syllables. */
const LOUD_QUANTILE = 0.95;
/** Lines with less than this spread between speech and gaps are noisy (measured: docs/benchmarks/asr-noise.md). */
const NOISY_BELOW_SNR_DB = 30;
/** How far past the limits a noisy line must get to be quiet again (quietAgain), so a policy does not flap. */
const HYSTERESIS_DB = 6;
/** Gaps quieter than this are a quiet line (a phone line's own hiss is well below), never noisy. */
const NOISE_FLOOR_DBFS = -60;

export class LineSnr {
  readonly #hist = new Uint16Array(BINS);
  readonly #ring: Uint8Array;
  readonly #minFrames: number;
  #pos = 0;
  #count = 0;

  /**
   * @param windowFrames frames the estimate covers (default 10 s of 20 ms frames)
   * @param minFrames frames before there is an estimate at all (default 2 s)
   */
  constructor(windowFrames = 500, minFrames = 100) {
    this.#ring = new Uint8Array(windowFrames);
    this.#minFrames = minFrames;
  }

  /** One frame's energy in dBFS (the first of the addon's frameFeatures). */
  push(energyDb: number): void {
    const bin = Math.max(0, Math.min(BINS - 1, Math.round(energyDb - FLOOR_DB)));
    if (this.#count === this.#ring.length) this.#hist[this.#ring[this.#pos] as number]!--;
    else this.#count++;
    this.#ring[this.#pos] = bin;
    this.#hist[bin]!++;
    this.#pos = (this.#pos + 1) % this.#ring.length;
  }

  /** Loud frames over quiet frames in dB, or undefined before `minFrames` frames. */
  get snrDb(): number | undefined {
    if (this.#count < this.#minFrames) return undefined;
    return this.#quantile(LOUD_QUANTILE) - this.#quantile(QUIET_QUANTILE);
  }

  /**
   * Music, chatter or traffic between her words: too little spread, and gaps louder than a phone line's hiss. A
   * silent line (nothing between her words, or nothing at all) has no noise, whatever the spread. False before
   * there is an estimate.
   */
  get noisy(): boolean {
    const snr = this.snrDb;
    const floor = this.floorDb;
    return snr !== undefined && floor !== undefined && snr < NOISY_BELOW_SNR_DB && floor > NOISE_FLOOR_DBFS;
  }

  /** Clearly quiet: HYSTERESIS_DB past either of `noisy`'s limits. False before there is an estimate. */
  get quietAgain(): boolean {
    const snr = this.snrDb;
    const floor = this.floorDb;
    if (snr === undefined || floor === undefined) return false;
    return snr > NOISY_BELOW_SNR_DB + HYSTERESIS_DB || floor < NOISE_FLOOR_DBFS - HYSTERESIS_DB;
  }

  /** The level of the quiet frames (dBFS): the room under her voice, or undefined before `minFrames` frames. */
  get floorDb(): number | undefined {
    return this.#count < this.#minFrames ? undefined : this.#quantile(QUIET_QUANTILE);
  }

  #quantile(q: number): number {
    const want = q * this.#count;
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.#hist[b] as number;
      if (seen >= want) return b + FLOOR_DB;
    }
    return BINS - 1 + FLOOR_DB;
  }
}
