import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import type { SynthesisOptions, TtsAudio, TtsProvider } from './types.js';

// Short lines the agent says again and again, across calls: its acknowledgements ("Thanks.", "Got it."), its
// questions ("What are your opening hours?"), its goodbye. Each was synthesised before by the same provider in
// the same voice and language, so the audio is kept (in memory, bounded, least recently used first out) and
// played again at once: no request, no first-byte wait (ElevenLabs' 150–300 ms, a flite thread's synthesis), no
// characters billed. A sentence is kept only after its whole audio arrived unbroken; an aborted, failed or
// stalled one is not. Long sentences carry a gym's own facts and are rarely said twice: never kept.
// Each provider of the failover list is wrapped on its own (src/providers/select.ts), so a hit speaks the voice
// that provider speaks; a hit tells the failover nothing about the provider's health (fallback.ts).

export interface PhraseCacheOptions {
  /** Bytes of audio kept across all providers; 0 keeps nothing. */
  readonly maxBytes: number;
  /** Longer text is never kept. */
  readonly maxChars?: number;
}

interface Phrase {
  readonly sampleRate: number;
  readonly model: string | undefined;
  readonly audio: Uint8Array;
}

/** A short line is a question or an acknowledgement; a sentence with the gym's hours in it is longer. */
const DEFAULT_MAX_CHARS = 64;

/** The audio of short lines, shared by the wrapped providers; a Map keeps insertion order, i.e. recency. */
export class PhraseCache {
  readonly #phrases = new Map<string, Phrase>();
  readonly #maxBytes: number;
  readonly maxChars: number;
  #bytes = 0;

  constructor(opts: PhraseCacheOptions) {
    this.#maxBytes = opts.maxBytes;
    this.maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#phrases.size;
  }

  get(key: string): Phrase | undefined {
    const p = this.#phrases.get(key);
    if (p === undefined) return undefined;
    this.#phrases.delete(key);
    this.#phrases.set(key, p);
    return p;
  }

  set(key: string, p: Phrase): void {
    if (p.audio.length > this.#maxBytes) return;
    const old = this.#phrases.get(key);
    if (old !== undefined) {
      this.#bytes -= old.audio.length;
      this.#phrases.delete(key);
    }
    this.#phrases.set(key, p);
    this.#bytes += p.audio.length;
    for (const [k, v] of this.#phrases) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#phrases.delete(k);
      this.#bytes -= v.audio.length;
    }
  }
}

/** Everything that changes the audio of a text: the provider, the voice (every provider's entry) and language. */
function phraseKey(provider: string, text: string, options: SynthesisOptions | undefined): string {
  const v = options?.voice;
  const voice = [
    v?.elevenlabs?.voiceId,
    v?.elevenlabs?.model,
    v?.elevenlabs?.stability,
    v?.elevenlabs?.similarity,
    v?.openai,
    v?.flite,
    v?.espeak,
  ];
  return JSON.stringify([provider, options?.language ?? '', voice, text]);
}

async function* replay(audio: Uint8Array, signal: AbortSignal): AsyncIterable<Uint8Array> {
  if (!signal.aborted) yield audio;
}

/** Passes the chunks on and keeps a copy; `done` gets the whole audio only when the stream ended unbroken. */
async function* keeping(
  chunks: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  maxBytes: number,
  done: (audio: Uint8Array) => void,
): AsyncIterable<Uint8Array> {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const c of chunks) {
    if (bytes <= maxBytes) {
      parts.push(c.slice());
      bytes += c.length;
    }
    yield c;
  }
  if (signal.aborted || bytes > maxBytes || bytes === 0) return;
  const audio = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    audio.set(p, at);
    at += p.length;
  }
  done(audio);
}

/** One provider with the shared cache in front of it. */
export class CachedTts implements TtsProvider {
  readonly name: string;
  readonly capabilities: TtsProvider['capabilities'];
  readonly speaks?: (language: string) => boolean;
  readonly warm?: (signal?: AbortSignal) => Promise<void>;
  readonly #inner: TtsProvider;
  readonly #cache: PhraseCache;
  readonly #onMetric: MetricSink;

  constructor(inner: TtsProvider, cache: PhraseCache, onMetric: MetricSink = noMetrics) {
    this.#inner = inner;
    this.#cache = cache;
    this.#onMetric = onMetric;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
    if (inner.speaks) this.speaks = (l) => inner.speaks?.(l) ?? true;
    if (inner.warm) this.warm = (s) => inner.warm?.(s) ?? Promise.resolve();
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    const line = text.trim();
    if (line.length === 0 || line.length > this.#cache.maxChars) return this.#inner.synthesize(text, signal, options);
    const key = phraseKey(this.name, line, options);
    const metric = bothSinks(this.#onMetric, options?.onMetric);
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      metric({ kind: 'tts-cache', provider: this.name, hit: true });
      const chunks = replay(hit.audio, signal);
      return { sampleRate: hit.sampleRate, provider: this.name, model: hit.model, cached: true, chunks };
    }
    metric({ kind: 'tts-cache', provider: this.name, hit: false });
    const audio = await this.#inner.synthesize(text, signal, options);
    // A sentence of 64 characters is about 5 s of speech: 240 kB at 24 kHz. More is not a short line.
    const maxBytes = audio.sampleRate * 2 * 8;
    return {
      ...audio,
      chunks: keeping(audio.chunks, signal, maxBytes, (pcm) =>
        this.#cache.set(key, { sampleRate: audio.sampleRate, model: audio.model, audio: pcm }),
      ),
    };
  }
}
