import { ANSWERED_BY, type AnsweredBy } from '../../machines/events.js';

// Which calls this process is running, so that something learnt about a call outside its media stream (Twilio's
// asynchronous answering-machine verdict, amd.ts) reaches that call's handler, once. A verdict can reach this
// process more than once: the webhook itself, the database's notification of it (call-events.ts; its echo comes
// back to the replica that recorded it), the catch-up after the listener reconnects, the check when the stream
// registers. The store records one verdict per call, so every copy is the same verdict: the first hand-over wins
// and the rest are dropped here. A verdict may also arrive before the stream has started (Twilio answers, AMD
// listens, the stream connects): it is kept briefly and handed over when the stream registers.

export type LiveCallSink = (answeredBy: AnsweredBy) => void;

export const isAnsweredBy = (v: string | null | undefined): v is AnsweredBy =>
  (ANSWERED_BY as readonly string[]).includes(v ?? '');

const EARLY_KEEP_MS = 60_000;

export interface LiveCallsOptions {
  /** A stream registered and no verdict has reached it yet: one may be recorded elsewhere (call-events.ts). */
  readonly registered?: (callId: string) => void;
}

interface Registration {
  readonly sink: LiveCallSink;
  delivered: boolean;
}

export class LiveCalls {
  readonly #o: LiveCallsOptions;
  readonly #calls = new Map<string, Registration>();
  readonly #early = new Map<string, { answeredBy: AnsweredBy; timer: NodeJS.Timeout }>();

  constructor(o: LiveCallsOptions = {}) {
    this.#o = o;
  }

  /** The call's media stream started here; returns the unregister function (call it when the stream ends). */
  register(callId: string, sink: LiveCallSink): () => void {
    const reg: Registration = { sink, delivered: false };
    this.#calls.set(callId, reg);
    const early = this.#early.get(callId);
    if (early !== undefined) {
      clearTimeout(early.timer);
      this.#early.delete(callId);
      this.deliver(callId, early.answeredBy);
    } else this.#o.registered?.(callId);
    return () => {
      if (this.#calls.get(callId) === reg) this.#calls.delete(callId);
    };
  }

  /**
   * Hands the verdict to the call's handler: 'delivered'; 'duplicate' when the call already has its verdict; 'kept'
   * for a stream that has not started here (yet). The caller has made sure the verdict is the call's recorded one.
   */
  deliver(callId: string, answeredBy: AnsweredBy): 'delivered' | 'duplicate' | 'kept' {
    const reg = this.#calls.get(callId);
    if (reg !== undefined) {
      if (reg.delivered) return 'duplicate';
      reg.delivered = true;
      reg.sink(answeredBy);
      return 'delivered';
    }
    const old = this.#early.get(callId);
    if (old !== undefined) clearTimeout(old.timer);
    const timer = setTimeout(() => this.#early.delete(callId), EARLY_KEEP_MS);
    timer.unref();
    this.#early.set(callId, { answeredBy, timer });
    return 'kept';
  }

  /** The call's stream runs here and its verdict has not reached it yet. */
  isWaiting(callId: string): boolean {
    return this.#calls.get(callId)?.delivered === false;
  }

  /** Every call whose stream runs here and whose verdict has not reached it. */
  waiting(): string[] {
    return [...this.#calls].filter(([, r]) => !r.delivered).map(([id]) => id);
  }

  get size(): number {
    return this.#calls.size;
  }
}
