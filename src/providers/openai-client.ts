import { OpenAI } from 'openai';
import { keepAliveHttp, Warmth, type KeepAliveHttp } from './http.js';

// The `openai` SDK client as both OpenAI providers (chat, speech) use it: built once per provider, never per
// request, on its own keep-alive connections, with the SDK's hidden retries off (our retry policy and the TTS
// failover decide; SDK retries would double the wait and hide the errors), and a warm-up that opens the
// connection before the first turn needs it.

export class OpenAiConnection {
  readonly client: OpenAI;
  readonly #http: KeepAliveHttp | undefined;
  readonly #warmth = new Warmth();

  constructor(opts: { apiKey: string; baseURL?: string | undefined; client?: OpenAI | undefined }) {
    this.#http = opts.client ? undefined : keepAliveHttp();
    this.client =
      opts.client ??
      new OpenAI({
        apiKey: opts.apiKey,
        ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
        maxRetries: 0,
        fetch: this.#http?.fetch,
      });
  }

  /** A request is about to use the connection (it stays warm without a warm-up). */
  used(): void {
    this.#warmth.used();
  }

  /** A cheap authenticated GET /v1/models, skipped while the connection is fresh. */
  async warm(signal?: AbortSignal): Promise<void> {
    if (!this.#warmth.due()) return;
    await this.client.models.list(signal ? { signal } : undefined);
  }

  /** Close idle keep-alive connections (shutdown). */
  async close(): Promise<void> {
    await this.#http?.close();
  }
}
