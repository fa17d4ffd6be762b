import { FRAME_MS } from './dsp-port.js';

// One pacing clock for every outbound player of the process, instead of a 50 Hz timer per call. A player whose
// next frame is not due yet parks here; the clock ticks every 5 ms (a quarter frame, so players keep their own
// phase and their sends spread over the frame instead of leaving in one burst) and wakes the players filed under
// that tick (a timing wheel: a tick costs what it sends, not the number of calls). Because 20 ms is a whole number of ticks, every frame of a run leaves at the same offset from its
// slot (0-5 ms, covered by the lead): the grid at Twilio stays regular. Frames that become available (a new run of
// agent audio, TTS catching up) are sent by the player at once, never held for a tick.
//
// A timer only runs between I/O phases: after any hiccup (a GC pause, the process waiting for a core) the loop
// works through every socket that became readable meanwhile before timers run again, and at a few hundred calls
// that backlog alone takes tens of milliseconds, during which every due frame waits. `poll()` lets the busiest
// I/O callback (each inbound media message, 50 a second per call) run an overdue tick on the spot, so outgoing
// audio keeps its schedule while the backlog is worked off; it costs one clock read when nothing is due.

export interface Paced {
  /** When the next frame is due (performance.now() time base). */
  readonly dueAt: number;
  /**
   * Changes whenever the player parks or stops waiting (cleared, closed): an entry filed under another value is
   * stale and dropped at its tick, so a player cleared and re-parked before that tick is never woken twice.
   */
  readonly parkSeq: number;
  /** The slot came: send what is due; the player parks itself again if more is pending. */
  wake(): void;
}

export const PACING_TICKS_PER_FRAME = 4;
/** Slots of the timing wheel: 32 ticks = 160 ms ahead; a later slot waits in the last one and is re-filed. */
const WHEEL = 32;

/** Send lateness of every frame paced by one clock: 0.1 ms buckets up to 1 s (the load benchmark reads it). */
export class LatenessHistogram {
  readonly #buckets = new Uint32Array(10_000);
  #count = 0;
  #max = 0;

  record(ms: number): void {
    const b = Math.min(this.#buckets.length - 1, Math.max(0, Math.round(ms * 10)));
    this.#buckets[b] = (this.#buckets[b] as number) + 1;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  /** Frames later than `ms`. */
  over(ms: number): number {
    let n = 0;
    for (let b = Math.floor(ms * 10) + 1; b < this.#buckets.length; b++) n += this.#buckets[b] as number;
    return n;
  }

  percentile(p: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.ceil(p * this.#count);
    let seen = 0;
    for (let b = 0; b < this.#buckets.length; b++) {
      seen += this.#buckets[b] as number;
      if (seen >= rank) return b / 10;
    }
    return this.#max;
  }

  reset(): void {
    this.#buckets.fill(0);
    this.#count = 0;
    this.#max = 0;
  }
}

export class PacingClock {
  /** How late each frame left relative to its slot (the same figure as PlayerListener.frameSent). */
  readonly lateness = new LatenessHistogram();
  /** Frames the socket refused (uWS over its backpressure limit), all players of this clock. */
  framesDropped = 0;
  // A timing wheel: each tick visits only the players whose slot it is, not every parked player.
  readonly #wheel: Paced[][] = Array.from({ length: WHEEL }, () => []);
  /** parkSeq of each entry, parallel to #wheel. */
  readonly #seqs: number[][] = Array.from({ length: WHEEL }, () => []);
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() of the tick that slot #cursor belongs to. */
  #tickAt = 0;
  #cursor = 0;
  #count = 0;
  #ticking = false;

  constructor(periodMs = FRAME_MS / PACING_TICKS_PER_FRAME) {
    this.#periodMs = periodMs;
  }

  /** Entries in the wheel (cancelled ones leave at their tick). */
  get parked(): number {
    return this.#count;
  }

  park(p: Paced): void {
    if (this.#timer === undefined) {
      this.#tickAt = performance.now() + this.#periodMs;
      this.#arm();
    }
    this.#file(p);
  }

  #file(p: Paced): void {
    // The first tick at or after its due time (a tick counts as on time up to 0.5 ms early: timers have 1 ms steps).
    const ahead = Math.max(0, Math.ceil((p.dueAt - 0.5 - this.#tickAt) / this.#periodMs));
    const i = (this.#cursor + Math.min(ahead, WHEEL - 1)) % WHEEL;
    (this.#wheel[i] as Paced[]).push(p);
    (this.#seqs[i] as number[]).push(p.parkSeq);
    this.#count++;
  }

  #arm(): void {
    this.#timer = setTimeout(this.#onTimer, Math.max(0, this.#tickAt - performance.now()));
  }

  readonly #onTimer = (): void => this.#tick();

  /**
   * Runs the tick now if it is due (called from I/O callbacks: see the top of this file). Re-entry from a woken
   * player's own sends is ignored.
   */
  poll(): void {
    if (this.#timer === undefined || this.#ticking || performance.now() + 0.5 < this.#tickAt) return;
    clearTimeout(this.#timer);
    this.#tick();
  }

  #tick(): void {
    this.#ticking = true;
    try {
      this.#runDue();
    } finally {
      this.#ticking = false;
    }
  }

  #runDue(): void {
    // #timer stays set while ticking: a player woken here parks again relative to this tick, and must not re-base
    // the wheel (that would skip the remaining overdue slots after a stall and spread them one per tick).
    const now = performance.now();
    // Every slot whose tick time has passed (more than one after a stall), in order.
    while (this.#tickAt <= now + 0.5 && this.#count > 0) {
      const slot = this.#wheel[this.#cursor] as Paced[];
      const seqs = this.#seqs[this.#cursor] as number[];
      this.#wheel[this.#cursor] = [];
      this.#seqs[this.#cursor] = [];
      this.#count -= slot.length;
      this.#cursor = (this.#cursor + 1) % WHEEL;
      this.#tickAt += this.#periodMs;
      for (let k = 0; k < slot.length; k++) {
        const p = slot[k] as Paced;
        if (p.parkSeq !== seqs[k]) continue;
        if (p.dueAt - now < 0.5) p.wake();
        else this.#file(p); // parked beyond the wheel's horizon
      }
    }
    if (this.#count === 0) {
      this.#timer = undefined;
      return;
    }
    if (this.#tickAt <= now) this.#tickAt = now + this.#periodMs;
    this.#arm();
  }
}

/** The process-wide clock every player uses unless given another. */
export const sharedPacingClock = new PacingClock();
