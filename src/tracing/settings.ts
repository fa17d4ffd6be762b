// Where traces go, from the configuration's OTEL_* fields (validated in src/config): the OpenTelemetry standard
// variables, so a deployment points the app at its collector the way it points every other service. Tracing is on
// when an endpoint is set and OTEL_SDK_DISABLED is not true; off, nothing of the SDK is loaded (tracing.ts).

/** The configuration's OTEL_* fields (as src/config validated them). */
export interface TracingEnv {
  readonly OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
  readonly OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string | undefined;
  readonly OTEL_EXPORTER_OTLP_HEADERS: Readonly<Record<string, string>>;
  readonly OTEL_SERVICE_NAME: string;
  readonly OTEL_SDK_DISABLED: boolean;
}

export interface TracingSettings {
  /** The collector's OTLP/HTTP traces URL (…/v1/traces). */
  readonly url: string;
  /** Sent with every export (an API key of a hosted backend): never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
}

/**
 * The settings, or undefined when tracing is off. As the OTLP exporter specification says: the signal's own
 * endpoint is used as given; the base endpoint gets `v1/traces` appended.
 */
export function tracingSettings(c: TracingEnv): TracingSettings | undefined {
  if (c.OTEL_SDK_DISABLED) return undefined;
  const url =
    c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (c.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? undefined
      : `${c.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) return undefined;
  return { url, headers: c.OTEL_EXPORTER_OTLP_HEADERS, serviceName: c.OTEL_SERVICE_NAME };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `name=value` pairs separated by commas, values percent-encoded (the W3C baggage
 * format the specification names). Returns the headers, or a message saying what is wrong (never the value: it is
 * usually a secret).
 */
export function parseOtlpHeaders(raw: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, pair] of raw.split(',').entries()) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (eq < 0 || !HEADER_NAME.test(name)) return `entry ${i + 1} must be name=value with an HTTP header name`;
    try {
      out[name.toLowerCase()] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return `the value of ${name} is not valid percent-encoding`;
    }
  }
  return out;
}
