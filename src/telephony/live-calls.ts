import type { AnsweredBy } from '../../machines/events.js';

// Which calls this process is running, so that something learnt about a call outside its media stream (Twilio's
// asynchronous answering-machine verdict, amd.ts) reaches that call's handler. A verdict may arrive before the
// stream has started (Twilio answers, AMD listens, the stream connects): it is kept briefly and handed over when
// the stream registers.

export type LiveCallSink = (answeredBy: AnsweredBy) => void;

const EARLY_KEEP_MS = 60_000;

export class LiveCalls {
  readonly #sinks = new Map<string, LiveCallSink>();
  readonly #early = new Map<string, { answeredBy: AnsweredBy; timer: NodeJS.Timeout }>();

  /** The call's media stream started here; returns the unregister function (call it when the stream ends). */
  register(callId: string, sink: LiveCallSink): () => void {
    this.#sinks.set(callId, sink);
    const early = this.#early.get(callId);
    if (early !== undefined) {
      clearTimeout(early.timer);
      this.#early.delete(callId);
      sink(early.answeredBy);
    }
    return () => {
      if (this.#sinks.get(callId) === sink) this.#sinks.delete(callId);
    };
  }

  /**
   * Hands the verdict to the call's handler: 'delivered', or 'kept' for a stream that has not started here (yet).
   * The caller has already made sure the verdict is the call's and the first one (amd.ts).
   */
  deliver(callId: string, answeredBy: AnsweredBy): 'delivered' | 'kept' {
    const sink = this.#sinks.get(callId);
    if (sink !== undefined) {
      sink(answeredBy);
      return 'delivered';
    }
    const old = this.#early.get(callId);
    if (old !== undefined) clearTimeout(old.timer);
    const timer = setTimeout(() => this.#early.delete(callId), EARLY_KEEP_MS);
    timer.unref();
    this.#early.set(callId, { answeredBy, timer });
    return 'kept';
  }

  get size(): number {
    return this.#sinks.size;
  }
}
