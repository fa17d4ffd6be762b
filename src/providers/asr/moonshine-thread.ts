import { Worker } from 'node:worker_threads';
import { returnFreedMemory, type LoadDspOptions } from '../../dsp/index.js';
import { AppError } from '../../errors.js';
import type { LineTranscriber, Transcript } from './moonshine.js';
import { WaitingRequests, type FromMoonshine, type ToMoonshine } from './moonshine-requests.js';
import type { AsrContext } from './types.js';

// Moonshine on a thread of its own, shared by the server's decoding threads (offline-workers.ts). On a decoding
// thread a transcription ran between the frames of the live streams there: onnxruntime-node starts each decoder
// step from the event loop, and each waited behind the grammar decoder's backlog. An 11 s answer over music took
// 1.8 s instead of 0.3 s, a 0.5 s one 0.25–0.45 s, so the turn's final came 1.7–2.5 s after her last word
// (docs/benchmarks/asr-noise.md). One model for the process, too, where each decoding thread loaded its own
// (150–200 MB each). The thread starts with the first request and stops after `idleMs` without one, and its
// memory goes with it. A thread that dies, or leaves a request unanswered past its deadline (an onnxruntime run
// that never returns would otherwise hold every noisy call's finals, which are delivered in order), fails what it
// held and is stopped; requests in the next `restartAfterMs` fail at once (a thread that cannot start is not
// started again for every utterance), then a request starts a new one.

export interface MoonshineThreadOptions {
  /** How the thread loads the DSP addon (its resampler: line audio to the model's 16 kHz). */
  dsp?: LoadDspOptions | undefined;
  /** Stopped after this long without a request (default 30 s: the gaps of a noisy call are shorter). */
  idleMs?: number | undefined;
  /** After the thread failed, requests fail at once for this long (default 5 s). */
  restartAfterMs?: number | undefined;
  /** The thread's script (tests: one that crashes or never answers); default moonshine-worker. */
  script?: URL | undefined;
}

/** A load may take seconds on a loaded machine (≈ 0.45 s of CPU on a quiet core). */
const LOAD_DEADLINE_MS = 30_000;
/**
 * A transcription's deadline: ≈ 25–35 ms of CPU per second of audio on a quiet core, an answer about classes about
 * 1.7× that (decoded twice, moonshine-bias.ts: 58 ms per second of a class list under music), so this is 5× that
 * and more.
 */
const TRANSCRIBE_DEADLINE_MS = 3000;
const TRANSCRIBE_DEADLINE_PER_AUDIO_S = 300;

type Ask = { op: 'load' } | { op: 'transcribe'; pcm: Int16Array; context?: AsrContext | undefined };

export class MoonshineThread implements LineTranscriber {
  #worker: Worker | undefined;
  readonly #waiting = new WaitingRequests();
  #idle: NodeJS.Timeout | undefined;
  /** Until then requests fail at once: the thread failed moments ago. */
  #failedUntil = 0;

  constructor(private readonly opts: MoonshineThreadOptions = {}) {}

  /** Whether the thread is running now (tests). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  async load(): Promise<void> {
    await this.#ask({ op: 'load' });
  }

  async transcribe(pcm: Int16Array, context?: AsrContext): Promise<Transcript> {
    return (await this.#ask({ op: 'transcribe', pcm: pcm.slice(), context })) ?? { text: '', confidence: 0 };
  }

  /** Stops the thread; what it held fails. The next request starts a new one. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    clearTimeout(this.#idle);
    this.#waiting.failAll(new AppError('PROVIDER_FAILED', 'Moonshine thread closed'));
    if (w) await w.terminate();
  }

  #ask(a: Ask): Promise<Transcript | undefined> {
    if (performance.now() < this.#failedUntil)
      return Promise.reject(new AppError('PROVIDER_FAILED', 'Moonshine thread failed moments ago'));
    const w = this.#start();
    const ms =
      a.op === 'load'
        ? LOAD_DEADLINE_MS
        : TRANSCRIBE_DEADLINE_MS + (a.pcm.length / 8000) * TRANSCRIBE_DEADLINE_PER_AUDIO_S;
    const { id, answer } = this.#waiting.add({
      ms,
      late: () => this.#broken(w, new AppError('PROVIDER_TIMEOUT', 'Moonshine did not answer')),
    });
    this.#settle();
    const m: ToMoonshine = { id, ...a };
    w.postMessage(m, a.op === 'transcribe' ? [a.pcm.buffer as ArrayBuffer] : []);
    return answer;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // Under a TypeScript loader (tests) this module is a .ts file and so is its worker.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const script = this.opts.script ?? new URL(`./moonshine-worker${ext}`, import.meta.url);
    const w = new Worker(script, { workerData: this.opts.dsp ?? {} });
    this.#worker = w;
    w.on('message', (m: FromMoonshine) => {
      this.#waiting.settle(m);
      this.#settle();
    });
    const die = (why: string) => (e?: unknown) =>
      this.#broken(w, new AppError('PROVIDER_FAILED', `Moonshine thread ${why}`, { cause: e }));
    w.on('error', die('crashed'));
    w.on('exit', die('exited'));
    w.on('messageerror', die('sent a message that could not be read'));
    return w;
  }

  /** The thread `w` failed: what it held fails, it is stopped, and requests fail at once for a while. */
  #broken(w: Worker, e: AppError): void {
    if (this.#worker !== w) return;
    this.#worker = undefined;
    clearTimeout(this.#idle);
    this.#failedUntil = performance.now() + (this.opts.restartAfterMs ?? 5000);
    this.#waiting.failAll(e);
    void w.terminate();
  }

  /** Referenced while a request waits; stopped after idleMs without one. */
  #settle(): void {
    clearTimeout(this.#idle);
    const w = this.#worker;
    if (!w) return;
    if (this.#waiting.size > 0) {
      w.ref();
      return;
    }
    w.unref();
    this.#idle = setTimeout(() => {
      if (this.#worker !== w || this.#waiting.size > 0) return;
      this.#worker = undefined;
      // The model's memory stays in the process's malloc arena (RSS) until the heap is trimmed.
      void w.terminate().then(() => returnFreedMemory(this.opts.dsp));
    }, this.opts.idleMs ?? 30_000).unref();
  }
}
