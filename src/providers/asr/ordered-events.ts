import type { AsrStreamEvent } from './types.js';

/**
 * A stream's events in the order of the audio they describe, when some of them (a final transcribed after its
 * utterance ended) are computed asynchronously: every event after a pending one waits for it. A recogniser that
 * sent the next utterance's partials before the last one's final would hand the call a final that seems to
 * answer what she is saying now.
 */
export class OrderedEvents {
  #tail: Promise<void> | undefined;
  #waiting = 0;

  constructor(private readonly deliver: (e: AsrStreamEvent) => void) {}

  emit(e: AsrStreamEvent): void {
    if (this.#tail === undefined) this.deliver(e);
    else this.#chain(async () => [e]);
  }

  /** Events that exist once `make` resolves (none if it rejects); later emits wait for them. `make` runs now. */
  later(make: Promise<AsrStreamEvent[]>): void {
    // Handled now, not when its turn comes: a rejection in the meantime would be an unhandled one.
    const events = make.catch(() => []);
    this.#chain(() => events);
  }

  /** Resolves once every pending event has been delivered. */
  drained(): Promise<void> {
    return this.#tail ?? Promise.resolve();
  }

  #chain(next: () => Promise<AsrStreamEvent[]>): void {
    this.#waiting++;
    this.#tail = (this.#tail ?? Promise.resolve())
      .then(next)
      .then((events) => {
        // A consumer that throws here has no caller to throw to; the events after it must still come.
        for (const e of events)
          try {
            this.deliver(e);
          } catch {
            continue;
          }
      })
      .finally(() => {
        if (--this.#waiting === 0) this.#tail = undefined;
      });
  }
}
