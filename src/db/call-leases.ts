import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../log.js';
import { FINAL_STATUSES } from '../telephony/call-store.js';
import { describeDbError } from './errors.js';
import type { CallEndHook } from './repositories/calls.js';
import { withTx } from './sql.js';

// A call that was live when its server died (kill -9, OOM, power cut) would stay `in-progress` forever: nothing is
// left to end it. Each server process renews a lease (table call_leases) on every call it holds; calls that are not
// ended and that no live process holds are ended, with a reason that says why:
// - embedded database (one process per data directory, by its lock): at start-up every call not ended is from a
//   process that is gone → `server_restarted`.
// - shared PostgreSQL (several replicas): a call whose lease has not been renewed for leaseMs → `server_lost`, by
//   whichever replica sweeps first (at start-up and on every renewal). A call no replica ever leased (written by
//   a version without leases, or its server died within the first renewal interval) is ended only once it is older
//   than any call can last (maxCallMs) plus the lease, so a replica never ends a call another live one runs.

export const RESTARTED = 'server_restarted';
export const LOST = 'server_lost';

export interface CallLeaseOptions {
  /** Embedded database: this process is the only one, every call not ended at start-up is over. */
  single: boolean;
  /** Ids of the calls this process holds now (admitted, ringing or streaming). */
  liveCalls: () => Iterable<string>;
  /** The longest a call may last (MAX_CALL_MS). */
  maxCallMs: number;
  leaseMs?: number;
  renewMs?: number;
  log?: Logger;
  /** Runs in the transaction that ends each call (its webhook events). */
  onCallEnded?: CallEndHook;
}

export interface CallLeases {
  readonly instanceId: string;
  /** Calls ended at start-up because their server was gone. */
  readonly recovered: number;
  /** Renews this process's leases and ends calls nobody holds (shared database); what the timer runs. */
  tick(): Promise<number>;
  /** Live calls that other replicas hold now (by their unexpired leases): what the live monitor cannot show here. */
  liveElsewhere(): Promise<number>;
  /**
   * Stops renewing and drops this process's leases. A call it could not end is then ended like a never-leased one
   * (after maxCallMs), never at once: another replica may hold the same call (admitted here, streaming there).
   */
  stop(): Promise<void>;
}

const END_SQL = (where: string) => `
  WITH ended AS (
    UPDATE calls c SET
      ended_at = now(),
      end_reason = $1,
      status = CASE WHEN c.status = ANY($2::text[]) THEN c.status ELSE 'failed' END,
      status_at = GREATEST(c.status_at, now()),
      updated_at = now()
    WHERE c.ended_at IS NULL AND ${where}
    RETURNING c.id),
  history AS (
    INSERT INTO call_status_history (call_id, status, at, detail)
    SELECT id, 'ended', now(), jsonb_build_object('reason', $1::text) FROM ended
    ON CONFLICT DO NOTHING)
  SELECT id FROM ended`;

/** Runs an END_SQL and, in its transaction, the hook for each call it ended; returns how many it ended. */
async function endCalls(pool: pg.Pool, sql: string, args: unknown[], onEnded: CallEndHook | undefined) {
  return withTx(pool, async (tx) => {
    const r = await tx.query<{ id: string }>(sql, args);
    for (const { id } of r.rows) await onEnded?.(tx, id);
    return r.rows.length;
  });
}

/** Ends every call not ended yet (embedded database at start-up). */
export async function endAllUnended(pool: pg.Pool, onEnded?: CallEndHook): Promise<number> {
  return endCalls(pool, END_SQL('true'), [RESTARTED, [...FINAL_STATUSES]], onEnded);
}

/** Ends calls whose lease lapsed, or that were never leased and are older than any call can be. */
export async function endUnheld(
  pool: pg.Pool,
  leaseMs: number,
  maxCallMs: number,
  onEnded?: CallEndHook,
): Promise<number> {
  const where = `(
      EXISTS (SELECT 1 FROM call_leases l WHERE l.call_id = c.id AND l.renewed_at < now() - make_interval(secs => $3))
      OR (NOT EXISTS (SELECT 1 FROM call_leases l WHERE l.call_id = c.id)
          AND c.updated_at < now() - make_interval(secs => $4)))`;
  const args = [LOST, [...FINAL_STATUSES], leaseMs / 1000, (maxCallMs + leaseMs) / 1000];
  return endCalls(pool, END_SQL(where), args, onEnded);
}

/**
 * Renews (or takes) the lease of each call this process holds and drops its leases on calls it no longer holds;
 * calls not in the table (not committed yet) or already ended are skipped.
 */
export async function renewLeases(pool: pg.Pool, instanceId: string, callIds: string[]): Promise<void> {
  await pool.query('DELETE FROM call_leases WHERE instance_id = $1 AND call_id <> ALL($2::text[])', [
    instanceId,
    callIds,
  ]);
  if (callIds.length === 0) return;
  await pool.query(
    `INSERT INTO call_leases (call_id, instance_id, renewed_at)
     SELECT c.id, $1, now() FROM calls c WHERE c.id = ANY($2::text[]) AND c.ended_at IS NULL
     ON CONFLICT (call_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, renewed_at = EXCLUDED.renewed_at`,
    [instanceId, callIds],
  );
}

export async function startCallLeases(pool: pg.Pool, o: CallLeaseOptions): Promise<CallLeases> {
  const instanceId = randomUUID();
  const leaseMs = o.leaseMs ?? 30_000;
  const renewMs = o.renewMs ?? 10_000;
  let failing = false;
  const tick = async (): Promise<number> => {
    try {
      await renewLeases(pool, instanceId, [...o.liveCalls()]);
      const n = await endUnheld(pool, leaseMs, o.maxCallMs, o.onCallEnded);
      if (n > 0) o.log?.warn({ calls: n, reason: LOST }, 'ended calls whose server stopped renewing its lease');
      if (failing) o.log?.info('call leases renewed again');
      failing = false;
      return n;
    } catch (e) {
      // Logged once per outage: the write queue reports the outage itself.
      if (!failing) o.log?.warn({ err: describeDbError(e) }, 'call leases not renewed (database unreachable)');
      failing = true;
      return 0;
    }
  };
  const recovered = o.single ? await endAllUnended(pool, o.onCallEnded) : await tick();
  if (recovered > 0 && o.single)
    o.log?.warn({ calls: recovered, reason: RESTARTED }, 'ended calls left live when the server last stopped');
  // One process per embedded database: no other process can hold a call, so nothing to renew or sweep.
  const timer = o.single ? undefined : setInterval(() => void tick(), renewMs);
  timer?.unref();
  return {
    instanceId,
    recovered,
    tick,
    liveElsewhere: async () => {
      const r = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM call_leases l JOIN calls c ON c.id = l.call_id
          WHERE l.instance_id <> $1 AND c.ended_at IS NULL AND l.renewed_at >= now() - make_interval(secs => $2)`,
        [instanceId, leaseMs / 1000],
      );
      return r.rows[0]?.n ?? 0;
    },
    stop: async () => {
      clearInterval(timer);
      if (!o.single)
        await pool
          .query('DELETE FROM call_leases WHERE instance_id = $1', [instanceId])
          .catch((e: unknown) => o.log?.warn({ err: describeDbError(e) }, 'call leases not released'));
    },
  };
}
