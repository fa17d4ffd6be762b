import type { Queryable } from '../db/sql.js';
import { FINAL_STATUSES } from '../telephony/call-store.js';
import type { AnalyticsFilters } from './filters.js';

// The read models of the call charts on /analytics: one parameterised query per chart, grouped in SQL, each result
// bounded (a year of days at most, or a top-N). Calls are dated by when they were placed (calls.created_at, read
// through calls_created_idx) and bucketed by UTC day; a campaign's dials by campaign_attempts.dialled_at (the same
// moment, read through campaign_attempts_campaign_idx). A campaign filter keeps the calls that were its dials.

/** $1..$3 of every call query: the range and the campaign (NULL: all calls). */
const params = (f: AnalyticsFilters) => [f.since, f.until, f.campaignId ?? null];

const CALLS_IN_SCOPE = `c.created_at >= $1 AND c.created_at < $2
  AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM campaign_attempts a WHERE a.call_id = c.id AND a.campaign_id = $3))`;
const ATTEMPTS_IN_SCOPE = `a.dialled_at >= $1 AND a.dialled_at < $2 AND ($3::bigint IS NULL OR a.campaign_id = $3)`;
const UTC_DAY = `to_char(date_trunc('day', c.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;

/** At most this many campaigns and gyms in the per-campaign and per-gym charts (the newest, the costliest). */
export const TOP_CAMPAIGNS = 30;
export const TOP_GYMS = 25;

export interface CampaignOutcomeRow {
  campaignId: number;
  campaign: string;
  outcome: string;
  attempts: number;
}

/** Dials per campaign and outcome (campaign_attempts.outcome; 'not settled' while the call is on or unsettled). */
export async function outcomesByCampaign(db: Queryable, f: AnalyticsFilters): Promise<CampaignOutcomeRow[]> {
  const { rows } = await db.query<{ id: string; name: string; outcome: string; attempts: number }>(
    `WITH top AS (SELECT a.campaign_id FROM campaign_attempts a WHERE ${ATTEMPTS_IN_SCOPE}
                   GROUP BY a.campaign_id ORDER BY a.campaign_id DESC LIMIT ${TOP_CAMPAIGNS})
     SELECT a.campaign_id::text AS id, cp.name, COALESCE(a.outcome, 'not settled') AS outcome, count(*)::int AS attempts
       FROM campaign_attempts a JOIN top USING (campaign_id) JOIN campaigns cp ON cp.id = a.campaign_id
      WHERE ${ATTEMPTS_IN_SCOPE}
      GROUP BY a.campaign_id, cp.name, 3 ORDER BY a.campaign_id DESC, 3`,
    params(f),
  );
  return rows.map((r) => ({ campaignId: Number(r.id), campaign: r.name, outcome: r.outcome, attempts: r.attempts }));
}

export interface DayOutcomeRow {
  day: string;
  outcome: string;
  calls: number;
}

/**
 * Calls per UTC day and what they came to: the call's outcome; for a line that never connected, its status (busy,
 * no-answer, failed, canceled); 'in progress' for a call not over; 'no outcome' for an ended call without one.
 */
export async function outcomesByDay(db: Queryable, f: AnalyticsFilters): Promise<DayOutcomeRow[]> {
  const { rows } = await db.query<DayOutcomeRow>(
    `SELECT ${UTC_DAY} AS day,
            CASE WHEN c.outcome IS NOT NULL THEN c.outcome
                 WHEN c.status IN ('busy', 'no-answer', 'failed', 'canceled') THEN c.status
                 WHEN c.ended_at IS NULL AND NOT (c.status = ANY($4::text[])) THEN 'in progress'
                 ELSE 'no outcome' END AS outcome,
            count(*)::int AS calls
       FROM calls c WHERE ${CALLS_IN_SCOPE} GROUP BY 1, 2 ORDER BY 1, 2`,
    [...params(f), [...FINAL_STATUSES]],
  );
  return rows;
}

export interface DayLatencyRow {
  day: string;
  /** Agent turns with a response gap (caller stops → agent starts) and its percentiles, ms. */
  gapTurns: number;
  gapP50: number | null;
  gapP90: number | null;
  gapP99: number | null;
  /** Agent turns with a server-added time (end of turn → first audio sent) and its percentiles, ms. */
  serverTurns: number;
  serverP50: number | null;
  serverP90: number | null;
}

const ms = (v: number | null | undefined): number | null => (v == null ? null : Math.round(v));

/** Per UTC day, percentiles over every agent turn's measured figures (turns.latency, written by the session). */
export async function latencyByDay(db: Queryable, f: AnalyticsFilters): Promise<DayLatencyRow[]> {
  // percentile_cont interpolates between turns; the figures are stored as JSON numbers, anything else is skipped.
  const num = (key: string) =>
    `CASE WHEN jsonb_typeof(t.latency -> '${key}') = 'number' THEN (t.latency ->> '${key}')::float8 END`;
  const { rows } = await db.query<{
    day: string;
    gap_turns: number;
    gap: number[] | null;
    server_turns: number;
    server: number[] | null;
  }>(
    `SELECT ${UTC_DAY} AS day,
            count(m.gap)::int AS gap_turns,
            percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY m.gap) AS gap,
            count(m.server)::int AS server_turns,
            percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY m.server) AS server
       FROM calls c
       JOIN turns t ON t.call_id = c.id AND t.speaker = 'agent' AND t.latency IS NOT NULL
       CROSS JOIN LATERAL (SELECT ${num('responseGapMs')} AS gap, ${num('endOfTurnToFirstAudioMs')} AS server) m
      WHERE ${CALLS_IN_SCOPE} AND (m.gap IS NOT NULL OR m.server IS NOT NULL)
      GROUP BY 1 ORDER BY 1`,
    params(f),
  );
  return rows.map((r) => ({
    day: r.day,
    gapTurns: r.gap_turns,
    gapP50: r.gap_turns > 0 ? ms(r.gap?.[0]) : null,
    gapP90: r.gap_turns > 0 ? ms(r.gap?.[1]) : null,
    gapP99: r.gap_turns > 0 ? ms(r.gap?.[2]) : null,
    serverTurns: r.server_turns,
    serverP50: r.server_turns > 0 ? ms(r.server?.[0]) : null,
    serverP90: r.server_turns > 0 ? ms(r.server?.[1]) : null,
  }));
}

export interface DayBargeInRow {
  day: string;
  /** Calls with a conversation (at least one stored turn). */
  calls: number;
  /** Agent turns the caller cut off (turns.interrupted). */
  interruptions: number;
  /** Of those calls, the ones whose false barge-ins were counted (ended after migration 016), and the count. */
  countedCalls: number;
  falseBargeIns: number;
}

/** Per UTC day: interruptions and false barge-ins over the calls that had a conversation. */
export async function bargeInsByDay(db: Queryable, f: AnalyticsFilters): Promise<DayBargeInRow[]> {
  const { rows } = await db.query<DayBargeInRow>(
    `SELECT ${UTC_DAY} AS day, count(*)::int AS calls, sum(x.cut)::int AS interruptions,
            count(c.false_barge_ins)::int AS "countedCalls", COALESCE(sum(c.false_barge_ins), 0)::int AS "falseBargeIns"
       FROM calls c
       CROSS JOIN LATERAL (SELECT count(*) AS turns, count(*) FILTER (WHERE t.speaker = 'agent' AND t.interrupted) AS cut
                             FROM turns t WHERE t.call_id = c.id) x
      WHERE ${CALLS_IN_SCOPE} AND x.turns > 0
      GROUP BY 1 ORDER BY 1`,
    params(f),
  );
  return rows;
}

export interface CostRow {
  /** campaigns.id or gyms.id. */
  id: number;
  name: string;
  calls: number;
  /** Distinct gyms the cost was spent on. */
  gyms: number;
  totalUsd: number;
}

const toCost = (r: { id: string; name: string; calls: number; gyms: number; total_usd: string }): CostRow => ({
  id: Number(r.id),
  name: r.name,
  calls: r.calls,
  gyms: r.gyms,
  totalUsd: Number(r.total_usd),
});

/** What each campaign's priced dials cost (call_costs, migration 009), costliest first. */
export async function costByCampaign(db: Queryable, f: AnalyticsFilters): Promise<CostRow[]> {
  const { rows } = await db.query<{ id: string; name: string; calls: number; gyms: number; total_usd: string }>(
    `SELECT a.campaign_id::text AS id, cp.name, count(*)::int AS calls, count(DISTINCT a.gym_id)::int AS gyms,
            sum(k.total_usd)::text AS total_usd
       FROM campaign_attempts a JOIN call_costs k ON k.call_id = a.call_id JOIN campaigns cp ON cp.id = a.campaign_id
      WHERE ${ATTEMPTS_IN_SCOPE}
      GROUP BY a.campaign_id, cp.name ORDER BY sum(k.total_usd) DESC, a.campaign_id LIMIT ${TOP_CAMPAIGNS}`,
    params(f),
  );
  return rows.map(toCost);
}

/** What the priced calls to each gym cost, the costliest gyms first. */
export async function costByGym(db: Queryable, f: AnalyticsFilters): Promise<CostRow[]> {
  const { rows } = await db.query<{ id: string; name: string; calls: number; gyms: number; total_usd: string }>(
    `SELECT c.gym_id::text AS id, g.name, count(*)::int AS calls, 1 AS gyms, sum(k.total_usd)::text AS total_usd
       FROM calls c JOIN call_costs k ON k.call_id = c.id JOIN gyms g ON g.id = c.gym_id
      WHERE ${CALLS_IN_SCOPE}
      GROUP BY c.gym_id, g.name ORDER BY sum(k.total_usd) DESC, c.gym_id LIMIT ${TOP_GYMS}`,
    params(f),
  );
  return rows.map(toCost);
}

/** Campaigns for the filter's choice (the newest 200, and the picked one wherever it is); `found` says if it exists. */
export async function campaignChoices(
  db: Queryable,
  picked: number | undefined,
): Promise<{ choices: { id: number; name: string }[]; found: boolean }> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `(SELECT id, name FROM campaigns ORDER BY id DESC LIMIT 200)
     UNION SELECT id, name FROM campaigns WHERE id = $1 ORDER BY id DESC`,
    [picked ?? null],
  );
  const choices = rows.map((r) => ({ id: Number(r.id), name: r.name }));
  return { choices, found: picked === undefined || choices.some((c) => c.id === picked) };
}
