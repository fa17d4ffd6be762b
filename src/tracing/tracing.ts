import type { Logger } from '../log.js';
import { NO_CALL_TRACE, type CallInfo, type CallTrace } from './call-trace.js';
import type { TracingSettings } from './settings.js';

// The process's tracing: one CallTrace per call, and the flush at shutdown. Off (no endpoint configured), the
// OpenTelemetry SDK and exporter are never imported: startTracing answers NO_TRACING without loading otlp.ts.

export interface Tracing {
  readonly enabled: boolean;
  /** A trace for a call that starts now (its root span). */
  call(info: CallInfo): CallTrace;
  /** Ends the spans of calls still open, sends what is queued (bounded) and stops the exporter. */
  shutdown(): Promise<void>;
}

export const NO_TRACING: Tracing = Object.freeze({
  enabled: false,
  call: () => NO_CALL_TRACE,
  shutdown: () => Promise.resolve(),
});

export interface TracingOptions {
  readonly log: Logger;
  /** This replica's id (service.instance.id): the one its call leases carry. */
  readonly instanceId: string;
}

export async function startTracing(settings: TracingSettings | undefined, o: TracingOptions): Promise<Tracing> {
  if (settings === undefined) return NO_TRACING;
  const { otlpTracing } = await import('./otlp.js');
  return otlpTracing(settings, o);
}
