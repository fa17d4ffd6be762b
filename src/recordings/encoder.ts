import { Worker } from 'node:worker_threads';
import type { RecordedAudio } from './tracks.js';

// Encodes finished recordings on one worker thread (encode-worker.ts), in the order the calls ended. The worker
// starts with the first recording and is unref'd while idle, so an idle process is not kept alive by it.

export interface EncodeJob {
  readonly id: number;
  readonly caller: Uint8Array;
  readonly agent: Uint8Array;
  readonly samples: number;
  readonly path: string;
}

export type EncodeResult =
  | { readonly id: number; readonly ok: true; readonly bytes: number; readonly cpuMs: number }
  | { readonly id: number; readonly ok: false; readonly error: string };

export interface Encoded {
  readonly bytes: number;
  /** CPU the worker spent on this recording (ms). */
  readonly cpuMs: number;
}

export class RecordingEncoder {
  #worker: Worker | undefined;
  #seq = 0;
  readonly #pending = new Map<number, { resolve(e: Encoded): void; reject(e: Error): void }>();

  /** Encodes `audio` as FLAC into `path`. The audio's buffers are handed to the worker (unusable here afterwards). */
  encode(audio: RecordedAudio, path: string): Promise<Encoded> {
    const id = ++this.#seq;
    const w = this.#ensure();
    return new Promise<Encoded>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      w.ref();
      // Copies of exactly the recorded length are transferred: no second copy in flight, nothing more than needed.
      const caller = audio.caller.slice();
      const agent = audio.agent.slice();
      const job: EncodeJob = { id, caller, agent, samples: audio.samples, path };
      w.postMessage(job, [caller.buffer, agent.buffer]);
    });
  }

  /** Recordings queued or being encoded. */
  get pending(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
    this.#failAll(new Error('the recording encoder was closed'));
  }

  #ensure(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    // Under a TypeScript loader (tests) this module is a .ts file and so is its worker.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const w = new Worker(new URL(`./encode-worker${ext}`, import.meta.url));
    w.unref();
    w.on('message', (r: EncodeResult) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) w.unref();
      if (p === undefined) return;
      if (r.ok) p.resolve({ bytes: r.bytes, cpuMs: r.cpuMs });
      else p.reject(new Error(`recording not encoded: ${r.error}`));
    });
    const gone = (why: string) => () => {
      if (this.#worker === w) this.#worker = undefined;
      this.#failAll(new Error(why));
    };
    w.on('error', gone('the recording encoder crashed'));
    w.on('exit', gone('the recording encoder exited'));
    this.#worker = w;
    return w;
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}
