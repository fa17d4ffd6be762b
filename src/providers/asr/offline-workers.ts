import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { returnFreedMemory, type LoadDspOptions } from '../../dsp/index.js';
import { AppError } from '../../errors.js';
import { MoonshineThread } from './moonshine-thread.js';
import { answerRequest, type FromMoonshine, type ToMoonshine } from './moonshine-requests.js';
import { OFFLINE_ASR_CAPABILITIES, type OfflineAsrOptions } from './offline.js';
import type { FromWorker, OfflineWorkerData, ToWorker, WireEvent } from './offline-worker.js';
import type { AsrContext, AsrOpenOptions, AsrProvider, AsrStream, AsrStreamEvent } from './types.js';

// The offline recogniser on worker threads: the same streams as OfflineAsr (offline.ts), decoding in
// offline-worker.ts, so that decoding and grammar compiles never hold the event loop that paces every call's
// audio and runs its statechart. Each stream lives on one thread (the one with the fewest streams when it opened);
// its audio, finalize() and context reach it in order, and its events come back the same way. A thread that dies
// ends its streams with a fatal error (the call carries on as with any recogniser failure) and is replaced for
// the next stream. Threads are referenced only while they hold a stream, so an idle provider never keeps the
// process alive, and a thread that has held none for `idleMs` is stopped: its isolate, decoders and WebAssembly
// memories go with it (a worker that does nothing never collects its garbage, so without this the memory of the
// busiest moment stayed for the life of the process: docs/benchmarks/memory.md). The next call starts a new thread
// off the event loop, ≈ 0.5 s of CPU more than a pooled decoder. Moonshine's transcriptions (noisy lines' finals)
// run on one thread of their own for all of them (moonshine-thread.ts); the threads' requests pass through here.

export interface OfflineAsrWorkersOptions {
  /** Decoding threads (ASR_OFFLINE_THREADS); default one per core but one, at least 1, at most 4. */
  threads?: number | undefined;
  /** How each thread loads the DSP addon (the server's own settings). */
  dsp?: LoadDspOptions | undefined;
  /** The recogniser's settings, as OfflineAsr takes them. */
  asr?: Omit<OfflineAsrOptions, 'dsp' | 'transcriber'> | undefined;
  /** A stream the thread has not opened by then fails (a first model load takes ≈ 1 s on a quiet core). */
  openTimeoutMs?: number | undefined;
  /** A thread without streams this long is stopped (default 10 s, as long as the pool keeps idle decoders). */
  idleMs?: number | undefined;
  /**
   * Where Moonshine runs: on its own thread for all of them (default), or on each decoding thread, between its
   * streams' frames (how it ran before; bench/moonshine-latency.ts measures one against the other).
   */
  moonshineOn?: 'own-thread' | 'decoding-threads' | undefined;
}

export function defaultAsrThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

type Opening = { resolve: () => void; reject: (e: Error) => void };

class DecodingThread {
  readonly worker: Worker;
  readonly streams = new Map<number, (e: WireEvent) => void>();
  readonly opening = new Map<number, Opening>();
  dead = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly data: OfflineWorkerData,
    private readonly idleMs: number,
    private readonly moonshine: MoonshineThread,
    private readonly onDeath: (t: DecodingThread) => void,
  ) {
    // Under a TypeScript loader (tests) this module is a .ts file and so is its worker.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.worker = new Worker(new URL(`./offline-worker${ext}`, import.meta.url), { workerData: data });
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    const die = (why: string) => (e?: unknown) => {
      if (this.dead) return;
      this.dead = true;
      clearTimeout(this.#idle);
      this.onDeath(this);
      const error = new AppError('PROVIDER_FAILED', `offline recogniser thread ${why}`, { cause: e });
      for (const o of this.opening.values()) o.reject(error);
      this.opening.clear();
      for (const deliver of this.streams.values()) deliver({ type: 'error', message: error.message, fatal: true });
      this.streams.clear();
    };
    this.worker.on('error', die('crashed'));
    this.worker.on('exit', die('exited'));
  }

  get load(): number {
    return this.streams.size + this.opening.size;
  }

  post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.dead) this.worker.postMessage(m, transfer);
  }

  /** Referenced while it holds a stream or an open in flight; stopped after idleMs without. */
  settle(): void {
    clearTimeout(this.#idle);
    if (this.load > 0) {
      this.worker.ref();
      return;
    }
    this.worker.unref();
    this.#idle = setTimeout(() => this.#retire(), this.idleMs).unref();
  }

  /** Idle: out of the provider's list first (no stream can pick it), then stopped. */
  #retire(): void {
    if (this.dead || this.load > 0) return;
    this.dead = true;
    this.onDeath(this);
    // What its calls had freed stays in the thread's malloc arena (RSS) until the heap is trimmed: 16-120 MB in
    // the soak (docs/benchmarks/memory.md).
    void this.worker.terminate().then(() => returnFreedMemory(this.data.dsp));
  }

  /** A request of the thread's streams, answered by the Moonshine thread (its failure travels as a message). */
  async #transcribe(r: ToMoonshine): Promise<FromMoonshine> {
    // Its streams are gone with it: their words would only delay other calls' finals.
    if (this.dead) return { id: r.id, ok: false, message: 'offline recogniser thread gone' };
    return answerRequest(r, this.moonshine);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'event') {
      this.streams.get(m.id)?.(m.event);
      return;
    }
    if (m.type === 'moonshine') {
      void this.#transcribe(m.request).then((reply) => this.post({ type: 'moonshine', reply }));
      return;
    }
    const o = this.opening.get(m.id);
    this.opening.delete(m.id);
    if (m.type === 'opened') o?.resolve();
    else o?.reject(new AppError('PROVIDER_FAILED', m.message, { retryable: false }));
  }
}

export class OfflineAsrWorkers implements AsrProvider {
  readonly name = 'soundswallower';
  readonly capabilities = OFFLINE_ASR_CAPABILITIES;
  readonly #threads: DecodingThread[] = [];
  readonly #size: number;
  readonly #data: OfflineWorkerData;
  readonly #openTimeoutMs: number;
  readonly #idleMs: number;
  readonly #moonshine: MoonshineThread;
  #nextId = 1;

  constructor(opts: OfflineAsrWorkersOptions = {}) {
    this.#size = Math.max(1, opts.threads ?? defaultAsrThreads());
    this.#data = { dsp: opts.dsp ?? {}, asr: opts.asr ?? {}, moonshineOn: opts.moonshineOn ?? 'own-thread' };
    this.#openTimeoutMs = opts.openTimeoutMs ?? 30_000;
    this.#idleMs = opts.idleMs ?? 10_000;
    this.#moonshine = new MoonshineThread({ dsp: this.#data.dsp });
  }

  /** Threads alive now (tests). */
  get threads(): number {
    return this.#threads.length;
  }

  async open(o: AsrOpenOptions): Promise<AsrStream> {
    o.signal?.throwIfAborted();
    const thread = this.#pick();
    const id = this.#nextId++;
    const opened = new Promise<void>((resolve, reject) => thread.opening.set(id, { resolve, reject }));
    thread.settle();
    thread.post({ type: 'open', id });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError('PROVIDER_TIMEOUT', 'offline recogniser did not start in time')),
        this.#openTimeoutMs,
      );
    });
    try {
      await Promise.race([opened, late]);
    } catch (e) {
      thread.opening.delete(id);
      thread.post({ type: 'close', id });
      thread.settle();
      throw e instanceof AppError
        ? e
        : new AppError('PROVIDER_FAILED', 'offline recogniser failed to start', { cause: e, retryable: false });
    } finally {
      clearTimeout(timer);
    }
    return new WorkerStream(thread, id, o);
  }

  /** Stops every thread; their open streams end with a fatal error. A later open starts new ones. */
  async close(): Promise<void> {
    const threads = this.#threads.splice(0);
    await Promise.all([...threads.map((t) => t.worker.terminate()), this.#moonshine.close()]);
  }

  #pick(): DecodingThread {
    const live = this.#threads;
    if (live.length < this.#size) {
      const t = new DecodingThread(this.#data, this.#idleMs, this.#moonshine, (dead) => {
        const i = live.indexOf(dead);
        if (i >= 0) live.splice(i, 1);
      });
      live.push(t);
      return t;
    }
    return live.reduce((a, b) => (b.load < a.load ? b : a));
  }
}

class WorkerStream implements AsrStream {
  #closed = false;

  constructor(
    private readonly thread: DecodingThread,
    private readonly id: number,
    o: AsrOpenOptions,
  ) {
    thread.streams.set(id, (e) => o.onEvent(fromWire(e)));
    o.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  push(mulaw: Uint8Array): void {
    if (this.#closed || mulaw.length === 0) return;
    // A copy of its own: the caller's bytes are often a view into a WebSocket message it reuses.
    const copy = mulaw.slice();
    this.thread.post({ type: 'push', id: this.id, mulaw: copy }, [copy.buffer]);
  }

  finalize(): void {
    if (!this.#closed) this.thread.post({ type: 'finalize', id: this.id });
  }

  setContext(context: AsrContext): void {
    if (!this.#closed) this.thread.post({ type: 'context', id: this.id, context });
  }

  hurry(): void {
    if (!this.#closed) this.thread.post({ type: 'hurry', id: this.id });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.thread.streams.delete(this.id);
      this.thread.post({ type: 'close', id: this.id });
      this.thread.settle();
    }
    return Promise.resolve();
  }
}

function fromWire(e: WireEvent): AsrStreamEvent {
  if (e.type !== 'error') return e;
  return { type: 'error', error: new AppError('PROVIDER_FAILED', e.message, { retryable: false }), fatal: e.fatal };
}
