import { FRAME_MS } from '../telephony/dsp-port.js';

// One timer for every simulated stream of a process (per speed): a load benchmark hosts a thousand simulated
// callers in one process, and a 50 Hz timer each would cost that process more than the server it measures.
// The clock ticks four times per frame; each tick steps every stream whose own 20 ms boundary has passed, so
// streams keep their own phase (they connected at different moments) and their frames stay spread over the
// 20 ms instead of leaving in one burst.

export interface ClockClient {
  /** Called on every tick; the client decides from performance.now() whether a frame is due. */
  tick(now: number): void;
}

const TICKS_PER_FRAME = 4;

class SharedClock {
  readonly #clients = new Set<ClockClient>();
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;

  constructor(speed: number) {
    this.#periodMs = FRAME_MS / speed / TICKS_PER_FRAME;
  }

  add(c: ClockClient): void {
    this.#clients.add(c);
    if (this.#timer === undefined) {
      this.#next = performance.now() + this.#periodMs;
      this.#arm();
    }
  }

  delete(c: ClockClient): void {
    this.#clients.delete(c);
    if (this.#clients.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, this.#next - performance.now()));
  }

  #fire(): void {
    const now = performance.now();
    for (const c of this.#clients) c.tick(now);
    // Ticks stay on their own grid; after a long stall the clock skips ahead rather than firing a burst.
    this.#next += this.#periodMs;
    if (this.#next < now) this.#next = now + this.#periodMs;
    if (this.#clients.size > 0) this.#arm();
    else this.#timer = undefined;
  }
}

const clocks = new Map<number, SharedClock>();

/** The process-wide clock for streams running at `speed`× real time. */
export function sharedClock(speed: number): Pick<SharedClock, 'add' | 'delete'> {
  let c = clocks.get(speed);
  if (c === undefined) {
    c = new SharedClock(speed);
    clocks.set(speed, c);
  }
  return c;
}
