import { AppError, type ErrorCode } from '../errors.js';

// One retry policy for every cloud provider and the webhook deliverer (src/webhooks/deliver.ts). Errors say
// themselves whether a retry can help (`retryable`); the policy only decides how long to wait and when to give up.
// Waits use "full jitter" so that many calls hit by the same outage do not come back in lock-step; a schedule that
// spans hours (webhooks) uses "equal jitter", so a retry meant for later is never drawn as almost at once.

export interface RetryPolicy {
  /** Total attempts including the first one. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Growth of the wait per attempt (default 2). */
  readonly factor?: number;
  /** 'full' (default): anywhere below the attempt's cap; 'equal': between half the cap and the cap. */
  readonly jitter?: 'full' | 'equal';
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 3, baseMs: 100, maxMs: 2000 });

/** 4xx are the caller's fault and will fail again, except 408 (timeout) and 429 (slow down). */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  if (status >= 400 && status < 500) return false;
  return status >= 500;
}

export class ProviderError extends AppError {
  readonly provider: string;
  /** Server-suggested wait (Retry-After), when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(
    provider: string,
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; retryable?: boolean; status?: number; retryAfterMs?: number } = {},
  ) {
    super(code, `${provider}: ${message}`, opts);
    this.name = 'ProviderError';
    this.provider = provider;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function isAbortError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return e.name === 'AbortError' || e.name === 'APIUserAbortError' || /aborted/i.test(e.name);
}

function numberField(o: object, key: string): number | undefined {
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * A Retry-After header in milliseconds from `nowMs`: delay-seconds, or an HTTP-date (RFC 9110 allows both; a date
 * already past is 0). Anything else is ignored.
 */
export function parseRetryAfter(raw: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = /[a-z]/i.test(v) ? Date.parse(v) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function retryAfterOf(e: object): number | undefined {
  const headers = (e as { headers?: unknown }).headers;
  let raw: string | null | undefined;
  if (headers instanceof Headers) raw = headers.get('retry-after');
  else if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)['retry-after'];
    raw = typeof v === 'string' ? v : undefined;
  }
  return parseRetryAfter(raw);
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Map anything an SDK throws (OpenAI APIError, ElevenLabsError, DeepgramError, fetch/undici errors) to a
 * ProviderError. Duck-typed on `status`/`statusCode` so this module does not load any SDK.
 */
export function toProviderError(provider: string, e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  if (e instanceof AppError) {
    return new ProviderError(provider, e.code, e.message, { cause: e, retryable: e.retryable, status: e.status });
  }
  if (typeof e !== 'object' || e === null) {
    return new ProviderError(provider, 'PROVIDER_FAILED', `non-error thrown: ${String(e)}`, { retryable: false });
  }
  const err = e as Error & { code?: unknown; cause?: unknown };
  const status = numberField(err, 'status') ?? numberField(err, 'statusCode');
  // SDK error classes do not always set `name` (OpenAI's APIConnectionError is "Error"): use the class too.
  const name = `${typeof err.name === 'string' ? err.name : ''} ${err.constructor?.name ?? ''}`;
  if (isAbortError(err)) {
    return new ProviderError(provider, 'PROVIDER_FAILED', 'request aborted', { cause: e, retryable: false });
  }
  if (/timeout/i.test(name) || status === 408 || status === 504) {
    return new ProviderError(provider, 'PROVIDER_TIMEOUT', `timed out${status ? ` (HTTP ${status})` : ''}`, {
      cause: e,
      retryable: true,
      ...(status ? { status } : {}),
    });
  }
  if (status !== undefined) {
    const retryAfterMs = retryAfterOf(err);
    return new ProviderError(provider, 'PROVIDER_FAILED', `HTTP ${status}`, {
      cause: e,
      status,
      retryable: isRetryableStatus(status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const code = typeof err.code === 'string' ? err.code : undefined;
  const causeCode = (err.cause as { code?: unknown } | undefined)?.code;
  const network =
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (typeof causeCode === 'string' && NETWORK_CODES.has(causeCode)) ||
    /connection|network|socket|fetch failed|terminated/i.test(`${name} ${err.message ?? ''}`);
  return new ProviderError(
    provider,
    'PROVIDER_FAILED',
    network ? 'connection failed' : `unexpected error (${name.trim()})`,
    {
      cause: e,
      retryable: network,
    },
  );
}

/** Delay before attempt `attempt + 1` (attempt counts from 0): jitter under an exponential cap. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** attempt);
  return Math.floor(policy.jitter === 'equal' ? cap / 2 + (random() * cap) / 2 : random() * cap);
}

/** The wait before attempt `attempt + 1`: the backoff, never sooner than the server asked (Retry-After), at most maxMs. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  return Math.min(policy.maxMs, Math.max(backoffMs(policy, attempt, random), retryAfterMs ?? 0));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  provider: string;
  policy?: RetryPolicy;
  signal?: AbortSignal;
  random?: () => number;
  onRetry?: (err: ProviderError, attempt: number, delayMs: number) => void;
}

/** Run `fn` until it succeeds, a permanent error occurs, attempts run out or the signal aborts. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      const err = toProviderError(opts.provider, e);
      if (!err.retryable || attempt + 1 >= policy.attempts) throw err;
      const delay = retryDelayMs(policy, attempt, err.retryAfterMs, opts.random);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
