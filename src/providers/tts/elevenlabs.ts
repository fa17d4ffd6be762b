import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { keepAliveHttp, Warmth, type KeepAliveHttp } from '../http.js';
import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import { toProviderError } from '../retry.js';
import type { SynthesisOptions, TtsAudio, TtsProvider } from './types.js';
import { checkedPcm } from './pcm-stream.js';
import { elevenLabsModelFor } from './voice-catalogue.js';

// ElevenLabs streaming TTS (HTTP chunked), raw PCM at the configured rate. One request per sentence: the
// sentence splitter makes those arrive while the LLM is still writing. No SDK retries: the failover
// adapter moves to the next provider faster than a retry would.

export interface ElevenLabsTtsOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  voiceId: string;
  modelId: string;
  outputFormat: 'pcm_16000' | 'pcm_22050' | 'pcm_24000' | 'pcm_44100';
  stability: number;
  similarityBoost: number;
  speakerBoost: boolean;
  /**
   * SDK request timeout (it covers the wait for response headers). Kept short: the SDK does not clear this
   * timer when a request is aborted (e.g. by the failover deadline), so it lingers for its full length.
   */
  headersTimeoutMs?: number;
  onMetric?: MetricSink;
  client?: ElevenLabsClient;
}

const PROVIDER = 'elevenlabs';

export class ElevenLabsTts implements TtsProvider {
  readonly name = PROVIDER;
  readonly capabilities: { sampleRate: number; streaming: boolean };
  private readonly client: ElevenLabsClient;
  private readonly onMetric: MetricSink;
  private readonly http: KeepAliveHttp | undefined;
  private readonly warmth = new Warmth();

  constructor(private readonly opts: ElevenLabsTtsOptions) {
    this.capabilities = { sampleRate: Number(opts.outputFormat.slice(4)), streaming: true };
    this.onMetric = opts.onMetric ?? noMetrics;
    // One client for the process, on keep-alive connections that outlive the gaps between sentences and turns.
    this.http = opts.client ? undefined : keepAliveHttp();
    this.client =
      opts.client ??
      new ElevenLabsClient({
        apiKey: opts.apiKey,
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        maxRetries: 0,
        ...(this.http ? { fetch: this.http.fetch } : {}),
      });
  }

  /** Open a connection ahead of the first sentence (a cheap authenticated GET /v1/models). */
  async warm(signal?: AbortSignal): Promise<void> {
    if (!this.warmth.due()) return;
    await this.client.models.list({
      maxRetries: 0,
      timeoutInSeconds: (this.opts.headersTimeoutMs ?? 10_000) / 1000,
      ...(signal ? { abortSignal: signal } : {}),
    });
  }

  /** Close idle keep-alive connections (shutdown). */
  async close(): Promise<void> {
    await this.http?.close();
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    this.warmth.used();
    const started = performance.now();
    // The call's voice (a brand's or a flow variant's) with its own model and settings where it names them; the
    // model then follows the call's language (an English-only one gives way to its multilingual kind).
    const voice = options?.voice?.elevenlabs;
    const { modelId, languageCode } = elevenLabsModelFor(voice?.model ?? this.opts.modelId, options?.language);
    let res: Awaited<ReturnType<ReturnType<ElevenLabsClient['textToSpeech']['stream']>['withRawResponse']>>;
    try {
      res = await this.client.textToSpeech
        .stream(
          voice?.voiceId ?? this.opts.voiceId,
          {
            text,
            modelId,
            ...(languageCode === undefined ? {} : { languageCode }),
            outputFormat: this.opts.outputFormat,
            voiceSettings: {
              stability: voice?.stability ?? this.opts.stability,
              similarityBoost: voice?.similarity ?? this.opts.similarityBoost,
              useSpeakerBoost: this.opts.speakerBoost,
            },
          },
          {
            abortSignal: signal,
            maxRetries: 0,
            timeoutInSeconds: (this.opts.headersTimeoutMs ?? 10_000) / 1000,
          },
        )
        .withRawResponse();
    } catch (e) {
      throw toProviderError(PROVIDER, e);
    }
    const chunks = await checkedPcm(PROVIDER, res.data, res.rawResponse.headers.get('content-type'));
    const ms = performance.now() - started;
    bothSinks(this.onMetric, options?.onMetric)({ kind: 'tts-first-byte', provider: PROVIDER, ms });
    return { sampleRate: this.capabilities.sampleRate, chunks, provider: PROVIDER, model: modelId };
  }
}
