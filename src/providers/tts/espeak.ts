import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SPEECH_LEVEL_DBFS } from '../../audio/level.js';
import { AppError } from '../../errors.js';
import { ESPEAK_SAMPLE_RATE, espeakEngine, synthesizeEspeak, type EspeakRequest } from './espeak-worker.js';
import { pcmChunks, speakableText, SynthesisWorker, workerExt, type Synthesised } from './synthesis-worker.js';
import type { SynthesisOptions, TtsAudio, TtsCapabilities, TtsProvider } from './types.js';

// Offline TTS for the languages flite does not speak: espeak-ng (formant synthesis, about a hundred languages)
// compiled to WebAssembly (@echogarden/espeak-ng-emscripten, GPL-3.0: README "Offline Spanish voice" says what that
// means for distribution). 22 050 Hz s16le mono, brought to −18 dBFS active speech like flite. The language comes
// with each request (SynthesisOptions.language, a BCP-47 tag); the voice variant (m1…m8, f1…f5, klatt…) from the
// request's voice or the provider's. Synthesis runs in its own worker thread (measured in docs/offline-stack.md).

export interface EspeakOptions {
  /** Language of a request that names none (BCP-47). Default en-US. */
  language?: string;
  /** espeak-ng voice variant (ESPEAK_VARIANT); undefined: espeak-ng's default voice of the language. */
  variant?: string | undefined;
  /** Speaking rate. espeak-ng's default is 175; 160 is easier to follow through an 8 kHz phone line. */
  wordsPerMinute?: number;
  /** Base pitch 0..99 (espeak-ng's default 50). */
  pitch?: number;
  chunkMs?: number;
  /** 'worker' (default) keeps synthesis off the event loop; 'inline' runs it on the caller's thread (tools, tests). */
  mode?: 'worker' | 'inline';
  /** A synthesis taking longer than this fails with PROVIDER_TIMEOUT and the worker is replaced. Default 10 s. */
  timeoutMs?: number;
  /** Active-speech level in dBFS (default −18); null keeps espeak-ng's own. */
  levelDbfs?: number | null;
}

export function espeakGluePath(): string {
  return createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten');
}

interface EspeakCatalogue {
  /** Lower-cased language tag → espeak-ng's name for its language file ("es-419", "en-US", "pt-BR"). */
  readonly languages: ReadonlyMap<string, string>;
  readonly variants: ReadonlySet<string>;
}
let catalogue: EspeakCatalogue | undefined;

/**
 * What the installed espeak-ng data holds, read from the package's own file manifest (the list its loader unpacks
 * from espeak-ng.data: lang/<family>/<tag> and voices/!v/<variant>), so a language is known without loading the engine.
 */
export function espeakCatalogue(): EspeakCatalogue {
  if (catalogue) return catalogue;
  const glue = readFileSync(espeakGluePath(), 'utf8');
  const languages = new Map<string, string>();
  for (const m of glue.matchAll(/espeak-ng-data\/lang\/(?:[a-z]+\/)*([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)"/g))
    if (m[1] !== undefined) languages.set(m[1].toLowerCase(), m[1]);
  const variants = new Set<string>();
  for (const m of glue.matchAll(/espeak-ng-data\/voices\/!v\/([A-Za-z0-9_]+)"/g)) if (m[1]) variants.add(m[1]);
  catalogue = { languages, variants };
  return catalogue;
}

/**
 * espeak-ng's language for a BCP-47 tag: the tag itself when espeak-ng has it ("es-419", "pt-BR"), Spanish outside
 * Spain as Latin American Spanish (seseo and its intonation suit Mexico and the US better than Castilian), otherwise
 * the primary language ("fr-CA" → "fr"). undefined: espeak-ng does not speak it.
 */
export function espeakLanguage(tag: string): string | undefined {
  const { languages } = espeakCatalogue();
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  const exact = languages.get(t);
  if (exact !== undefined) return exact;
  const [primary = '', region] = t.split('-');
  if (primary === 'es' && region !== undefined && region !== 'es' && languages.has('es-419'))
    return languages.get('es-419');
  return languages.get(primary);
}

export class EspeakTts implements TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities = { sampleRate: ESPEAK_SAMPLE_RATE, streaming: false };
  private readonly language: string;
  private readonly variant: string | undefined;
  private readonly wordsPerMinute: number;
  private readonly pitch: number;
  private readonly chunkBytes: number;
  private readonly mode: 'worker' | 'inline';
  private readonly levelDbfs: number | null;
  private readonly worker: SynthesisWorker<EspeakRequest>;
  private inline: { engine: ReturnType<typeof espeakEngine>; current: { voice?: string } } | undefined;

  constructor(opts: EspeakOptions = {}) {
    const language = opts.language ?? 'en-US';
    if (espeakLanguage(language) === undefined)
      throw new AppError('BAD_ARGUMENT', `espeak-ng does not speak "${language}"`);
    checkEspeakVariant(opts.variant);
    const wpm = opts.wordsPerMinute ?? 160;
    if (!(wpm >= 80 && wpm <= 450)) throw new AppError('BAD_ARGUMENT', 'wordsPerMinute must be within 80..450');
    const pitch = opts.pitch ?? 50;
    if (!(pitch >= 0 && pitch <= 99)) throw new AppError('BAD_ARGUMENT', 'pitch must be within 0..99');
    const level = opts.levelDbfs === undefined ? SPEECH_LEVEL_DBFS : opts.levelDbfs;
    if (level !== null && !(level >= -40 && level <= -6))
      throw new AppError('BAD_ARGUMENT', 'levelDbfs must be within -40..-6 dBFS, or null for espeak-ng’s own level');
    this.language = language;
    this.variant = opts.variant;
    this.wordsPerMinute = wpm;
    this.pitch = pitch;
    this.levelDbfs = level;
    this.chunkBytes = Math.max(2, Math.round(((opts.chunkMs ?? 100) * ESPEAK_SAMPLE_RATE) / 1000) * 2);
    this.mode = opts.mode ?? 'worker';
    this.name = opts.variant === undefined ? 'espeak' : `espeak:${opts.variant}`;
    this.worker = new SynthesisWorker({
      engine: 'espeak-ng',
      url: new URL(`./espeak-worker${workerExt(import.meta.url)}`, import.meta.url),
      workerData: { gluePath: espeakGluePath() },
      timeoutMs: opts.timeoutMs ?? 10_000,
    });
  }

  /** Every language the installed espeak-ng data has (Spanish, Portuguese, French, German, …; English too). */
  speaks(language: string): boolean {
    return espeakLanguage(language) !== undefined;
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    const clean = speakableText(text);
    const tag = options?.language ?? this.language;
    const language = espeakLanguage(tag);
    if (language === undefined)
      throw new AppError('PROVIDER_FAILED', `espeak-ng does not speak "${tag}"`, { retryable: false });
    const variant = options?.voice?.espeak ?? this.variant;
    signal.throwIfAborted();
    const req: EspeakRequest = {
      voice: variant === undefined ? language : `${language}+${variant}`,
      text: clean,
      wordsPerMinute: this.wordsPerMinute,
      pitch: this.pitch,
      levelDbfs: this.levelDbfs,
    };
    const { sampleRate, pcm } = this.mode === 'inline' ? await this.runInline(req) : await this.worker.run(req, signal);
    signal.throwIfAborted();
    return { sampleRate, provider: this.name, model: req.voice, chunks: pcmChunks(pcm, this.chunkBytes, signal) };
  }

  /** Stops the worker; pending syntheses fail. The provider can still be used afterwards (a new worker starts). */
  close(): Promise<void> {
    return this.worker.close();
  }

  private async runInline(req: EspeakRequest): Promise<Synthesised> {
    this.inline ??= { engine: espeakEngine(espeakGluePath()), current: {} };
    try {
      return synthesizeEspeak(await this.inline.engine(), req, this.inline.current);
    } catch (e) {
      throw new AppError('PROVIDER_FAILED', 'espeak-ng synthesis failed', { cause: e, retryable: false });
    }
  }
}

/** A variant must be one the installed data has (BAD_ARGUMENT naming a few that are). */
export function checkEspeakVariant(variant: string | undefined): void {
  if (variant === undefined) return;
  const { variants } = espeakCatalogue();
  if (!variants.has(variant))
    throw new AppError(
      'BAD_ARGUMENT',
      `espeak-ng has no voice variant "${variant}" (for example ${['m1', 'm3', 'f1', 'f3', 'klatt'].join(', ')})`,
    );
}
