import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream';
import type { InspectionEvent } from 'xstate';

// `scenarios --trace FILE`: every call machine's events and state changes as JSON lines, for taking a failed
// persona apart after the run (what the recogniser sent, what the evidence said, which state answered). The same
// events the Stately inspector gets (INSPECT=true), without a browser: a noisy line's call is minutes of them.
// Only the call machines themselves (not their invoked actors), and a state only when it changed. The file holds
// what the simulated callers were heard to say: it is for local runs, not for production calls.

export interface TraceLine {
  /** ms since the trace started. */
  readonly t: number;
  /** The call actor's session (one per call). */
  readonly call: string;
  readonly event?: unknown;
  readonly state?: unknown;
}

export class CallTrace {
  readonly #out: WriteStream;
  readonly #t0 = performance.now();
  readonly #last = new Map<string, string>();

  #failed: Error | undefined;

  constructor(path: string) {
    this.#out = createWriteStream(path, { flags: 'w' });
    // A trace that cannot be written must not end the run: the calls go on, close() reports it.
    this.#out.on('error', (e) => (this.#failed ??= e));
  }

  /** Pass as DemoEnvironment's `inspect`. */
  readonly inspect = (e: InspectionEvent): void => {
    if (e.actorRef.sessionId !== e.rootId) return;
    const call = e.actorRef.sessionId;
    if (e.type === '@xstate.event') this.#write({ t: this.#now(), call, event: e.event });
    else if (e.type === '@xstate.snapshot') {
      const value = (e.snapshot as { value?: unknown }).value;
      const key = JSON.stringify(value);
      if (this.#last.get(call) === key) return;
      this.#last.set(call, key);
      this.#write({ t: this.#now(), call, state: value });
    }
  };

  /** Resolves when the file is written; rejects with the first write error. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      finished(this.#out, (err) => {
        const failure = this.#failed ?? err;
        if (failure) reject(failure);
        else resolve();
      });
      this.#out.end();
    });
  }

  #now(): number {
    return Math.round(performance.now() - this.#t0);
  }

  // Runs inside the call actor's inspection: nothing here may throw into the call.
  #write(line: TraceLine): void {
    if (this.#failed) return;
    try {
      this.#out.write(JSON.stringify(line) + '\n');
    } catch (e) {
      this.#failed ??= e as Error;
    }
  }
}
