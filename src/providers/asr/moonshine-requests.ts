import { AppError } from '../../errors.js';
import type { LineTranscriber, Transcript } from './moonshine.js';
import type { AsrContext } from './types.js';

// A LineTranscriber's requests as they cross between threads: a decoding thread's streams ask through the pool,
// the pool asks the Moonshine thread (moonshine-thread.ts), and each answer finds its request by id.

export type ToMoonshine =
  { id: number; op: 'load' } | { id: number; op: 'transcribe'; pcm: Int16Array; context?: AsrContext | undefined };
/** The answer to a request; a failure travels as its message. */
export type FromMoonshine =
  { id: number; ok: true; transcript?: Transcript } | { id: number; ok: false; message: string };

/** Answers a request that crossed from another thread with `t`: the Moonshine thread's model, or that thread. */
export async function answerRequest(r: ToMoonshine, t: LineTranscriber): Promise<FromMoonshine> {
  try {
    if (r.op === 'load') {
      await t.load();
      return { id: r.id, ok: true };
    }
    return { id: r.id, ok: true, transcript: await t.transcribe(r.pcm, r.context) };
  } catch (e) {
    return { id: r.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

type Waiting = { resolve: (t: Transcript | undefined) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout };

/** Requests sent to another thread, waiting for their answers. */
export class WaitingRequests {
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;

  get size(): number {
    return this.#waiting.size;
  }

  /** A new request's id and its answer. Past `deadline` (if given) its `late` runs, which is to fail it. */
  add(deadline?: { ms: number; late: () => void }): { id: number; answer: Promise<Transcript | undefined> } {
    const id = this.#nextId++;
    const answer = new Promise<Transcript | undefined>((resolve, reject) => {
      const timer = deadline && setTimeout(deadline.late, deadline.ms);
      this.#waiting.set(id, { resolve, reject, ...(timer ? { timer } : {}) });
    });
    return { id, answer };
  }

  /** The answer `r` settles its request; one nobody waits for any more is dropped. */
  settle(r: FromMoonshine): void {
    const w = this.#waiting.get(r.id);
    if (!w) return;
    this.#waiting.delete(r.id);
    clearTimeout(w.timer);
    if (r.ok) w.resolve(r.transcript);
    else w.reject(new AppError('PROVIDER_FAILED', r.message, { retryable: false }));
  }

  failAll(e: Error): void {
    for (const w of this.#waiting.values()) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.#waiting.clear();
  }
}
