import type { Clock } from '../../campaigns/engine.js';
import { planNextAttempt } from '../../campaigns/policy/plan.js';
import { instantOf, localDateOf, localIso, minuteOfDay } from '../../campaigns/policy/local-time.js';
import { windowsOn } from '../../campaigns/policy/windows.js';
import type { PlanDecision, PlanInput, PlanNextAttempt } from '../../campaigns/types.js';

// The campaign demo's time. While any gym is on the line the simulated clock runs `rate` times as fast as the real
// one: the calls themselves are real-time audio, so a 15-minute backoff or a window's afternoon would otherwise
// pass at the speed of the calls beside it (a 50-gym campaign took an hour for its first zone's first hour). When
// nobody is on the line, nothing can happen before the next due dial, and the clock jumps there. A call then lasts
// `rate` times longer in simulated time; nothing the policy decides depends on a call's length.

export class FastClock implements Clock {
  #base: number;
  #anchor = performance.now();
  /** Simulated time jumped over, in ms. */
  skippedMs = 0;

  constructor(
    start: Date,
    private readonly rate = 1,
  ) {
    this.#base = start.getTime();
  }

  now(): Date {
    return new Date(this.#base + this.rate * (performance.now() - this.#anchor));
  }

  /** Moves the clock forward to `to` (never back). */
  jumpTo(to: Date): void {
    const now = this.now().getTime();
    if (to.getTime() <= now) return;
    this.skippedMs += to.getTime() - now;
    this.#base = to.getTime();
    this.#anchor = performance.now();
  }
}

/** The calling window a planned dial falls in, in the gym's local time ("2026-12-07T10:00"). */
export interface PlannedWindow {
  readonly from: string;
  readonly to: string;
  /** calling-window: the policy's window that day; hard-limits: a callback at the time the gym named. */
  readonly kind: 'calling-window' | 'hard-limits';
}

export interface Planned {
  readonly at: Date;
  readonly reason: string;
  readonly window: PlannedWindow | null;
}

/**
 * The policy as the server runs it, noting for each planned dial the window it falls in, per gym: the report shows
 * each attempt's window next to its local time, so "no call outside its window" can be checked from the JSON.
 */
export class PlanLog {
  readonly #byGym = new Map<string, Planned[]>();

  readonly plan: PlanNextAttempt = (input: PlanInput): PlanDecision => {
    const d = planNextAttempt(input);
    if (d.kind === 'call') {
      const list = this.#byGym.get(input.gym.gymId) ?? [];
      list.push({ at: d.at, reason: d.reason, window: windowAt(input, d.at) });
      this.#byGym.set(input.gym.gymId, list);
    }
    return d;
  };

  /** The latest plan for the gym due at or before `dialledAt`: the one the dial carried out. */
  planFor(gymId: number, dialledAt: Date): Planned | undefined {
    const list = this.#byGym.get(String(gymId)) ?? [];
    return list.filter((p) => p.at.getTime() <= dialledAt.getTime()).at(-1);
  }
}

function windowAt(input: PlanInput, at: Date): PlannedWindow | null {
  const tz = input.gym.timeZone;
  const rules = input.policy.window;
  const date = localDateOf(at, tz);
  const w = windowsOn(input.gym, date, rules).find((x) => x.start <= at && at < x.end);
  if (w) return { from: localIso(w.start, tz), to: localIso(w.end, tz), kind: 'calling-window' };
  // Outside every window: only a callback at the gym's own time is placed so (plan.ts), inside the hard limits.
  const from = instantOf(date, minuteOfDay(rules.earliest), tz);
  const to = instantOf(date, minuteOfDay(rules.latest), tz);
  if (from <= at && at < to) return { from: localIso(from, tz), to: localIso(to, tz), kind: 'hard-limits' };
  return null;
}
