import type { Metrics } from '../ops/metrics.js';
import { jsonError, type HttpRequest, type Route } from './types.js';

// Token bucket per client IP for the /v1 API, the review page and the Twilio webhooks (and, in auth.ts, for
// failed sign-ins). A bucket holds `burst` tokens and refills
// at perMinute/60 tokens per second; an idle client's bucket is full again and is forgotten, so memory stays
// bounded by the number of recently active clients (and hard-capped by maxClients).

export interface RateLimitOptions {
  perMinute: number;
  /** Bucket size; default max(10, perMinute / 4) so a burst of a few requests is never refused. */
  burst?: number;
  /** Hard cap on tracked clients; beyond it the least recently seen are dropped. Default 50,000. */
  maxClients?: number;
  now?: () => number;
}

export interface TakeResult {
  allowed: boolean;
  remaining: number;
  /** Whole seconds until one token is available (0 when allowed). */
  retryAfterS: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  readonly burst: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions) {
    if (!(opts.perMinute > 0)) throw new RangeError('perMinute must be > 0');
    this.ratePerMs = opts.perMinute / 60_000;
    this.burst = Math.max(1, opts.burst ?? Math.max(10, Math.floor(opts.perMinute / 4)));
    this.maxClients = opts.maxClients ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  get trackedClients(): number {
    return this.buckets.size;
  }

  take(key: string, cost = 1): TakeResult {
    const now = this.now();
    let tokens = this.tokensAt(key, now);
    this.buckets.delete(key); // re-inserted below: Map order doubles as least-recently-seen order
    const allowed = tokens >= cost;
    if (allowed) tokens -= cost;
    this.buckets.set(key, { tokens, at: now });
    this.evict(now);
    return this.result(allowed, tokens, cost);
  }

  /** What take() would answer, without taking anything. */
  peek(key: string, cost = 1): TakeResult {
    const tokens = this.tokensAt(key, this.now());
    return this.result(tokens >= cost, tokens, cost);
  }

  private tokensAt(key: string, now: number): number {
    const prev = this.buckets.get(key);
    return prev ? Math.min(this.burst, prev.tokens + (now - prev.at) * this.ratePerMs) : this.burst;
  }

  private result(allowed: boolean, tokens: number, cost: number): TakeResult {
    const retryAfterS = allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / this.ratePerMs / 1000));
    return { allowed, remaining: Math.floor(tokens), retryAfterS };
  }

  private evict(now: number): void {
    // Oldest entries come first; stop at the first one that may still be below a full bucket.
    const fullAfterMs = this.burst / this.ratePerMs;
    for (const [key, b] of this.buckets) {
      if (this.buckets.size > this.maxClients || now - b.at >= fullAfterMs) this.buckets.delete(key);
      else break;
    }
  }
}

/**
 * The client's address. Behind Traefik the socket peer is the ingress, so with `trustedHops` = N the address
 * N entries from the right of X-Forwarded-For is used (entries further left can be forged by the client).
 */
export function clientIp(req: Pick<HttpRequest, 'headers' | 'remoteIp'>, trustedHops: number): string {
  if (trustedHops <= 0) return req.remoteIp;
  const xff = req.headers['x-forwarded-for'];
  if (!xff) return req.remoteIp;
  const hops = xff
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return hops[Math.max(0, hops.length - trustedHops)] ?? req.remoteIp;
}

export interface RateLimitRoutesOptions {
  limiter: RateLimiter;
  trustedHops?: number;
  metrics?: Metrics;
  /** Path prefixes that are limited. Default /v1, /review, /analytics and /twilio (the webhooks). */
  prefixes?: readonly string[];
}

/** Wraps the handlers of routes under the limited prefixes; other routes (health, metrics) pass through. */
export function withRateLimit(routes: readonly Route[], opts: RateLimitRoutesOptions): Route[] {
  const prefixes = opts.prefixes ?? ['/v1', '/review', '/analytics', '/twilio'];
  const limited = (pattern: string) => prefixes.some((p) => pattern === p || pattern.startsWith(p + '/'));
  return routes.map((route) => {
    if (!limited(route.pattern)) return route;
    const surface = route.pattern.startsWith('/twilio')
      ? 'webhook'
      : route.pattern.startsWith('/review') || route.pattern.startsWith('/analytics')
        ? 'review'
        : 'api';
    return {
      ...route,
      handler: async (req, params) => {
        const r = opts.limiter.take(clientIp(req, opts.trustedHops ?? 0));
        if (!r.allowed) {
          opts.metrics?.rejected('rate_limited', surface);
          return jsonError(429, 'RATE_LIMITED', 'too many requests; retry later', {
            'retry-after': String(r.retryAfterS),
          });
        }
        return route.handler(req, params);
      },
    };
  });
}
