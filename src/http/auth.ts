import { timingSafeEqual } from 'node:crypto';
import type { Metrics } from '../ops/metrics.js';
import { clientIp, RateLimiter } from './rate-limit.js';
import type { HttpRequest } from './types.js';

// Credentials: the API's bearer token, and for the review page the same token as the password of HTTP Basic auth
// (browsers cannot send bearer tokens from a link). Wrong credentials are counted per client IP; a client that
// keeps guessing is refused with 429 before its guess is even compared, so a correct guess in the lock-out window
// tells it nothing. A request with no credentials at all is not a guess and is not counted (a browser's first
// visit to /review is one).

export type Credentials = 'ok' | 'missing' | 'wrong';

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `Authorization: Bearer <token>`. */
export function bearerCredentials(header: string | undefined, token: string): Credentials {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (m === null) return header === undefined || header === '' ? 'missing' : 'wrong';
  return sameSecret((m[1] as string).trim(), token) ? 'ok' : 'wrong';
}

/** Bearer, or HTTP Basic with the token as the password (any user name). */
export function bearerOrBasicCredentials(header: string | undefined, token: string): Credentials {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (m === null) return bearerCredentials(header, token);
  const decoded = Buffer.from((m[1] as string).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && sameSecret(decoded.slice(colon + 1), token) ? 'ok' : 'wrong';
}

export interface LoginThrottleOptions {
  /** Proxies in front that append to X-Forwarded-For (TRUST_PROXY_HOPS). */
  readonly trustedHops: number;
  /** Wrong guesses allowed in a row before the lock-out (default 10). */
  readonly burst?: number;
  /** Guesses regained per minute after that (default 1: a guessing client gets one try a minute). */
  readonly perMinute?: number;
  readonly metrics?: Metrics | undefined;
  readonly now?: () => number;
}

export type Attempt = { kind: Credentials } | { kind: 'throttled'; retryAfterS: number };

/** One limiter shared by every sign-in surface, so a client cannot spread its guesses over the API and /review. */
export class LoginThrottle {
  readonly #failures: RateLimiter;
  readonly #o: LoginThrottleOptions;

  constructor(o: LoginThrottleOptions) {
    this.#o = o;
    this.#failures = new RateLimiter({ perMinute: o.perMinute ?? 1, burst: o.burst ?? 10, now: o.now });
  }

  /** Checks the request's credentials with `check`, unless its client is locked out; counts wrong ones. */
  attempt(req: HttpRequest, check: (authorization: string) => Credentials, surface: 'api' | 'review'): Attempt {
    const header = req.headers.authorization;
    if (header === undefined || header === '') return { kind: 'missing' };
    const client = clientIp(req, this.#o.trustedHops);
    const room = this.#failures.peek(client);
    if (!room.allowed) {
      this.#o.metrics?.rejected('login_throttled', surface);
      return { kind: 'throttled', retryAfterS: room.retryAfterS };
    }
    const result = check(header);
    if (result === 'wrong') this.#failures.take(client);
    return { kind: result };
  }
}
