// Per-turn timing hooks of the providers. Providers call `onMetric` (given at construction); the session
// forwards them to its per-turn record and to prom-client histograms. Milliseconds, wall clock.

export type ProviderMetric =
  /** Caller's last word (audio time mapped to when that audio arrived) → the final transcript arrived. */
  | { kind: 'asr-final-latency'; provider: string; ms: number }
  /** Request sent → first text delta of the reply. */
  | { kind: 'llm-first-token'; provider: string; ms: number }
  /** synthesize() called → first checked audio bytes (per provider attempt that succeeded). */
  | { kind: 'tts-first-byte'; provider: string; ms: number }
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
