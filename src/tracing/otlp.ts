import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { packageRoot } from '../dsp/index.js';
import type { Logger } from '../log.js';
import type { TracingSettings } from './settings.js';
import { SpanCallTrace } from './span-call-trace.js';
import type { Tracing, TracingOptions } from './tracing.js';

// The OpenTelemetry SDK, loaded only when tracing is on (tracing.ts): a tracer provider of its own (nothing global
// is registered, so several servers in one process, as in tests, keep their traces apart), every call sampled, spans
// batched and sent as OTLP/HTTP JSON. The SDK reads OTEL_* variables for what is not given here; everything that
// matters is given, from the validated configuration.

/** Longest the shutdown waits for the last spans to leave (the drain's grace has been spent on the calls). */
const SHUTDOWN_MS = 5000;

/** `wire`: where batches go (default the OTLP/HTTP exporter; bench:tracing drops them to price the rest). */
export function otlpTracing(
  s: TracingSettings,
  o: TracingOptions,
  wire: SpanExporter = new OTLPTraceExporter({ url: s.url, headers: { ...s.headers }, timeoutMillis: 10_000 }),
): Tracing {
  const version = appVersion();
  const exporter = new ReportingExporter(wire, o.log);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: s.serviceName,
      [ATTR_SERVICE_VERSION]: version,
      [ATTR_SERVICE_INSTANCE_ID]: o.instanceId,
      'host.name': hostname(),
    }),
    sampler: new AlwaysOnSampler(),
    // A call writes tens of spans; the queue holds a few hundred calls' worth if the collector is slow.
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: 16_384,
        maxExportBatchSize: 1024,
        scheduledDelayMillis: 2000,
        exportTimeoutMillis: 15_000,
      }),
    ],
  });
  const tracer = provider.getTracer('gym-call-agent', version);
  const live = new Set<SpanCallTrace>();
  // The origin only: a path or query may carry a token of the backend.
  o.log.info({ collector: new URL(s.url).origin, service: s.serviceName }, 'tracing on (OTLP/HTTP)');
  return {
    enabled: true,
    call: (info) => {
      const t = new SpanCallTrace(tracer, info, (done) => live.delete(done));
      live.add(t);
      return t;
    },
    shutdown: async () => {
      for (const t of [...live]) t.abort();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_MS)));
      await Promise.race([provider.shutdown().catch((e: unknown) => exporter.failed(e)), late]);
      clearTimeout(timer);
    },
  };
}

/** The package's version (package.json at the package root: dist/ and the sources alike). */
function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

type ExportCallback = Parameters<SpanExporter['export']>[1];

/**
 * The exporter, with its failures logged: the SDK only tells its own diagnostic logger, which nobody reads. One
 * warning when exports start failing and one line when they work again, not one per batch.
 */
class ReportingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #log: Logger;
  #failing = false;
  #dropped = 0;

  constructor(inner: SpanExporter, log: Logger) {
    this.#inner = inner;
    this.#log = log;
  }

  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.#inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, not a dependency of ours).
      if (result.code === 0) {
        if (this.#failing) this.#log.info({ dropped: this.#dropped }, 'trace export works again');
        this.#failing = false;
        this.#dropped = 0;
      } else {
        this.#dropped += spans.length;
        if (!this.#failing) this.failed(result.error);
        this.#failing = true;
      }
      done(result);
    });
  }

  failed(e: unknown): void {
    this.#log.warn({ err: e instanceof Error ? e.message : String(e) }, 'trace export failed; spans are dropped');
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
