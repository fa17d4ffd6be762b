import type { CallEmitted } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { createCallActor } from './call-actor.js';
import { stateString } from './state-string.js';
import type { CallEndState } from './wrap-up.js';

// The call actor seen from its session: what it emits and each state change go to the session's handlers, a
// failure or its end finishes the call; at the end, its final context (for the wrap-up) and a guarded stop.

export interface ActorHandlers {
  /** Bookkeeping of an emitted event (wrap-up, quality, ledger); a throw is logged, never escapes. */
  record(e: CallEmitted): void;
  /** Tells the observer (guarded by the caller). */
  emitted(e: CallEmitted): void;
  /** The state value, as a string, each time it changes. */
  state(s: string): void;
  /** The actor is done, stopped or failed (error); may be called more than once. */
  finish(error: Error | undefined): void;
}

/** Subscribes to the call actor's emitted events and snapshots. */
export function wireActor(actor: ReturnType<typeof createCallActor>, log: Logger, h: ActorHandlers): void {
  actor.on('*', (e) => {
    const ev = e as CallEmitted;
    // XState 5 lets an exception thrown by an emitted-event handler escape to the process, so nothing in
    // here may throw: a metrics or recorder bug must not end this call, let alone the others.
    try {
      h.record(ev);
    } catch (err) {
      // The write-queue already handles database outages; this is a bug in our own bookkeeping.
      log.error({ err: (err as Error).message, event: ev.type }, 'recording an emitted event failed');
    }
    h.emitted(ev);
  });
  let last = '';
  actor.subscribe({
    next: (snap) => {
      const s = stateString(snap.value);
      if (s !== last) {
        last = s;
        h.state(s);
      }
      if (snap.status === 'done') h.finish(undefined);
    },
    // One call's failure (a throwing guard, an actor bug) ends that call, never the process.
    error: (err) => h.finish(err instanceof Error ? err : new Error(String(err))),
    complete: () => h.finish(undefined),
  });
}

/** The call's final context as the wrap-up needs it (undefined if the actor cannot give one). */
export function finalContext(actor: ReturnType<typeof createCallActor>, log: Logger): CallEndState | undefined {
  try {
    const c = actor.getSnapshot().context;
    return {
      gymName: c.gymName,
      direction: c.direction,
      facts: c.facts,
      asked: c.asked,
      history: c.history,
      language: c.language,
    };
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'no final call context for the wrap-up');
    return undefined;
  }
}

/** Stopping the root actor stops every invoked child: ASR stream closed, LLM aborted, TTS cancelled. */
export function stopActor(actor: ReturnType<typeof createCallActor>, log: Logger): void {
  try {
    actor.stop();
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'stopping the call actor failed');
  }
}
