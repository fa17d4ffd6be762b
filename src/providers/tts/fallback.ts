import type { Logger } from 'pino';
import type { Resampler } from '../../dsp/types.js';
import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import { ProviderError, toProviderError } from '../retry.js';
import type { SynthesisOptions, TtsAudio, TtsProvider } from './types.js';

// Failover across an ordered list of TTS providers (TTS_PROVIDERS). A provider is left when it throws,
// answers something that is not audio (checked by each provider before its first byte is released), does
// not produce a first byte within the deadline, or fails/stalls mid-stream. Mid-stream, the sentence is
// restarted on the next provider: a repeated half-sentence is better than a missing one. Each provider
// has a circuit breaker so a dead one costs one deadline, not one per sentence.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (a permanent error such as 401 opens it at once). */
  failureThreshold: number;
  /** How long it stays open before one trial request is let through (half-open). */
  cooldownMs: number;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly opts: BreakerOptions,
    private readonly now: () => number,
  ) {}

  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.opts.cooldownMs) return 'half-open';
    return this.state;
  }

  get reopensAt(): number {
    return this.state === 'open' ? this.openedAt + this.opts.cooldownMs : this.now();
  }

  /** May a request go out now? Half-open lets exactly one trial through at a time. */
  tryAcquire(force = false): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (!force && this.now() - this.openedAt < this.opts.cooldownMs) return false;
      this.state = 'half-open';
      this.trialInFlight = false;
    }
    if (this.trialInFlight && !force) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.state = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  /** The request never reached the provider (a line replayed from memory): the half-open trial is still to come. */
  untried(): void {
    this.trialInFlight = false;
  }

  failure(permanent: boolean): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state === 'half-open' || permanent || this.failures >= this.opts.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}

export interface FallbackTtsOptions {
  providers: TtsProvider[];
  firstByteTimeoutMs: number;
  /** Longest silence between two chunks mid-stream before the provider counts as failed. */
  stallTimeoutMs?: number;
  breaker?: Partial<BreakerOptions>;
  /** Lets a provider with another sample rate take over mid-stream (e.g. flite at 16 kHz after 24 kHz). */
  createResampler?: (fromHz: number, toHz: number) => Pick<Resampler, 'pushBytes' | 'flush'>;
  now?: () => number;
  onMetric?: MetricSink;
  log?: Logger;
}

/** One sentence as it was asked for. */
interface TtsRequest {
  readonly text: string;
  readonly options: SynthesisOptions | undefined;
  /** The process-wide sink and the request's own (options.onMetric, a call's trace). */
  readonly report: MetricSink;
}

interface TtsAttempt {
  index: number;
  audio: TtsAudio;
  ac: AbortController;
  release: () => void;
}

const toBytes = (pcm: Int16Array) => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);

export class FallbackTts implements TtsProvider {
  readonly name: string;
  readonly capabilities: { sampleRate: number; streaming: boolean };
  private readonly breakers: CircuitBreaker[];
  private readonly onMetric: MetricSink;

  constructor(private readonly opts: FallbackTtsOptions) {
    const first = opts.providers[0];
    if (!first) throw new ProviderError('tts', 'CONFIG_INVALID', 'no TTS provider configured', { retryable: false });
    this.name = opts.providers.map((p) => p.name).join('>');
    this.capabilities = { sampleRate: first.capabilities.sampleRate, streaming: true };
    const now = opts.now ?? (() => performance.now());
    const b = { failureThreshold: 3, cooldownMs: 30_000, ...opts.breaker };
    this.breakers = opts.providers.map(() => new CircuitBreaker(b, now));
    this.onMetric = opts.onMetric ?? noMetrics;
  }

  breakerState(providerName: string): BreakerState | undefined {
    const i = this.opts.providers.findIndex((p) => p.name === providerName);
    return i < 0 ? undefined : this.breakers[i]?.current;
  }

  async synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio> {
    const tried = new Set<number>();
    // The call's voice goes with the sentence to whichever provider takes it, a failover's too.
    const req: TtsRequest = { text, options, report: bothSinks(this.onMetric, options?.onMetric) };
    const first = await this.startNext(req, signal, tried, undefined, undefined);
    const rate = first.audio.sampleRate;
    return {
      sampleRate: rate,
      provider: first.audio.provider,
      model: first.audio.model,
      cached: first.audio.cached,
      chunks: this.stream(req, signal, tried, first, rate),
    };
  }

  /**
   * Open the connections of the providers a sentence would go to now (closed or half-open breakers), so the
   * first sentence of a call pays no handshake. Rejects only when every warm-up failed.
   */
  async warm(signal?: AbortSignal): Promise<void> {
    const names: string[] = [];
    const tasks: Promise<void>[] = [];
    this.opts.providers.forEach((p, i) => {
      if (!p.warm || this.breakers[i]?.current === 'open') return;
      names.push(p.name);
      tasks.push(p.warm(signal));
    });
    const results = await Promise.allSettled(tasks);
    let first: { name: string; reason: unknown } | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      const name = names[i] ?? 'tts';
      first ??= { name, reason: r.reason };
      this.opts.log?.debug({ provider: name, err: String(r.reason) }, 'tts warm-up failed');
    });
    if (first && results.every((r) => r.status === 'rejected')) throw toProviderError(first.name, first.reason);
  }

  /**
   * Providers in configured order that speak the sentence's language, skipping tried ones and open breakers (unless
   * all are open).
   */
  private candidates(req: TtsRequest, tried: Set<number>, rate: number | undefined): number[] {
    const language = req.options?.language;
    const usable = this.opts.providers
      .map((p, i) => ({ p, i }))
      .filter(
        ({ p, i }) =>
          !tried.has(i) &&
          (language === undefined || p.speaks?.(language) !== false) &&
          (rate === undefined || p.capabilities.sampleRate === rate || !!this.opts.createResampler),
      )
      .map(({ i }) => i);
    const ready = usable.filter((i) => this.breakers[i]?.current !== 'open');
    if (ready.length > 0) return ready;
    // Everything is open: silence is worse than one more trial, so try the one that reopens first.
    const soonest = [...usable].sort((a, b) => (this.breakers[a]?.reopensAt ?? 0) - (this.breakers[b]?.reopensAt ?? 0));
    return soonest.slice(0, 1);
  }

  private async startNext(
    req: TtsRequest,
    signal: AbortSignal,
    tried: Set<number>,
    rate: number | undefined,
    previous: { name: string; error: ProviderError } | undefined,
  ): Promise<TtsAttempt> {
    const reasons: string[] = [];
    let last = previous?.error;
    let from = previous?.name;
    for (;;) {
      const list = this.candidates(req, tried, rate);
      if (list.length === 0) break;
      // A half-open breaker whose single trial is busy elsewhere is passed over while others remain.
      let index = list.find((i) => this.breakers[i]?.tryAcquire());
      if (index === undefined) {
        index = list[0] as number;
        this.breakers[index]?.tryAcquire(true);
      }
      tried.add(index);
      const provider = this.opts.providers[index] as TtsProvider;
      if (from !== undefined) {
        req.report({
          kind: 'tts-fallback',
          provider: from,
          to: provider.name,
          reason: last?.code ?? 'error',
          midStream: !!previous && from === previous.name,
        });
      }
      // With nothing left to fail over to, a late voice beats silence: the last resort gets no first-byte
      // deadline (the call machine's own provider deadline still covers the caller with a holding line).
      const lastResort = this.candidates(req, tried, rate).length === 0;
      try {
        const attempt = await this.attempt(index, provider, req, signal, lastResort);
        // A line replayed from the phrase cache says nothing about the provider's health: a half-open breaker
        // must not close on it, nor a failing provider's count reset.
        if (attempt.audio.cached === true) this.breakers[index]?.untried();
        else this.breakers[index]?.success();
        return attempt;
      } catch (e) {
        if (signal.aborted) throw e;
        const err = toProviderError(provider.name, e);
        this.breakers[index]?.failure(!err.retryable);
        req.report({
          kind: 'provider-error',
          modality: 'tts',
          provider: provider.name,
          code: err.code,
          status: err.status,
          retryable: err.retryable,
        });
        this.opts.log?.warn({ provider: provider.name, code: err.code, status: err.status }, 'tts provider failed');
        reasons.push(`${provider.name}: ${err.message}`);
        last = err;
        from = provider.name;
      }
    }
    if (from !== undefined)
      req.report({
        kind: 'tts-fallback',
        provider: from,
        to: undefined,
        reason: 'exhausted',
        midStream: !!previous,
      });
    const none = req.options?.language === undefined ? 'none available' : `none speaks "${req.options.language}"`;
    throw new ProviderError('tts', 'PROVIDER_FAILED', `every TTS provider failed (${reasons.join('; ') || none})`, {
      cause: last,
      retryable: true,
    });
  }

  private async attempt(
    index: number,
    provider: TtsProvider,
    req: TtsRequest,
    signal: AbortSignal,
    lastResort: boolean,
  ): Promise<TtsAttempt> {
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const release = () => signal.removeEventListener('abort', onAbort);
    let timer: NodeJS.Timeout | undefined;
    const pending = provider.synthesize(req.text, ac.signal, req.options);
    pending.catch(() => undefined); // the deadline may win the race; its rejection is expected then
    const deadline = new Promise<never>((_, reject) => {
      if (lastResort) return;
      timer = setTimeout(() => {
        const err = new ProviderError(
          provider.name,
          'PROVIDER_TIMEOUT',
          `no audio within ${this.opts.firstByteTimeoutMs} ms`,
          {
            retryable: true,
          },
        );
        ac.abort(err);
        reject(err);
      }, this.opts.firstByteTimeoutMs);
    });
    try {
      const audio = await Promise.race([pending, deadline]);
      return { index, audio, ac, release };
    } catch (e) {
      ac.abort();
      release();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async nextChunk(it: AsyncIterator<Uint8Array>, name: string): Promise<IteratorResult<Uint8Array>> {
    const ms = this.opts.stallTimeoutMs ?? this.opts.firstByteTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProviderError(name, 'PROVIDER_TIMEOUT', `audio stalled for ${ms} ms`, { retryable: true })),
        ms,
      );
    });
    try {
      return await Promise.race([it.next(), stall]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async *stream(
    req: TtsRequest,
    signal: AbortSignal,
    tried: Set<number>,
    first: TtsAttempt,
    rate: number,
  ): AsyncGenerator<Uint8Array> {
    let cur = first;
    let emitted = 0;
    try {
      for (;;) {
        const name = this.opts.providers[cur.index]?.name ?? 'tts';
        const resampler =
          cur.audio.sampleRate !== rate ? this.opts.createResampler?.(cur.audio.sampleRate, rate) : undefined;
        const it = cur.audio.chunks[Symbol.asyncIterator]();
        try {
          for (;;) {
            const r = await this.nextChunk(it, name);
            if (r.done) break;
            const out = resampler ? toBytes(resampler.pushBytes(r.value)) : r.value;
            if (out.length === 0) continue;
            emitted += out.length;
            yield out;
          }
          if (resampler) {
            const tail = toBytes(resampler.flush());
            if (tail.length > 0) yield tail;
          }
          return;
        } catch (e) {
          if (signal.aborted) throw e;
          const err = toProviderError(name, e);
          cur.ac.abort();
          cur.release();
          this.breakers[cur.index]?.failure(!err.retryable);
          req.report({
            kind: 'provider-error',
            modality: 'tts',
            provider: name,
            code: err.code,
            status: err.status,
            retryable: err.retryable,
          });
          this.opts.log?.warn(
            { provider: name, code: err.code },
            'tts stream failed mid-sentence; restarting it on the next provider',
          );
          // Keep the byte stream sample-aligned before another provider's audio follows.
          if (emitted % 2 === 1) {
            emitted++;
            yield new Uint8Array(1);
          }
          cur = await this.startNext(req, signal, tried, rate, { name, error: err });
        }
      }
    } finally {
      // Normal end, failure, or the consumer stopped listening (barge-in): release the HTTP request.
      cur.ac.abort();
      cur.release();
    }
  }
}
