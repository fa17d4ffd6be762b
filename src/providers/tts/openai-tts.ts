import type { OpenAI } from 'openai';
import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import { OpenAiConnection } from '../openai-client.js';
import { toProviderError } from '../retry.js';
import type { SynthesisOptions, TtsAudio, TtsProvider } from './types.js';
import { checkedPcm } from './pcm-stream.js';

// OpenAI speech (tts-1-hd / alloy by default), `pcm` = raw 24 kHz s16le mono, streamed as it arrives.
// The SDK marks tts-1, tts-1-hd and gpt-4o-mini-tts deprecated with shutdown on 2027-01-06: this is a
// fallback only, and the provider order is configuration (TTS_PROVIDERS), so it can be dropped without code.

export interface OpenAiTtsOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  voice: string;
  onMetric?: MetricSink;
  client?: OpenAI;
}

const PROVIDER = 'openai-tts';
export const OPENAI_TTS_SHUTDOWN = '2027-01-06';

export class OpenAiTts implements TtsProvider {
  readonly name = PROVIDER;
  readonly capabilities = { sampleRate: 24000, streaming: true } as const;
  private readonly conn: OpenAiConnection;
  private readonly onMetric: MetricSink;

  constructor(private readonly opts: OpenAiTtsOptions) {
    this.onMetric = opts.onMetric ?? noMetrics;
    this.conn = new OpenAiConnection(opts);
  }

  /** Open a connection ahead of the first sentence. */
  warm(signal?: AbortSignal): Promise<void> {
    return this.conn.warm(signal);
  }

  /** Close idle keep-alive connections (shutdown). */
  close(): Promise<void> {
    return this.conn.close();
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    this.conn.used();
    const started = performance.now();
    let res: Response;
    try {
      res = await this.conn.client.audio.speech.create(
        {
          model: this.opts.model,
          voice: options?.voice?.openai ?? this.opts.voice,
          input: text,
          response_format: 'pcm',
        },
        { signal },
      );
    } catch (e) {
      throw toProviderError(PROVIDER, e);
    }
    const chunks = await checkedPcm(PROVIDER, res.body, res.headers.get('content-type'));
    const ms = performance.now() - started;
    bothSinks(this.onMetric, options?.onMetric)({ kind: 'tts-first-byte', provider: PROVIDER, ms });
    return { sampleRate: this.capabilities.sampleRate, chunks, provider: PROVIDER, model: this.opts.model };
  }
}
