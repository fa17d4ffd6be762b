import { SILENT_DBFS } from '../audio/ulaw-level.js';

// How loud a call's line is without the caller: its noise floor and how high the room gets (music's beat, the
// singer, people talking, the agent's own echo), measured per call from the frames that are the line without her:
// every frame while the agent is talking (she listens then: this is exactly the sound a barge-in has to stand
// out from) and every frame the detector calls non-speech (the first seconds of the call, the gaps between her
// words). Her own speech level is tracked from her turns, so the line has a signal-to-noise ratio.
//
// Levels go into histograms of the last frames (0.5 dB bins): percentiles are robust to the few frames of hers
// that land in the background sample (a backchannel over the agent), and nothing here depends on the decisions
// made from it (a floor estimated only from frames judged "not her" would sink below the noise and lock up).
// Two windows: a long one for a stable estimate, a short one so that a louder part of a song raises the line's
// peak within two seconds instead of passing for her voice until the long window catches up.

const BIN_DB = 0.5;
const BINS = Math.ceil(-SILENT_DBFS / BIN_DB) + 1;

/** A sliding window of frame levels with percentile queries. */
class LevelWindow {
  readonly #ring: Uint16Array;
  readonly #counts = new Uint32Array(BINS);
  #next = 0;
  #size = 0;

  constructor(frames: number) {
    this.#ring = new Uint16Array(frames);
  }

  get size(): number {
    return this.#size;
  }

  push(levelDb: number): void {
    const bin = Math.min(BINS - 1, Math.max(0, Math.round((levelDb - SILENT_DBFS) / BIN_DB)));
    if (this.#size === this.#ring.length) this.#counts[this.#ring[this.#next] as number]!--;
    else this.#size++;
    this.#ring[this.#next] = bin;
    this.#counts[bin]!++;
    this.#next = (this.#next + 1) % this.#ring.length;
  }

  /** The level below which `fraction` of the window lies (dBFS); undefined when empty. */
  percentile(fraction: number): number | undefined {
    if (this.#size === 0) return undefined;
    const want = Math.max(1, Math.ceil(fraction * this.#size));
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.#counts[b] as number;
      if (seen >= want) return SILENT_DBFS + b * BIN_DB;
    }
    return 0;
  }
}

export interface NoiseFloorOptions {
  /** Long window of background frames (20 ms each); default 500 (10 s). */
  readonly longFrames?: number;
  /** Short window; default 100 (2 s). */
  readonly shortFrames?: number;
  /** Background frames needed before the floor is trusted; default 50 (1 s). */
  readonly minFrames?: number;
  /** Frames of her speech kept for her level; default 250 (5 s of speech). */
  readonly speechFrames?: number;
}

/** Percentile of background frames that stands for "how loud the room gets". */
const PEAK = 0.9;
/** Percentile of her speech frames that stands for her active speech level (pauses and weak consonants below). */
const SPEECH = 0.6;
/** A frame of hers counts for her level only this far over the floor (nearer, it is as much the room as her). */
const SPEECH_OVER_FLOOR_DB = 6;

export class NoiseFloor {
  readonly #long: LevelWindow;
  readonly #short: LevelWindow;
  readonly #speech: LevelWindow;
  readonly #minFrames: number;

  constructor(o: NoiseFloorOptions = {}) {
    this.#long = new LevelWindow(o.longFrames ?? 500);
    this.#short = new LevelWindow(o.shortFrames ?? 100);
    this.#speech = new LevelWindow(o.speechFrames ?? 250);
    this.#minFrames = o.minFrames ?? 50;
  }

  /** A frame of the line without her (the agent talking, or the detector hearing no speech). */
  background(levelDb: number): void {
    this.#long.push(levelDb);
    this.#short.push(levelDb);
  }

  /** A speech frame while she has the floor: counts for her level when it stands clear of the floor. */
  speech(levelDb: number): void {
    const floor = this.floorDb;
    if (floor !== undefined && levelDb >= floor + SPEECH_OVER_FLOOR_DB) this.#speech.push(levelDb);
  }

  /** The line's noise floor: the median background frame (dBFS); undefined until enough frames were heard. */
  get floorDb(): number | undefined {
    return this.#long.size < this.#minFrames ? undefined : this.#long.percentile(0.5);
  }

  /**
   * How loud the room gets: the 90th percentile of background frames over 10 s or, if the last 2 s are louder,
   * their median plus the 10 s window's spread.
   */
  get peakDb(): number | undefined {
    if (this.#long.size < this.#minFrames) return undefined;
    const long = this.#long.percentile(PEAK) as number;
    if (this.#short.size < this.#minFrames) return long;
    // The short window moves the long window's spread by how far its median moved: a louder part of a song lifts
    // the median of two seconds, a half-second backchannel of hers among them does not.
    const spread = long - (this.#long.percentile(0.5) as number);
    return Math.max(long, (this.#short.percentile(0.5) as number) + spread);
  }

  /** Her active speech level (dBFS), once a second of her speech stood clear of the floor. */
  get speechDb(): number | undefined {
    return this.#speech.size < 50 ? undefined : this.#speech.percentile(SPEECH);
  }

  /**
   * Her speech over the room's peak (dB): how far her voice stands out of the loud moments of the line. Until her
   * level is known, a telephone's nominal active speech level (-20 dBFS) stands in for it.
   */
  get snrDb(): number | undefined {
    const peak = this.peakDb;
    return peak === undefined ? undefined : (this.speechDb ?? NOMINAL_SPEECH_DBFS) - peak;
  }
}

/** Nominal active speech level on a telephone line (ITU-T P.56 levels sit at -16 to -26 dBFS). */
export const NOMINAL_SPEECH_DBFS = -20;
