import { SILENT_DBFS } from '../audio/ulaw-level.js';

// The agent's own voice coming back on the caller's line (a speakerphone, a handset held away, a hybrid without
// an echo canceller) is speech, as loud as a quiet caller, and it arrives exactly while the agent talks: left
// alone, it would interrupt the agent with its own words. We know what we send and when, so the echo path is
// measured instead of guessed: the level envelope of the agent's frames (as the player sends them) is compared
// with the level envelope of the line at every delay up to a second, and where the two rise and fall together
// (correlation of dB levels), that delay and the level difference are the echo path. A frame of the line is
// then predicted to hold the agent's echo at (agent level that many frames ago) + (the path's gain), and caller
// speech must stand clearly above that prediction. No echo, or a line so noisy that the echo drowns, gives no
// correlation and so no prediction: nothing is suppressed on a guess.

const FRAME_MS = 20;
/** Delays searched, in frames: Twilio's round trip plus a mobile leg and a speakerphone stay under one second. */
const MAX_DELAY_FRAMES = 50;
const RING = 64;
/** An agent frame quieter than this is a pause, not voice: it says nothing about the echo path. */
const AGENT_ACTIVE_DBFS = -50;
/** Forgetting of the path statistics: about five seconds of agent speech. */
const DECAY = 1 - 1 / 250;
/** Agent frames (at the best delay) needed before a path is believed: two seconds of its speech. */
const MIN_WEIGHT = 100;
/** Correlation of the two envelopes that makes a path: well above what speech over unrelated noise gives. */
const MIN_CORRELATION = 0.6;

class LagStats {
  n = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;

  add(x: number, y: number): void {
    this.n = this.n * DECAY + 1;
    this.sx = this.sx * DECAY + x;
    this.sy = this.sy * DECAY + y;
    this.sxx = this.sxx * DECAY + x * x;
    this.syy = this.syy * DECAY + y * y;
    this.sxy = this.sxy * DECAY + x * y;
  }

  correlation(): number {
    if (this.n < MIN_WEIGHT) return 0;
    const vx = this.sxx / this.n - (this.sx / this.n) ** 2;
    const vy = this.syy / this.n - (this.sy / this.n) ** 2;
    if (vx <= 1e-6 || vy <= 1e-6) return 0;
    return (this.sxy / this.n - (this.sx / this.n) * (this.sy / this.n)) / Math.sqrt(vx * vy);
  }

  /** Mean of line level minus agent level (dB): the path's gain (echo return loss, negative). */
  gainDb(): number {
    return (this.sy - this.sx) / this.n;
  }
}

export interface EchoPathEstimate {
  readonly delayMs: number;
  readonly gainDb: number;
  readonly correlation: number;
}

export class EchoPath {
  readonly #levels = new Float32Array(RING).fill(SILENT_DBFS);
  readonly #slots = new Int32Array(RING).fill(-1);
  readonly #lags = Array.from({ length: MAX_DELAY_FRAMES + 1 }, () => new LagStats());
  #nextSlot = 0;
  #lastAgentSlot = -Infinity;
  #best: EchoPathEstimate | undefined;
  #sinceChoice = 0;

  /**
   * A frame the agent sent at stream time `atMs`. The player sends a run's first frames together (its lead), so
   * frames take consecutive slots from the moment they were sent: the slots are when they play, up to a constant.
   */
  agent(atMs: number, levelDb: number): void {
    const slot = Math.max(this.#nextSlot, Math.floor(atMs / FRAME_MS));
    this.#levels[slot % RING] = levelDb;
    this.#slots[slot % RING] = slot;
    this.#nextSlot = slot + 1;
    if (levelDb > AGENT_ACTIVE_DBFS) this.#lastAgentSlot = slot;
  }

  /** True while the agent's voice was sent within the last second (its echo can still be on the line). */
  agentAudible(atMs: number): boolean {
    return Math.floor(atMs / FRAME_MS) - this.#lastAgentSlot <= MAX_DELAY_FRAMES;
  }

  /** The path as measured now, if there is one. */
  get path(): EchoPathEstimate | undefined {
    return this.#best;
  }

  /**
   * A frame of the caller's line at stream time `atMs`: updates the path and returns the level (dBFS) the agent's
   * echo is predicted to have in it (SILENT_DBFS when there is no path or the agent was quiet then).
   */
  line(atMs: number, levelDb: number): number {
    const slot = Math.floor(atMs / FRAME_MS);
    if (slot - this.#lastAgentSlot > MAX_DELAY_FRAMES + 1) return SILENT_DBFS;
    for (let d = 0; d <= MAX_DELAY_FRAMES; d++) {
      const x = this.#agentAt(slot - d);
      if (x > AGENT_ACTIVE_DBFS) (this.#lags[d] as LagStats).add(x, levelDb);
    }
    // Choosing the best delay costs a pass over the lags; the path changes slowly, so every 10th frame is enough.
    if (++this.#sinceChoice >= 10) {
      this.#sinceChoice = 0;
      this.#choose();
    }
    const p = this.#best;
    if (p === undefined) return SILENT_DBFS;
    const d = p.delayMs / FRAME_MS;
    // One frame either side: the two legs' clocks jitter by a frame or so.
    const x = Math.max(this.#agentAt(slot - d - 1), this.#agentAt(slot - d), this.#agentAt(slot - d + 1));
    return x > AGENT_ACTIVE_DBFS ? x + p.gainDb : SILENT_DBFS;
  }

  #agentAt(slot: number): number {
    return this.#slots[((slot % RING) + RING) % RING] === slot
      ? (this.#levels[((slot % RING) + RING) % RING] as number)
      : SILENT_DBFS;
  }

  #choose(): void {
    let best: EchoPathEstimate | undefined;
    for (let d = 0; d <= MAX_DELAY_FRAMES; d++) {
      const s = this.#lags[d] as LagStats;
      const r = s.correlation();
      if (r >= MIN_CORRELATION && (best === undefined || r > best.correlation))
        best = { delayMs: d * FRAME_MS, gainDb: s.gainDb(), correlation: r };
    }
    this.#best = best;
  }
}
