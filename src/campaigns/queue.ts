import type pg from 'pg';
import { withTx, type Queryable } from '../db/sql.js';
import type { CallBrief } from './types.js';
import { languageFrom, type Language } from '../language/index.js';

// The campaign queue's claims, in SQL. campaign_gyms rows are the jobs: a due row is claimed with
// FOR UPDATE SKIP LOCKED, so two replicas never take the same gym, and the claim runs under one
// transaction-scoped advisory lock so that the capacity it counts (calls not ended across every replica, this
// campaign's dials) cannot be taken twice by two replicas counting at once. "Due" is compared with the engine's
// clock (a parameter, not the database's now()) so a campaign runs on a simulated clock as on the real one; leases
// use the database's now(): they are about processes being alive, which a simulated clock says nothing about.

/** Key of the advisory lock the claim takes ('camp' in ASCII): one claim at a time across replicas. */
const CLAIM_LOCK = 0x63616d70;

export interface Claimed {
  readonly id: number;
  readonly campaignId: number;
  readonly gymId: number;
  readonly callId: string;
  readonly phone: string | null;
  readonly name: string;
  readonly timeZone: string | null;
  readonly reason: string | null;
  /** The policy's brief for this call (settle.ts writes it from planNextAttempt); null before the first plan. */
  readonly brief: CallBrief | null;
  readonly attempts: number;
  /** The gym's language when it is one calls are held in, else the campaign's; undefined: CALL_LANGUAGE. */
  readonly language: Language | undefined;
}

export interface ClaimOptions {
  readonly owner: string;
  readonly now: Date;
  readonly leaseMs: number;
  /** MAX_CONCURRENT_CALLS: calls not ended, in every replica and of every kind, count against it. */
  readonly globalMax: number;
  /** At most this many (this replica's free slots). */
  readonly limit: number;
}

/**
 * Claims due gyms of active campaigns within the global and per-campaign limits. A gym another campaign has on the
 * line is skipped. Each claimed row is `dialling`, leased to `owner`, with a fresh call id (gen_random_uuid).
 */
export async function claimDue(pool: pg.Pool, o: ClaimOptions): Promise<Claimed[]> {
  if (o.limit <= 0) return [];
  return withTx(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
    // A claimed row without its call yet is a call about to exist: it counts too.
    const used = await tx.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM calls WHERE ended_at IS NULL)
             + (SELECT count(*) FROM campaign_gyms cg WHERE cg.state = 'dialling'
                  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = cg.call_id)))::int AS n`,
    );
    const room = Math.min(o.limit, o.globalMax - (used.rows[0]?.n ?? 0));
    if (room <= 0) return [];
    const rows = await tx.query<{ id: string; campaign_id: string; gym_id: string; campaign_room: number }>(
      `SELECT cg.id, cg.campaign_id, cg.gym_id,
              c.max_concurrent - (SELECT count(*) FROM campaign_gyms d
                                   WHERE d.campaign_id = c.id AND d.state = 'dialling')::int AS campaign_room
         FROM campaign_gyms cg JOIN campaigns c ON c.id = cg.campaign_id
        WHERE cg.state = 'scheduled' AND cg.next_at <= $1 AND (cg.due_until IS NULL OR cg.due_until > $1)
          AND c.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM campaign_gyms d WHERE d.gym_id = cg.gym_id AND d.state = 'dialling')
        ORDER BY cg.next_at, cg.id
        LIMIT $2
        FOR UPDATE OF cg SKIP LOCKED`,
      [o.now, room * 4],
    );
    const perCampaign = new Map<string, number>();
    const gyms = new Set<string>();
    const chosen: string[] = [];
    for (const r of rows.rows) {
      const left = perCampaign.get(r.campaign_id) ?? r.campaign_room;
      if (left <= 0 || gyms.has(r.gym_id)) continue;
      perCampaign.set(r.campaign_id, left - 1);
      gyms.add(r.gym_id);
      chosen.push(r.id);
      if (chosen.length >= room) break;
    }
    if (chosen.length === 0) return [];
    const out = await tx.query<{
      id: string;
      campaign_id: string;
      gym_id: string;
      call_id: string;
      phone: string | null;
      name: string;
      timezone: string | null;
      reason: string | null;
      brief: CallBrief | null;
      attempts: number;
      gym_language: string | null;
      campaign_language: Language | null;
    }>(
      `UPDATE campaign_gyms cg SET state = 'dialling', lease_owner = $2, call_id = gen_random_uuid()::text,
              lease_until = now() + make_interval(secs => $3), dialled_at = NULL, updated_at = $4
         FROM gyms g
        WHERE cg.id = ANY($1::bigint[]) AND g.id = cg.gym_id
        RETURNING cg.id, cg.campaign_id, cg.gym_id, cg.call_id, g.phone, g.name, g.timezone, cg.reason, cg.brief,
                  cg.attempts, g.language AS gym_language,
                  (SELECT c.language FROM campaigns c WHERE c.id = cg.campaign_id) AS campaign_language`,
      [chosen, o.owner, o.leaseMs / 1000, o.now],
    );
    return out.rows.map((r) => ({
      id: Number(r.id),
      campaignId: Number(r.campaign_id),
      gymId: Number(r.gym_id),
      callId: r.call_id,
      phone: r.phone,
      name: r.name,
      timeZone: r.timezone,
      reason: r.reason,
      brief: r.brief,
      attempts: r.attempts,
      // The gym's list gave a BCP 47 tag ("es-MX"): it wins when it names a language calls are held in.
      language:
        (r.gym_language === null ? undefined : languageFrom(r.gym_language)) ?? r.campaign_language ?? undefined,
    }));
  });
}

export interface DialCommit {
  readonly claim: Claimed;
  readonly owner: string;
  readonly now: Date;
  readonly localTime: string;
  readonly timeZone: string;
}

/**
 * The point after which the gym may be on the line: the call record exists, this replica still holds the claim
 * (its lease has not lapsed, so no other replica has taken the gym back) and the campaign is still active (a pause
 * or cancel that answered before this point has no dial after it). Records the attempt. False: the call must not
 * be placed; a claim still this replica's is given back in the same transaction, so the gym does not count as
 * dialling until its lease lapses.
 */
export async function commitDial(pool: pg.Pool, d: DialCommit): Promise<boolean> {
  return withTx(pool, async (tx) => {
    const r = await tx.query<{ attempts: number }>(
      `UPDATE campaign_gyms cg SET dialled_at = $4, attempts = attempts + 1, updated_at = $4
        WHERE id = $1 AND state = 'dialling' AND call_id = $2 AND lease_owner = $3 AND dialled_at IS NULL
          AND lease_until > now()
          AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = cg.campaign_id AND c.status = 'active')
        RETURNING attempts`,
      [d.claim.id, d.claim.callId, d.owner, d.now],
    );
    const seq = r.rows[0]?.attempts;
    if (seq === undefined) {
      await releaseClaim(tx, d.claim.id, d.claim.callId, d.owner);
      return false;
    }
    await tx.query(
      `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time,
                                      time_zone, reason, brief)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        d.claim.id,
        d.claim.campaignId,
        d.claim.gymId,
        seq,
        d.claim.callId,
        d.now,
        d.localTime,
        d.timeZone,
        d.claim.reason,
        d.claim.brief === null || d.claim.brief === undefined ? null : JSON.stringify(d.claim.brief),
      ],
    );
    return true;
  });
}

/**
 * Gives a claim back before anything was dialled (no free slot here after all, or the campaign stopped before the
 * commit): due again at once, for whichever replica claims it while its campaign is active.
 */
export async function releaseClaim(db: Queryable, id: number, callId: string, owner: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE campaign_gyms SET state = 'scheduled', lease_owner = NULL, lease_until = NULL, call_id = NULL
      WHERE id = $1 AND call_id = $2 AND lease_owner = $3 AND state = 'dialling' AND dialled_at IS NULL`,
    [id, callId, owner],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Keeps this replica's claims alive; what a live process does every tick. */
export async function renewClaims(pool: pg.Pool, owner: string, leaseMs: number): Promise<number> {
  const r = await pool.query(
    `UPDATE campaign_gyms SET lease_until = now() + make_interval(secs => $2)
      WHERE lease_owner = $1 AND state = 'dialling'`,
    [owner, leaseMs / 1000],
  );
  return r.rowCount ?? 0;
}

/**
 * Claims whose replica stopped renewing them (killed, lost) before it committed the dial: nothing was placed, the
 * gym is due again. `everyOtherOwner` (embedded database: one process per data directory) takes back every claim
 * not this process's at once. A committed dial is never taken back: its call is settled when it has ended.
 */
export async function recoverClaims(pool: pg.Pool, owner: string, everyOtherOwner: boolean): Promise<number> {
  const r = await pool.query(
    `UPDATE campaign_gyms SET state = 'scheduled', lease_owner = NULL, lease_until = NULL, call_id = NULL
      WHERE state = 'dialling' AND dialled_at IS NULL AND lease_owner <> $1
        AND ($2 OR lease_until < now())`,
    [owner, everyOtherOwner],
  );
  return r.rowCount ?? 0;
}

/** Gyms whose number went on the do-not-call list before their next dial: final, never dialled. */
export async function suppressListed(pool: pg.Pool, now: Date): Promise<number> {
  const r = await pool.query(
    `UPDATE campaign_gyms cg SET state = 'suppressed', final_state = 'do-not-call', next_at = NULL,
            reason = 'number on the do-not-call list', updated_at = $1
       FROM gyms g
      WHERE g.id = cg.gym_id AND cg.state IN ('pending', 'scheduled')
        AND EXISTS (SELECT 1 FROM suppressions s WHERE s.phone = g.phone)`,
    [now],
  );
  return r.rowCount ?? 0;
}

/** What else happens in the transaction that marks campaigns done (their webhook events: src/webhooks/events.ts). */
export type CampaignsDoneHook = (tx: pg.PoolClient, ids: readonly number[], at: Date) => Promise<void>;

/**
 * Active campaigns with no gym left to call are done. With a hook, in one transaction with it; without one (no
 * webhooks) a single statement, as every engine pass runs this.
 */
export async function finishCampaigns(pool: pg.Pool, now: Date, onDone?: CampaignsDoneHook): Promise<number> {
  const finish = async (db: Queryable) =>
    (
      await db.query<{ id: string }>(
        `UPDATE campaigns c SET status = 'done', updated_at = $1
          WHERE c.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM campaign_gyms cg WHERE cg.campaign_id = c.id
                             AND cg.state IN ('pending', 'scheduled', 'dialling'))
          RETURNING c.id`,
        [now],
      )
    ).rows.map((x) => Number(x.id));
  if (onDone === undefined) return (await finish(pool)).length;
  return withTx(pool, async (tx) => {
    const ids = await finish(tx);
    if (ids.length > 0) await onDone(tx, ids, now);
    return ids.length;
  });
}

/**
 * A claimed gym that must not be dialled at all, found at the last moment: its number is outside the allowed
 * destinations (`failed`) or went on the do-not-call list since the claim (`suppressed`). Final.
 */
export async function failClaim(
  pool: pg.Pool,
  c: {
    id: number;
    callId: string;
    owner: string;
    state: 'failed' | 'suppressed';
    finalState: string;
    reason: string;
    now: Date;
  },
): Promise<boolean> {
  const r = await pool.query(
    `UPDATE campaign_gyms SET state = $7, final_state = $4, reason = $5, next_at = NULL, lease_owner = NULL,
            lease_until = NULL, call_id = NULL, updated_at = $6
      WHERE id = $1 AND call_id = $2 AND lease_owner = $3 AND state = 'dialling' AND dialled_at IS NULL`,
    [c.id, c.callId, c.owner, c.finalState, c.reason, c.now, c.state],
  );
  return (r.rowCount ?? 0) > 0;
}
