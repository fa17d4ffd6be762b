import type { Queryable } from '../db/sql.js';
import { pageOf, type Page } from '../campaigns/paging.js';

// What the API shows of the outbox: dead letters a page at a time by key (newest first, before an event's seq, as
// campaigns are listed: src/campaigns/paging.ts), one event with every attempt, and the manual retry of a dead
// letter. A retried event keeps its id, so a receiver that did get it after all dedupes it.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEventId(s: string): boolean {
  return UUID.test(s);
}

export interface DeadLetter {
  id: string;
  type: string;
  created_at: string;
  dead_at: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

interface EventRow {
  seq: string;
  id: string;
  type: string;
  state: string;
  payload: unknown;
  created_at: Date;
  attempts: number;
  next_at: Date;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  dead_at: Date | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** Dead letters, newest first, before the event `before` (its seq); LIMIT limit + 1 tells whether a page follows. */
export async function deadLetterPage(
  db: Queryable,
  o: { limit: number; before: number | undefined },
): Promise<Page<DeadLetter>> {
  const r = await db.query<EventRow>(
    `SELECT seq, id, type, created_at, dead_at, attempts, last_status, last_error FROM webhook_events
      WHERE state = 'dead' AND ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`,
    [o.before ?? null, o.limit + 1],
  );
  const page = pageOf(r.rows, o.limit, (x) => Number(x.seq));
  return {
    cursor: page.cursor,
    items: page.items.map((x) => ({
      id: x.id,
      type: x.type,
      created_at: x.created_at.toISOString(),
      dead_at: iso(x.dead_at) ?? '',
      attempts: x.attempts,
      last_status: x.last_status,
      last_error: x.last_error,
    })),
  };
}

/** One event with its payload (the body's `data`) and every attempt, oldest first; undefined when unknown. */
export async function eventDetail(db: Queryable, id: string) {
  const r = await db.query<EventRow>('SELECT * FROM webhook_events WHERE id = $1', [id]);
  const e = r.rows[0];
  if (e === undefined) return undefined;
  const attempts = await db.query<{
    started_at: Date;
    duration_ms: number;
    status: number | null;
    result: string;
    error: string | null;
  }>('SELECT started_at, duration_ms, status, result, error FROM webhook_attempts WHERE event_seq = $1 ORDER BY id', [
    e.seq,
  ]);
  return {
    id: e.id,
    type: e.type,
    state: e.state,
    created_at: e.created_at.toISOString(),
    attempts: e.attempts,
    next_at: e.state === 'pending' ? e.next_at.toISOString() : null,
    delivered_at: iso(e.delivered_at),
    dead_at: iso(e.dead_at),
    last_status: e.last_status,
    last_error: e.last_error,
    data: e.payload,
    history: attempts.rows.map((a) => ({ ...a, started_at: a.started_at.toISOString() })),
  };
}

/**
 * Sends a dead letter again: pending, due now, with a fresh schedule of attempts (its history stays). 'not-dead'
 * for an event that is pending or delivered, which a retry must not disturb.
 */
export async function retryDeadLetter(db: Queryable, id: string): Promise<'retried' | 'not-found' | 'not-dead'> {
  const r = await db.query(
    `UPDATE webhook_events SET state = 'pending', attempts = 0, next_at = now(), dead_at = NULL,
            lease_owner = NULL, lease_until = NULL
      WHERE id = $1 AND state = 'dead'`,
    [id],
  );
  if (r.rowCount === 1) return 'retried';
  const found = await db.query('SELECT 1 FROM webhook_events WHERE id = $1', [id]);
  return found.rowCount === 0 ? 'not-found' : 'not-dead';
}
