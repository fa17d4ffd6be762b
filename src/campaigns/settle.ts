import type pg from 'pg';
import { isCallOutcome } from '../../machines/outcomes.js';
import type { Topic } from '../facts/model.js';
import { withTx, type Queryable } from '../db/sql.js';
import { gymFreshness } from '../gyms/freshness.js';
import { busyTimesOf } from './policy/busy-times.js';
import type { GymState } from './store.js';
import type { Attempt, AttemptOutcome, CampaignPolicy, FinalState, PlanDecision, PlanNextAttempt } from './types.js';

// Asking the policy what comes next, and writing its answer: for a gym just added to a campaign (pending), and for a
// gym whose call has ended (its outcome is read from the call's stored record). Any replica may settle any ended
// call: the row is locked with SKIP LOCKED and changed only while still `dialling` that call, so an outcome is
// settled exactly once, whoever placed the call and whether or not that process is still alive.

export interface PlanContext {
  readonly plan: PlanNextAttempt;
  /** CALL_DEFAULT_TIMEZONE, for a gym whose zone is not known. */
  readonly defaultTimeZone: string;
}

/** The final state a policy's FinalState puts the gym in. */
export function gymStateOf(final: FinalState): GymState {
  if (final === 'do-not-call') return 'suppressed';
  if (final === 'attempts-exhausted') return 'failed';
  return 'done';
}

/**
 * The attempt outcome a stored call came to: its call outcome, else its line status (Twilio's no-answer is the
 * call outcome; canceled, a failed placement and a call whose server was lost are `failed`), and `do-not-call`
 * when the gym asked in it never to be called again.
 */
export function attemptOutcomeOf(call: { outcome: string | null; status: string; dnc: boolean }): AttemptOutcome {
  if (call.dnc) return 'do-not-call';
  if (call.outcome !== null && isCallOutcome(call.outcome)) return call.outcome;
  if (call.status === 'busy') return 'busy';
  if (call.status === 'no-answer') return 'no-answer';
  return 'failed';
}

interface GymRow {
  id: string;
  campaign_id: string;
  gym_id: string;
  attempts: number;
  phone: string | null;
  timezone: string | null;
  /** ISO 3166-1 country of the gym's number (the column gyms.region). */
  country: string | null;
  /** ISO 3166-2 subdivision inside it, without the country ("TX", "SCT"): regional holidays. */
  subdivision: string | null;
  policy: CampaignPolicy;
}

const GYM_COLUMNS = `cg.id, cg.campaign_id, cg.gym_id, cg.attempts, g.phone, g.timezone, g.region AS country,
                     g.subdivision, c.policy`;

const GYM_SQL = `
  SELECT ${GYM_COLUMNS}
    FROM campaign_gyms cg JOIN gyms g ON g.id = cg.gym_id JOIN campaigns c ON c.id = cg.campaign_id`;

/** The gym's attempts in this campaign, oldest first, with what each call stored (refusals, callback). */
async function history(db: Queryable, campaignGymId: string): Promise<Attempt[]> {
  const r = await db.query<{
    dialled_at: Date;
    outcome: string;
    call_id: string;
    refused: Topic[] | null;
    cb_local: string | null;
    cb_person: string | null;
    cb_topics: Topic[] | null;
    cb_words: string | null;
  }>(
    `SELECT a.dialled_at, a.outcome, a.call_id,
            (SELECT array_agg(r.topic) FROM call_refusals r WHERE r.call_id = a.call_id) AS refused,
            cb.earliest_local AS cb_local, cb.person AS cb_person, cb.topics AS cb_topics, cb.words AS cb_words
       FROM campaign_attempts a LEFT JOIN call_callbacks cb ON cb.call_id = a.call_id
      WHERE a.campaign_gym_id = $1 AND a.outcome IS NOT NULL ORDER BY a.seq`,
    [campaignGymId],
  );
  return r.rows.map((x) => ({
    at: x.dialled_at,
    outcome: x.outcome as AttemptOutcome,
    callId: x.call_id,
    ...(x.refused ? { refused: x.refused } : {}),
    ...(x.cb_words !== null
      ? {
          callback: {
            earliestLocal: x.cb_local ?? undefined,
            person: x.cb_person ?? undefined,
            topics: x.cb_topics ?? [],
            words: x.cb_words,
          },
        }
      : {}),
  }));
}

/** Asks the policy about one gym (its row locked by the caller) and writes the decision. */
async function decide(tx: Queryable, g: GymRow, now: Date, ctx: PlanContext): Promise<PlanDecision> {
  const policy = g.policy;
  let decision: PlanDecision;
  if (g.phone === null) decision = { kind: 'final', state: 'wrong-number', reason: 'the gym has no phone number' };
  else {
    const facts = await gymFreshness(tx, Number(g.gym_id), { asOf: now, maxAgeDays: policy.factsMaxAgeDays });
    decision = ctx.plan({
      gym: {
        gymId: g.gym_id,
        timeZone: g.timezone ?? ctx.defaultTimeZone,
        country: g.country ?? undefined,
        region: g.subdivision ?? undefined,
        hours: facts.topics.hours.value,
        busyTimes: busyTimesOf(facts.topics.classes.value),
      },
      history: await history(tx, g.id),
      facts,
      now,
      policy,
    });
    // The engine's own bound, whatever a policy answers: a gym is dialled at most maxAttempts times.
    if (decision.kind === 'call' && g.attempts >= policy.maxAttempts)
      decision = { kind: 'final', state: 'attempts-exhausted', reason: `${g.attempts} attempts made` };
  }
  if (decision.kind === 'call')
    await tx.query(
      `UPDATE campaign_gyms SET state = 'scheduled', next_at = $2, due_until = $6, reason = $3, brief = $4,
              lease_owner = NULL, lease_until = NULL, call_id = NULL, dialled_at = NULL, updated_at = $5
        WHERE id = $1`,
      [g.id, decision.at, decision.reason, JSON.stringify(decision.brief), now, decision.until],
    );
  else
    await tx.query(
      `UPDATE campaign_gyms SET state = $2, final_state = $3, reason = $4, next_at = NULL, due_until = NULL,
              lease_owner = NULL, lease_until = NULL, call_id = NULL, dialled_at = NULL, updated_at = $5
        WHERE id = $1`,
      [g.id, gymStateOf(decision.state), decision.state, decision.reason, now],
    );
  return decision;
}

/**
 * Works through up to `limit` gyms, one transaction each: `pick` locks the next one (SKIP LOCKED) and `work`
 * decides it. Not one transaction for the batch: on the embedded database (one connection) a call's own writes
 * wait behind one gym's plan (tens of ms), never behind fifty (seconds, past the pool's connect timeout).
 */
async function oneByOne<R, T>(
  pool: pg.Pool,
  limit: number,
  pick: (tx: Queryable) => Promise<R | undefined>,
  work: (tx: Queryable, row: R) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  while (out.length < limit) {
    const done = await withTx(pool, async (tx) => {
      const row = await pick(tx);
      return row === undefined ? undefined : { value: await work(tx, row) };
    });
    if (done === undefined) break;
    out.push(done.value);
  }
  return out;
}

const first = async <R extends pg.QueryResultRow>(q: Promise<pg.QueryResult<R>>) => (await q).rows[0];

/** Asks the policy about up to `limit` gyms that `where` picks (a condition and order over GYM_SQL's tables). */
async function planEach(
  pool: pg.Pool,
  now: Date,
  ctx: PlanContext,
  limit: number,
  where: string,
  params: readonly unknown[],
): Promise<number> {
  const pick = (tx: Queryable) =>
    first(tx.query<GymRow>(`${GYM_SQL} WHERE ${where} LIMIT 1 FOR UPDATE OF cg SKIP LOCKED`, [...params]));
  return (await oneByOne(pool, limit, pick, (tx, g) => decide(tx, g, now, ctx))).length;
}

/** Plans the first call of up to `limit` pending gyms. */
export function planPending(pool: pg.Pool, now: Date, ctx: PlanContext, limit: number): Promise<number> {
  return planEach(
    pool,
    now,
    ctx,
    limit,
    "cg.state = 'pending' AND c.status IN ('active', 'paused') ORDER BY cg.id",
    [],
  );
}

/**
 * Plans again up to `limit` gyms whose calling window closed while they waited (every line busy until then): the
 * claim never dials them late, and the policy, asked again with the same history, gives the next window.
 */
export function replanMissed(pool: pg.Pool, now: Date, ctx: PlanContext, limit: number): Promise<number> {
  return planEach(
    pool,
    now,
    ctx,
    limit,
    "cg.state = 'scheduled' AND cg.due_until <= $1 AND c.status IN ('active', 'paused') ORDER BY cg.due_until, cg.id",
    [now],
  );
}

/** What settling one call came to, for the engine's log and metrics. */
export interface Settled {
  readonly callId: string;
  readonly outcome: AttemptOutcome;
  readonly decision: PlanDecision['kind'];
}

/**
 * Settles up to `limit` dials whose call has ended: the attempt gets its outcome, the gym its next call or final
 * state. A call's outcome is written with its end report, which may come shortly after Twilio's final status:
 * a call that ended `completed` without an outcome or end reason is given a minute for it.
 */
export async function settleEnded(pool: pg.Pool, now: Date, ctx: PlanContext, limit: number): Promise<Settled[]> {
  return oneByOne(
    pool,
    limit,
    (tx) =>
      first(
        tx.query<GymRow & { call_id: string; outcome: string | null; status: string; dnc: boolean }>(
          `SELECT ${GYM_COLUMNS}, cg.call_id, k.outcome, k.status,
                  EXISTS (SELECT 1 FROM suppressions s WHERE s.call_id = k.id) AS dnc
             FROM campaign_gyms cg JOIN gyms g ON g.id = cg.gym_id JOIN campaigns c ON c.id = cg.campaign_id
             JOIN calls k ON k.id = cg.call_id
            WHERE cg.state = 'dialling' AND cg.dialled_at IS NOT NULL AND k.ended_at IS NOT NULL
              AND (k.outcome IS NOT NULL OR k.end_reason IS NOT NULL OR k.status <> 'completed'
                   OR k.ended_at < now() - interval '60 seconds')
            ORDER BY k.ended_at LIMIT 1 FOR UPDATE OF cg SKIP LOCKED`,
        ),
      ),
    async (tx, g): Promise<Settled> => {
      const outcome = attemptOutcomeOf(g);
      await tx.query(
        `UPDATE campaign_attempts SET outcome = $2, settled_at = $3 WHERE call_id = $1 AND outcome IS NULL`,
        [g.call_id, outcome, now],
      );
      await tx.query('UPDATE campaign_gyms SET last_outcome = $2 WHERE id = $1', [g.id, outcome]);
      const d = await decide(tx, g, now, ctx);
      return { callId: g.call_id, outcome, decision: d.kind };
    },
  );
}
