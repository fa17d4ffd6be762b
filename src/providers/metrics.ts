// Per-turn timing hooks of the providers. Providers call `onMetric` (given at construction), which main.ts forwards
// to prom-client histograms, and the request's own sink when its caller gave one (the call's trace, src/tracing/).
// Milliseconds, wall clock.

export type ProviderMetric =
  /** Caller's last word (audio time mapped to when that audio arrived) → the final transcript arrived. */
  | { kind: 'asr-final-latency'; provider: string; ms: number }
  /** Request sent → first text delta of the reply. */
  | { kind: 'llm-first-token'; provider: string; ms: number }
  /** synthesize() called → first checked audio bytes (per provider attempt that succeeded). */
  | { kind: 'tts-first-byte'; provider: string; ms: number }
  /** A short line's audio was played from the phrase cache (hit) or requested (miss): tts/phrase-cache.ts. */
  | { kind: 'tts-cache'; provider: string; hit: boolean }
  /** The failover adapter left `from` for `to` (or gave up when `to` is undefined). */
  | { kind: 'tts-fallback'; provider: string; to: string | undefined; reason: string; midStream: boolean }
  /** `modality` is declared by the provider that failed, so the metric's label never has to be guessed. */
  | {
      kind: 'provider-error';
      modality: 'asr' | 'llm' | 'tts';
      provider: string;
      code: string;
      status: number | undefined;
      retryable: boolean;
    }
  | { kind: 'asr-reconnect'; provider: string; replayedMs: number };

export type MetricSink = (m: ProviderMetric) => void;

export const noMetrics: MetricSink = () => undefined;

/** The process-wide sink and, when given, one request's own (a call's trace): both hear every metric. */
export function bothSinks(process: MetricSink, request: MetricSink | undefined): MetricSink {
  return request === undefined
    ? process
    : (m) => {
        process(m);
        request(m);
      };
}
