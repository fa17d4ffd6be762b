import type { ActorOptions, AnyActorLogic } from 'xstate';
import { FRAME_MS } from '../telephony/dsp-port.js';

// The call actor's clock. Its delays (the end-of-turn waits, the barge-in confirmation, the re-prompt) measure
// what was heard on the line: "she has been silent 400 ms" means 400 ms of her audio, not 400 ms of our event
// loop. The two part when the loop stalls (a GC pause, a busy core, a burst of other calls): the gym's frames keep
// arriving and queue in the socket, and when the loop runs again Node fires the expired timers before it reads
// them. A plain clock then ends her turn in a pause she had already ended (thinking-pauses, with 150–450 ms
// stalls every 1.5 s: talked over 4, 3, 3, 4 and 1 times in five calls). So a delay here is due when the line
// has been heard up to its time: while the frames come in step with the wall it fires on the wall's timer as a
// plain one would (the next frame is not due yet); after a stall it waits for the queued frames, and as they are
// read the delays fire in the line's order (her voice confirmed before the end-of-turn wait that it cancels).
//
// Some delays mean the wall (the LLM's deadline, our own playback); the clock cannot tell them apart, so it bounds
// both ways: a delay never fires more than LINE_LEAD_MAX_MS before a plain timer would (one set while a backlog
// of frames is being read), and never more than LINE_LAG_MAX_MS after (frames that stop coming: a network gap).
// Before the first frame, while the line is paused (a keypad redirect between two streams) and after the stream
// ended, the wall alone counts.

type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/** How long a due delay waits for the line to catch up before it fires on the wall's time alone. */
export const LINE_LAG_MAX_MS = 1_000;
/** How much earlier than a plain timer a delay may fire when the line runs ahead of its wall time. */
export const LINE_LEAD_MAX_MS = 300;

interface Timer {
  readonly fn: () => void;
  /** Line time at which it is due; undefined when set before the first frame (the wall alone). */
  readonly lineDueMs: number | undefined;
  /** The wall's time at which a plain timer would fire. */
  readonly wallDueMs: number;
  handle: unknown;
  /** Its wall time has passed; the line's has not. */
  waiting: boolean;
}

/** The wall: timers, and what time it is (ms, monotonic). */
export type WallClock = Clock & { now(): number };

const wallClock: WallClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
  now: () => performance.now(),
};

export class LineClock implements Clock {
  readonly #wall: WallClock;
  /** The line heard up to here (call clock, ms); undefined until the first frame and after the line closed. */
  #heardMs: number | undefined;
  #closed = false;
  /** Delays on the line's time (lineDueMs set), not fired yet: every frame read may make some due. */
  readonly #pending = new Set<Timer>();

  constructor(wall: WallClock = wallClock) {
    this.#wall = wall;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const lineDueMs = this.#heardMs === undefined ? undefined : this.#heardMs + ms;
    const t: Timer = { fn, lineDueMs, wallDueMs: this.#wall.now() + ms, handle: undefined, waiting: false };
    if (lineDueMs !== undefined) this.#pending.add(t);
    t.handle = this.#wall.setTimeout(() => this.#wallDue(t), ms);
    return t;
  }

  /** How far the line has been heard (call clock, ms): undefined before the first frame, paused or closed. */
  get heardMs(): number | undefined {
    return this.#heardMs;
  }

  clearTimeout(t: Timer): void {
    this.#wall.clearTimeout(t.handle);
    this.#pending.delete(t);
  }

  /** The line has been heard up to `ms` (the start of the frame about to be handled): delays due by then fire. */
  heard(ms: number): void {
    if (this.#closed) return;
    this.#heardMs = ms;
    // Every frame of every call: no array unless a delay is due (the call's longest ones are always pending).
    let any = false;
    for (const t of this.#pending)
      if ((t.lineDueMs as number) <= ms) {
        any = true;
        break;
      }
    if (!any) return;
    // Insertion order is not due order when several came due in one burst of frames. One far from its wall time
    // fires on its wall timer instead (the line being past it by then).
    const latest = this.#wall.now() + LINE_LEAD_MAX_MS;
    const due = [...this.#pending].filter((t) => (t.lineDueMs as number) <= ms && t.wallDueMs <= latest);
    due.sort((a, b) => (a.lineDueMs as number) - (b.lineDueMs as number));
    for (const t of due) if (this.#pending.has(t)) this.#fire(t);
  }

  /**
   * No frames for a while, by design (Twilio stopped the stream for a keypad redirect; the next stream resumes the
   * call): the wall alone counts until the next frame. Delays already due on the wall fire now.
   */
  linePaused(): void {
    this.#heardMs = undefined;
    for (const t of this.#pending) {
      this.#pending.delete(t);
      if (t.waiting) this.#fire(t);
    }
  }

  /** The stream ended: no more frames will come, the wall alone counts from now on. */
  lineClosed(): void {
    this.#closed = true;
    this.linePaused();
  }

  #wallDue(t: Timer): void {
    // In step: the frame that would reach its time has not been due yet.
    if (t.lineDueMs === undefined || this.#heardMs === undefined || this.#heardMs + FRAME_MS >= t.lineDueMs)
      return this.#fire(t);
    t.waiting = true;
    t.handle = this.#wall.setTimeout(() => this.#fire(t), LINE_LAG_MAX_MS);
  }

  #fire(t: Timer): void {
    this.#wall.clearTimeout(t.handle);
    this.#pending.delete(t);
    t.fn();
  }
}
