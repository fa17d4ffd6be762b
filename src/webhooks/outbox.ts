import type pg from 'pg';
import type { WebhookEventType } from './config.js';

// The deliverer's side of the outbox (migration 013), in SQL. A due event is claimed with FOR UPDATE SKIP LOCKED
// and leased to one replica: two replicas never take the same event, and none takes it while its lease holds, so
// an event is never being sent by two at once. The lease outlasts an attempt's timeout; a replica killed mid-send
// leaves a lease that lapses, and another replica sends the event again (receivers dedupe by webhook-id). An
// attempt's result is written only while its claim still stands (same owner, same attempt number): a replica that
// comes back after its lease lapsed cannot overwrite what the next one recorded. Times come from the deliverer's
// clock (a parameter), so tests run the retry schedule on a simulated one.

export interface ClaimedEvent {
  readonly seq: number;
  /** The webhook-id: the receiver's idempotency key. */
  readonly id: string;
  readonly type: WebhookEventType;
  readonly payload: unknown;
  readonly createdAt: Date;
  /** This attempt's number, from 1. */
  readonly attempt: number;
}

export interface ClaimOptions {
  readonly owner: string;
  readonly now: Date;
  readonly leaseMs: number;
  readonly limit: number;
}

/** Claims up to `limit` due events, oldest due first, each leased to `owner` with its attempt counted. */
export async function claimEvents(pool: pg.Pool, o: ClaimOptions): Promise<ClaimedEvent[]> {
  if (o.limit <= 0) return [];
  const r = await pool.query<{
    seq: string;
    id: string;
    type: WebhookEventType;
    payload: unknown;
    created_at: Date;
    attempts: number;
  }>(
    `UPDATE webhook_events e
        SET lease_owner = $1, lease_until = $2::timestamptz + make_interval(secs => $3), attempts = e.attempts + 1
      WHERE e.seq IN (SELECT seq FROM webhook_events
                       WHERE state = 'pending' AND next_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
                       ORDER BY next_at, seq LIMIT $4
                       FOR UPDATE SKIP LOCKED)
      RETURNING e.seq, e.id, e.type, e.payload, e.created_at, e.attempts`,
    [o.owner, o.now, o.leaseMs / 1000, o.limit],
  );
  return r.rows
    .map((x) => ({
      seq: Number(x.seq),
      id: x.id,
      type: x.type,
      payload: x.payload,
      createdAt: x.created_at,
      attempt: x.attempts,
    }))
    .sort((a, b) => a.seq - b.seq);
}

export type AttemptResult = 'delivered' | 'retry' | 'dead';

export interface AttemptRecord {
  readonly startedAt: Date;
  readonly endedAt: Date;
  /** The receiver's HTTP status; null when none came (network error, timeout). */
  readonly status: number | null;
  readonly result: AttemptResult;
  /** What went wrong, in our words; null when delivered. */
  readonly error: string | null;
  /** When the next attempt is due (result 'retry'). */
  readonly nextAt?: Date;
}

/**
 * Records an attempt and moves the event on (delivered, due again at `nextAt`, or dead). False when the claim no
 * longer stands (its lease lapsed and another replica claimed the event): nothing is written.
 */
export async function settleAttempt(pool: pg.Pool, e: ClaimedEvent, owner: string, a: AttemptRecord): Promise<boolean> {
  const r = await pool.query(
    `WITH settled AS (
       UPDATE webhook_events SET
         state = CASE $4::text WHEN 'retry' THEN 'pending' ELSE $4::text END,
         next_at = COALESCE($5::timestamptz, next_at),
         lease_owner = NULL, lease_until = NULL,
         last_status = $6, last_error = $7,
         delivered_at = CASE WHEN $4::text = 'delivered' THEN $8::timestamptz END,
         dead_at = CASE WHEN $4::text = 'dead' THEN $8::timestamptz END
       WHERE seq = $1 AND state = 'pending' AND lease_owner = $2 AND attempts = $3
       RETURNING seq)
     INSERT INTO webhook_attempts (event_seq, started_at, duration_ms, status, result, error)
     SELECT seq, $9, $10, $6, $4, $7 FROM settled`,
    [
      e.seq,
      owner,
      e.attempt,
      a.result,
      a.nextAt ?? null,
      a.status,
      a.error,
      a.endedAt,
      a.startedAt,
      Math.max(0, a.endedAt.getTime() - a.startedAt.getTime()),
    ],
  );
  return r.rowCount === 1;
}

/** Deletes events delivered before `before`, at most `limit` (their attempts go with them); returns how many. */
export async function pruneDelivered(pool: pg.Pool, before: Date, limit = 1000): Promise<number> {
  const r = await pool.query(
    `DELETE FROM webhook_events WHERE seq IN (
       SELECT seq FROM webhook_events WHERE state = 'delivered' AND delivered_at < $1 LIMIT $2)`,
    [before, limit],
  );
  return r.rowCount ?? 0;
}
