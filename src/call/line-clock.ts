import type { ActorOptions, AnyActorLogic } from 'xstate';

// The call actor's clock. Its delays (the end-of-turn waits, the barge-in confirmation, the re-prompt) measure
// what was heard on the line: "she has been silent 400 ms" means 400 ms of her audio, not 400 ms of our event
// loop. The two part when the loop stalls (a GC pause, a busy core, a burst of other calls): the gym's frames keep
// arriving and queue in the socket, and when the loop runs again Node fires the expired timers before it reads
// them. A plain clock then ends her turn in a pause she had already ended (thinking-pauses, with 150–450 ms
// stalls every 1.5 s: 4 false ends of turn in one call, each one the agent talking over her). So a delay here
// fires once it has passed on the wall *and* on the line (the frames heard so far): never earlier than a plain
// timer, and after a stall only when the queued frames show the silence really lasted. A line that stops
// sending frames (a stream that ended or is being redirected, a network gap) does not hold the call's timers:
// LINE_LAG_MAX_MS past the wall's time they fire anyway. Before the first frame the wall alone counts.

type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/** How long a due delay waits for the line to catch up before it fires on the wall's time alone. */
export const LINE_LAG_MAX_MS = 1_000;

interface Timer {
  readonly fn: () => void;
  /** Line time at which it is due; undefined when set before the first frame (the wall alone). */
  readonly lineDueMs: number | undefined;
  handle: unknown;
}

const wallClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

export class LineClock implements Clock {
  readonly #wall: Clock;
  /** The line heard up to here (call clock, ms); undefined until the first frame and after the line closed. */
  #heardMs: number | undefined;
  #closed = false;
  /** Due on the wall, waiting for the line to be heard that far. */
  readonly #waiting = new Set<Timer>();

  constructor(wall: Clock = wallClock) {
    this.#wall = wall;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t: Timer = { fn, lineDueMs: this.#heardMs === undefined ? undefined : this.#heardMs + ms, handle: undefined };
    t.handle = this.#wall.setTimeout(() => this.#wallDue(t), ms);
    return t;
  }

  clearTimeout(t: Timer): void {
    this.#wall.clearTimeout(t.handle);
    this.#waiting.delete(t);
  }

  /** The line has been heard up to `ms` (the start of the frame about to be handled): delays due by then fire. */
  heard(ms: number): void {
    if (this.#closed) return;
    this.#heardMs = ms;
    if (this.#waiting.size === 0) return;
    for (const t of this.#waiting) if ((t.lineDueMs ?? 0) <= ms) this.#fire(t);
  }

  /** The stream ended: no more frames will come, the wall alone counts from now on. */
  lineClosed(): void {
    this.#closed = true;
    this.#heardMs = undefined;
    for (const t of this.#waiting) this.#fire(t);
  }

  #wallDue(t: Timer): void {
    if (t.lineDueMs === undefined || this.#heardMs === undefined || this.#heardMs >= t.lineDueMs) return t.fn();
    this.#waiting.add(t);
    t.handle = this.#wall.setTimeout(() => this.#fire(t), LINE_LAG_MAX_MS);
  }

  #fire(t: Timer): void {
    this.#wall.clearTimeout(t.handle);
    this.#waiting.delete(t);
    t.fn();
  }
}
