import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Clock } from '../campaigns/engine.js';
import { describeDbError } from '../db/errors.js';
import type { Logger } from '../log.js';
import type { FetchLike } from '../providers/http.js';
import {
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  toProviderError,
  type RetryPolicy,
} from '../providers/retry.js';
import { connectLookup, ForbiddenAddressError } from './address.js';
import type { WebhookSettings } from './config.js';
import type { WebhookMetrics } from './metrics.js';
import { claimEvents, pruneDelivered, settleAttempt, type AttemptResult, type ClaimedEvent } from './outbox.js';
import { webhookHeaders } from './sign.js';

// The deliverer of one server process; every replica runs one. Each tick it claims due events (outbox.ts: SKIP
// LOCKED and a lease, so no event is sent by two replicas at once) and POSTs each, signed (sign.ts), with a timeout.
// A 2xx delivers it. A network error, a timeout, a 408, 429 or 5xx is retried on the shared retry policy
// (src/providers/retry.ts: exponential waits with jitter, never sooner than a Retry-After asks); any other answer
// (3xx: redirects are not followed; 4xx: the receiver refuses it) and the last allowed attempt make it a dead
// letter, listed and retried through the API (routes.ts). Delivery is at least once: receivers dedupe by
// webhook-id. Deliveries are not ordered; each payload says when its event happened.

/**
 * Waits between attempts: ~30 s, then four times longer each time up to 12 h, each drawn between half and all of
 * that (equal jitter), so 8 attempts span 12-24 hours. `attempts` comes from WEBHOOK_MAX_ATTEMPTS.
 */
export const WEBHOOK_BACKOFF = { baseMs: 30_000, factor: 4, maxMs: 12 * 3_600_000, jitter: 'equal' } as const;

const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface DelivererOptions {
  readonly pool: pg.Pool;
  readonly settings: Pick<WebhookSettings, 'url' | 'key' | 'timeoutMs' | 'maxAttempts' | 'retentionDays'>;
  readonly log: Logger;
  readonly metrics?: WebhookMetrics;
  /** Due times, leases and the webhook-timestamp; default the system clock. */
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Default: undici's fetch through an agent that refuses link-local and metadata addresses (address.ts). */
  readonly fetch?: FetchLike;
  /** Events in flight at once in this process (default 4). */
  readonly concurrency?: number;
  /** Real-time interval between ticks (default 1 s); 0: no timer, the caller ticks (tests). */
  readonly pollMs?: number;
}

/** What one attempt came to, before the attempt count decides between a retry and a dead letter. */
interface Outcome {
  readonly result: AttemptResult;
  readonly status: number | null;
  readonly error: string | null;
  readonly retryAfterMs?: number | undefined;
}

function responseOutcome(status: number, retryAfter: string | null, nowMs: number): Outcome {
  if (status >= 200 && status < 300) return { result: 'delivered', status, error: null };
  const retry = isRetryableStatus(status);
  return {
    result: retry ? 'retry' : 'dead',
    status,
    error: `HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
    ...(retry ? { retryAfterMs: parseRetryAfter(retryAfter, nowMs) } : {}),
  };
}

function errorOutcome(e: unknown): Outcome {
  for (let c: unknown = e; c instanceof Error; c = c.cause)
    if (c instanceof ForbiddenAddressError) return { result: 'dead', status: null, error: c.message };
  // Network errors and timeouts are retryable; anything else is ours and would fail the same way again.
  const p = toProviderError('receiver', e);
  return { result: p.retryable ? 'retry' : 'dead', status: null, error: p.message };
}

export class WebhookDeliverer {
  /** This process in webhook_events.lease_owner. */
  readonly owner = randomUUID();
  readonly #o: DelivererOptions;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  readonly #agent: Agent | undefined;
  readonly #fetch: FetchLike;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<number> | undefined;
  #prunedAt = Number.NEGATIVE_INFINITY;
  #failing = false;
  #stopped = false;

  constructor(o: DelivererOptions) {
    this.#o = o;
    this.#clock = o.clock ?? { now: () => new Date() };
    this.#policy = { ...WEBHOOK_BACKOFF, attempts: o.settings.maxAttempts };
    if (o.fetch) this.#fetch = o.fetch;
    else {
      const agent = new Agent({ connect: { lookup: connectLookup } });
      this.#agent = agent;
      this.#fetch = ((input: string, init: RequestInit) =>
        undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as FetchLike;
    }
  }

  start(): void {
    const every = this.#o.pollMs ?? 1000;
    if (every <= 0) return;
    this.#timer = setInterval(() => void this.tick(), every);
    this.#timer.unref();
  }

  /** One pass: claims what this process has room for and starts sending it; resolves with how many it claimed. */
  tick(): Promise<number> {
    this.#ticking ??= this.#pass().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  /** Resolves when every attempt this process started has been recorded. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops claiming and lets the attempts in flight finish (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#ticking;
    await this.idle();
    await this.#agent?.close();
  }

  async #pass(): Promise<number> {
    if (this.#stopped) return 0;
    const { pool, settings, log } = this.#o;
    const now = this.#clock.now();
    try {
      const claimed = await claimEvents(pool, {
        owner: this.owner,
        now,
        // An attempt ends at its timeout; the margin covers recording its result.
        leaseMs: settings.timeoutMs + 30_000,
        limit: (this.#o.concurrency ?? 4) - this.#inFlight.size,
      });
      for (const e of claimed) this.#track(this.#attempt(e));
      if (now.getTime() - this.#prunedAt >= PRUNE_EVERY_MS) {
        this.#prunedAt = now.getTime();
        await pruneDelivered(pool, new Date(now.getTime() - settings.retentionDays * DAY_MS));
      }
      if (this.#failing) log.info('webhook deliverer reaches the database again');
      this.#failing = false;
      return claimed.length;
    } catch (e) {
      if (!this.#failing) log.warn({ err: describeDbError(e) }, 'webhook deliverer pass failed; retrying');
      this.#failing = true;
      return 0;
    }
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #attempt(e: ClaimedEvent): Promise<void> {
    const { settings, log } = this.#o;
    // The body is rebuilt from the stored event: the same bytes on every attempt (jsonb keeps one key order).
    const body = JSON.stringify({ type: e.type, timestamp: e.createdAt.toISOString(), data: e.payload });
    const startedAt = this.#clock.now();
    let outcome: Outcome;
    try {
      const res = await this.#fetch(settings.url.href, {
        method: 'POST',
        headers: webhookHeaders(settings.key, e.id, Math.floor(startedAt.getTime() / 1000), body),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      // The receiver's answer is never read or stored (it may echo anything); only its status counts.
      await res.body?.cancel().catch(() => undefined);
      outcome = responseOutcome(res.status, res.headers.get('retry-after'), this.#clock.now().getTime());
    } catch (err) {
      outcome = errorOutcome(err);
    }
    const endedAt = this.#clock.now();
    const result: AttemptResult =
      outcome.result === 'retry' && e.attempt >= this.#policy.attempts ? 'dead' : outcome.result;
    const nextAt =
      result === 'retry'
        ? new Date(endedAt.getTime() + retryDelayMs(this.#policy, e.attempt - 1, outcome.retryAfterMs, this.#o.random))
        : undefined;
    const record = { startedAt, endedAt, status: outcome.status, result, error: outcome.error, nextAt };
    let settled: boolean;
    try {
      settled = await settleAttempt(this.#o.pool, e, this.owner, record);
    } catch (err) {
      // Unrecorded: the lease lapses and the event is sent again (at least once).
      log.warn({ err: describeDbError(err), eventId: e.id }, 'webhook attempt not recorded');
      return;
    }
    this.#o.metrics?.attempt(e.type, result, (endedAt.getTime() - startedAt.getTime()) / 1000);
    const fields = { eventId: e.id, type: e.type, attempt: e.attempt, status: outcome.status, error: outcome.error };
    if (!settled) log.warn(fields, 'webhook attempt outlived its lease; another replica has the event');
    else if (result === 'retry') log.warn({ ...fields, nextAt }, 'webhook delivery failed; will retry');
    else if (result === 'dead') log.error(fields, 'webhook event is a dead letter');
    else log.debug(fields, 'webhook delivered');
  }
}
