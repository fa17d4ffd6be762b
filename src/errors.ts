// The error-code catalogue. Every error the app raises on purpose carries one of these codes, so logs,
// API responses and metrics agree on names. `retryable` tells the shared retry policy what to do.

export const ERROR_CODES = {
  CONFIG_INVALID: { http: 500, retryable: false, summary: 'environment configuration is invalid' },
  ADDON_LOAD_FAILED: { http: 500, retryable: false, summary: 'the native DSP addon could not be loaded' },
  UWS_NATIVE_MISSING: { http: 500, retryable: false, summary: 'uWebSockets.js fell back to its ws shim' },
  BAD_ARGUMENT: { http: 400, retryable: false, summary: 'a command-line or API argument is invalid' },
  VALIDATION_FAILED: { http: 400, retryable: false, summary: 'request body failed validation' },
  UNAUTHORIZED: { http: 401, retryable: false, summary: 'missing or wrong bearer token' },
  CROSS_SITE_REQUEST: { http: 403, retryable: false, summary: 'a browser request from another site' },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, retryable: false, summary: 'request body is not application/json' },
  HOST_NOT_ALLOWED: { http: 421, retryable: false, summary: 'the Host header names no host this server serves' },
  DESTINATION_NOT_ALLOWED: { http: 422, retryable: false, summary: 'the number is outside the allowed regions/types' },
  LANGUAGE_UNSUPPORTED: {
    http: 422,
    retryable: false,
    summary: 'a language the agent does not speak, or one this server cannot recognise',
  },
  SUPPRESSED: { http: 422, retryable: false, summary: 'the number is on the do-not-call list' },
  SIGNATURE_INVALID: { http: 403, retryable: false, summary: 'Twilio signature missing or wrong' },
  NOT_FOUND: { http: 404, retryable: false, summary: 'no such resource' },
  CONFLICT: { http: 409, retryable: false, summary: 'the resource is not in a state that allows this' },
  RATE_LIMITED: { http: 429, retryable: true, summary: 'too many requests from this client' },
  AT_CAPACITY: { http: 503, retryable: true, summary: 'maximum concurrent calls reached' },
  DRAINING: { http: 503, retryable: true, summary: 'server is shutting down' },
  MONITOR_FULL: { http: 503, retryable: true, summary: 'the live monitor has all the watchers or listeners it allows' },
  PROVIDER_FAILED: { http: 502, retryable: true, summary: 'an upstream provider failed' },
  PROVIDER_TIMEOUT: { http: 504, retryable: true, summary: 'an upstream provider did not answer in time' },
  PROVIDER_BAD_AUDIO: { http: 502, retryable: true, summary: 'provider returned something that is not audio' },
  TELEPHONY_NOT_CONFIGURED: { http: 501, retryable: false, summary: 'Twilio settings missing: no calls can be placed' },
  DB_UNAVAILABLE: { http: 503, retryable: true, summary: 'database unreachable' },
  MEDIA_PROTOCOL: { http: 400, retryable: false, summary: 'malformed Twilio media stream message' },
  PERSONA_INVALID: { http: 400, retryable: false, summary: 'persona file is invalid or outside the vocabulary' },
  INTERNAL: { http: 500, retryable: false, summary: 'unexpected internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; retryable?: boolean; status?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = opts.retryable ?? ERROR_CODES[code].retryable;
    this.status = opts.status;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
