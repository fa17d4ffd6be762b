import type { MetricSink } from '../providers/metrics.js';

// Spans as a call records them: plain data with performance.now() times, written to OpenTelemetry once their place
// in the trace is known (span-call-trace.ts). A provider request is a RequestSpan its wrapper fills in as the request
// goes (provider-spans.ts); its events come from the provider's own metrics, never from a second stopwatch.

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  readonly name: string;
  readonly at: number;
  readonly attributes?: Attributes | undefined;
}

export interface SpanRecord {
  readonly name: string;
  readonly kind: 'internal' | 'client';
  readonly start: number;
  end: number | undefined;
  readonly attributes: Attributes;
  readonly events: SpanEvent[];
  /** error.type of a failure: a code or a class name, never a message (it may quote what was said). */
  error: string | undefined;
}

export function stageRecord(name: string, start: number, end: number): SpanRecord {
  return { name, kind: 'internal', start, end, attributes: {}, events: [], error: undefined };
}

/** The error.type and HTTP status of anything thrown (ProviderError and AppError carry a code and a status). */
export function describeError(e: unknown): { type: string; status: number | undefined } {
  if (typeof e !== 'object' || e === null) return { type: typeof e, status: undefined };
  const { code, status, name } = e as { code?: unknown; status?: unknown; name?: unknown };
  const type = typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
  return { type, status: typeof status === 'number' ? status : undefined };
}

const MAX_EVENTS = 32;

export type RequestStatus = 'ok' | 'error' | 'aborted' | 'unfinished';

/** One request of a call to a provider (or to Twilio): ended once, the first end wins. */
export class RequestSpan {
  readonly record: SpanRecord;
  readonly #onEnd: (s: RequestSpan) => void;
  /** Failed attempts the provider reported (the last one too, when the request failed). */
  #errors = 0;
  /** Retries reported as such. */
  #retries = 0;

  constructor(name: string, attributes: Attributes, onEnd: (s: RequestSpan) => void) {
    this.record = {
      name,
      kind: 'client',
      start: performance.now(),
      end: undefined,
      attributes,
      events: [],
      error: undefined,
    };
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.record.end !== undefined;
  }

  set(key: string, value: AttributeValue | undefined): void {
    if (!this.ended && value !== undefined) this.record.attributes[key] = value;
  }

  event(name: string, attributes?: Attributes): void {
    if (!this.ended && this.record.events.length < MAX_EVENTS)
      this.record.events.push({ name, at: performance.now(), attributes });
  }

  /** A failed attempt that was retried or failed over (Twilio's hang-up retries report here). */
  retried(): void {
    this.#retries++;
  }

  /** The provider's metrics of this request (ConversationInput.onMetric, TtsRequest, AsrOpenOptions). */
  readonly metrics: MetricSink = (m) => {
    switch (m.kind) {
      case 'llm-first-token':
        return this.event('first_token', { duration_ms: Math.round(m.ms) });
      case 'tts-first-byte':
        return this.event('first_byte', { 'provider.name': m.provider, duration_ms: Math.round(m.ms) });
      case 'tts-cache':
        return m.hit ? this.event('phrase_cache_hit', { 'provider.name': m.provider }) : undefined;
      case 'tts-fallback':
        this.set('provider.fallback', true);
        return this.event('fallback', {
          from: m.provider,
          to: m.to ?? 'none',
          reason: m.reason,
          mid_stream: m.midStream,
        });
      case 'provider-error':
        this.#errors++;
        return this.event('attempt_failed', {
          'provider.name': m.provider,
          'error.type': m.code,
          ...(m.status === undefined ? {} : { 'http.response.status_code': m.status }),
          retryable: m.retryable,
        });
      case 'asr-reconnect':
        return this.event('reconnect', { replayed_ms: Math.round(m.replayedMs) });
      case 'asr-final-latency':
        return;
    }
  };

  end(status: 'ok' | 'aborted'): void {
    this.#finish(status, undefined);
  }

  fail(e: unknown): void {
    const { type, status } = describeError(e);
    this.set('http.response.status_code', status);
    this.#finish('error', type);
  }

  /** Still running when the call's spans had to be written (the call ended, the server stops). */
  unfinished(): void {
    this.#finish('unfinished', undefined);
  }

  #finish(status: RequestStatus, error: string | undefined): void {
    if (this.ended) return;
    // Attempts that failed before the last one: the last one's own failure is the span's error.
    const before = Math.max(0, this.#errors - (status === 'error' ? 1 : 0));
    this.set('provider.retries', this.#retries + before);
    this.set('provider.status', status);
    this.record.error = error;
    this.record.end = performance.now();
    this.#onEnd(this);
  }
}
