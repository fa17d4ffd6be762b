import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDenoiserFactory, type DenoiserFactory } from '../../audio/denoise.js';
import { createVad, type CreateVadOptions, type Vad } from '../../audio/vad.js';
import type { Dsp } from '../../dsp/types.js';
import { AppError } from '../../errors.js';
import {
  DecoderPool,
  SEARCH_DEFAULTS,
  soundSwallowerDir,
  type DecoderLease,
  type SsDecoder,
  type SsModule,
} from './decoder-pool.js';
import { EXTRA_PRONUNCIATIONS, grammarWords } from './grammars.js';
import type { LinePolicy } from './line-snr.js';
import { thisThreadTranscriber, type LineTranscriber } from './moonshine.js';
import { OfflineAsrStream } from './offline-stream.js';
import type { AsrCapabilities, AsrOpenOptions, AsrProvider, AsrStream } from './types.js';
import type { Language } from '../../language/index.js';
import { RECOGNISER_LANGUAGES } from '../../language/support.js';

// Offline recognition with soundswallower (pocketsphinx in WASM, bundled en-us model at 8 kHz). It only does
// finite-state grammars, so every utterance is decoded against the grammar of the current dialogue step
// (setContext, see grammars.ts). Segmentation is ours (offline-stream.ts): a VAD (src/audio/vad.ts) opens an
// utterance on a voice edge (with 300 ms of pre-roll) and closes it on the silence edge, on finalize(), or at 15 s.
// An utterance whose words the grammar cannot explain comes out as an empty or low-confidence final; that is
// "didn't understand" for the caller of this API, never an exception.

export interface OfflineAsrOptions {
  /** The loaded DSP addon (μ-law decode, VAD features). */
  dsp: Pick<Dsp, 'ulawDecode' | 'frameFeatures' | 'createResampler'>;
  /**
   * The segmenter; `hybrid` unless given. Not the call's VAD_KIND: segmentation must decide on each pushed chunk
   * synchronously (a whole answer pushed at once, finalize() right after), and Silero answers a window later on
   * the event loop, so with it the recogniser lost answers (11/21 facts against 21/21, docs/benchmarks/asr-noise.md).
   */
  vad?: CreateVadOptions;
  /** Noise suppression in front of the decoder (denoise.ts): `never`, `always`, or `noisy` lines only (default). */
  denoise?: LinePolicy;
  /**
   * Whose words a final carries: Moonshine's (moonshine.ts) on `noisy` lines only (default), `always`, or
   * `never` (the grammar decoder's). The grammar decoder gives the partials either way.
   */
  moonshine?: LinePolicy;
  /** Who runs Moonshine: this thread's model unless given (the server's decoding threads share one thread's). */
  transcriber?: LineTranscriber;
  vadHears?: 'line' | 'denoised';
  /** Finals below this confidence are reported with empty text (not understood). */
  minConfidence?: number;
  /** Interval between partial results while an utterance is open. */
  partialEveryMs?: number;
  maxUtteranceMs?: number;
  /** Decoders kept for reuse after their stream closes (default 4). */
  maxIdleDecoders?: number;
  /** How long unused decoders are kept for reuse (default 10 s); then their memory is returned. */
  decoderIdleMs?: number;
  /**
   * Decoders per soundswallower instance (default 4). Each instance has its own WebAssembly memory, which only
   * grows; an instance is dropped, and its memory returned, once its calls have ended (decoder-pool.ts).
   */
  decodersPerInstance?: number;
  /** pocketsphinx settings over ours (beam widths etc.). */
  decoderConfig?: Record<string, string | number | boolean>;
  /** The search limit (maxhmmpf) where Moonshine writes the finals: NOISY_MAX_HMMPF unless given. */
  noisyMaxHmmpf?: number;
}

let smallDict: string | undefined;

/**
 * The model's dictionary cut down to the grammar words, written once per process to the temp directory.
 * Loading the full 134k-word dictionary costs most of a second per decoder; this makes opening a stream cheap.
 */
function grammarDictionary(modelDir: string): string {
  if (smallDict) return smallDict;
  const words = new Set(grammarWords());
  const lines = readFileSync(join(modelDir, 'en-us', 'dict.txt'), 'utf8')
    .split('\n')
    .filter((l) => words.has(l.slice(0, l.indexOf(' ')).replace(/\(\d+\)$/, '')));
  const text = `${lines.join('\n')}\n`;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'gym-agent-asr');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `dict-${hash}.txt`);
  if (!existsSync(path)) {
    // Written under a unique name and renamed, so concurrent processes never read a half-written file.
    const part = `${path}.${process.pid}.part`;
    writeFileSync(part, text);
    renameSync(part, path);
  }
  smallDict = path;
  return path;
}

/** The bundled acoustic model and dictionary. */
export function modelDir(): string {
  return join(soundSwallowerDir(), 'model');
}

export const OFFLINE_ASR_CAPABILITIES: AsrCapabilities = Object.freeze({
  interimResults: true,
  utteranceEnd: true,
  vadEvents: true,
  finalize: true,
  contextHints: true,
  confidence: false,
});

/** The recogniser on the calling thread. The server runs it on worker threads instead (offline-workers.ts). */
export class OfflineAsr implements AsrProvider {
  // The bundled acoustic model and the grammars are English (src/language/support.ts says what that means).
  readonly languages: readonly Language[] = RECOGNISER_LANGUAGES.offline;
  readonly name = 'soundswallower';
  readonly capabilities = OFFLINE_ASR_CAPABILITIES;

  /** Decoders of closed streams are reused (loading the acoustic model is the slow part). */
  private readonly pool: DecoderPool;

  constructor(private readonly opts: OfflineAsrOptions) {
    this.pool = new DecoderPool({
      create: (ss) => this.createDecoder(ss),
      perInstance: opts.decodersPerInstance ?? 4,
      maxIdle: opts.maxIdleDecoders ?? 4,
      idleMs: opts.decoderIdleMs ?? 10_000,
    });
  }

  /** soundswallower instances alive now, each with its own WebAssembly memory (tests, benchmarks). */
  get instances(): number {
    return this.pool.instanceCount;
  }

  async open(o: AsrOpenOptions): Promise<AsrStream> {
    o.signal?.throwIfAborted();
    let lease: DecoderLease;
    try {
      lease = await this.pool.acquire();
    } catch (e) {
      throw new AppError('PROVIDER_FAILED', 'offline recogniser failed to start', { cause: e, retryable: false });
    }
    let vad: Vad;
    try {
      vad = await createVad(this.opts.dsp, { kind: 'hybrid', ...this.opts.vad });
    } catch (e) {
      lease.release();
      throw new AppError('PROVIDER_FAILED', 'voice activity detector failed to start', { cause: e, retryable: false });
    }
    const policy = this.opts.denoise ?? 'noisy';
    let denoisers: DenoiserFactory | undefined;
    try {
      if (policy !== 'never') denoisers = await loadDenoiserFactory();
      // Loaded before the first utterance that needs it, where a missing model file is a clear error.
      if ((this.opts.moonshine ?? 'noisy') === 'always')
        await (this.opts.transcriber ?? thisThreadTranscriber(this.opts.dsp)).load();
    } catch (e) {
      vad.close();
      lease.release();
      throw new AppError('PROVIDER_FAILED', 'noise suppression or Moonshine failed to start', {
        cause: e,
        retryable: false,
      });
    }
    return new OfflineAsrStream(lease, vad, policy, denoisers, this.opts, o);
  }

  /** Frees the pooled decoders and the instances no open stream uses. Open streams keep working. */
  close(): void {
    this.pool.close();
  }

  private async createDecoder(ss: SsModule): Promise<SsDecoder> {
    const decoder = new ss.Decoder({
      ...SEARCH_DEFAULTS,
      dict: grammarDictionary(modelDir()),
      ...this.opts.decoderConfig,
      samprate: 8000,
      loglevel: 'FATAL',
    });
    try {
      await decoder.initialize();
      // Only what the dictionary lacks: adding an existing entry fails.
      const missing = EXTRA_PRONUNCIATIONS.filter(([w]) => decoder.lookup_word(w) === null);
      if (missing.length > 0) decoder.add_words(...missing);
      const unknown = grammarWords().filter((w) => decoder.lookup_word(w) === null);
      if (unknown.length > 0) throw new Error(`grammar words missing from the dictionary: ${unknown.join(', ')}`);
      return decoder;
    } catch (e) {
      decoder.delete();
      throw e;
    }
  }
}
