import type { Queryable } from '../db/sql.js';
import type { Topic } from '../facts/model.js';
import type { AnalyticsFilters } from './filters.js';

// The read models of the fact charts on /analytics. A gym's facts are what src/db/repositories/facts.ts calls
// current, taken as of the end of the date range: per day of the week the newest statement of its hours, and the
// price list and class list of the newest call that stated one. The start of the range does not apply (a gym's
// hours stated last year are still what is known of them). Gyms in scope: every gym, or a campaign's gyms.
// Each read goes through the fact tables' (gym_id, …, recorded_at DESC) indexes.

/** $1: the end of the range; $2: the campaign (NULL: every gym). */
const params = (f: AnalyticsFilters) => [f.until, f.campaignId ?? null];
const GYM_IN_SCOPE = (col: string) =>
  `($2::bigint IS NULL OR ${col} IN (SELECT cg.gym_id FROM campaign_gyms cg WHERE cg.campaign_id = $2))`;
/** The newest call per gym that stated a list topic (fact_plans, fact_classes), up to the end of the range. */
const NEWEST_LIST = (table: string) =>
  `SELECT DISTINCT ON (gym_id) gym_id, call_id, recorded_at FROM ${table}
    WHERE recorded_at < $1::timestamptz AND ${GYM_IN_SCOPE('gym_id')} ORDER BY gym_id, recorded_at DESC, call_id DESC`;

/** At most this many plan groups and classes (the most often stated). */
export const TOP_PLANS = 20;
export const TOP_CLASSES = 20;

export interface CoverageRow {
  topic: Topic;
  /** Gyms in scope. */
  gyms: number;
  /** Known in full (hours: all seven days) and confirmed within maxAgeDays of the end of the range. */
  fresh: number;
  /** Known in full, but its oldest confirmation is older than that. */
  stale: number;
  /** Hours only: some days known, not all seven. */
  partial: number;
  missing: number;
  /** Median days since the topic was confirmed, over gyms that know it (hours: the oldest day). */
  medianAgeDays: number | null;
}

/** How many gyms know each topic, in full or in part, and how fresh it is (FACTS_MAX_AGE_DAYS). */
export async function factCoverage(db: Queryable, f: AnalyticsFilters, maxAgeDays: number): Promise<CoverageRow[]> {
  const { rows } = await db.query<Omit<CoverageRow, 'medianAgeDays'> & { age: number | null }>(
    `WITH scope AS (SELECT g.id FROM gyms g WHERE ${GYM_IN_SCOPE('g.id')}),
     hours AS (SELECT d.gym_id, count(*) = 7 AS complete, min(d.recorded_at) AS at
                 FROM (SELECT DISTINCT ON (gym_id, day) gym_id, day, recorded_at FROM fact_hours
                        WHERE recorded_at < $1::timestamptz AND ${GYM_IN_SCOPE('gym_id')} ORDER BY gym_id, day, recorded_at DESC) d
                GROUP BY d.gym_id),
     known AS (SELECT 'hours' AS topic, s.id, h.complete, h.at FROM scope s LEFT JOIN hours h ON h.gym_id = s.id
               UNION ALL
               SELECT 'pricing', s.id, p.gym_id IS NOT NULL, p.recorded_at
                 FROM scope s LEFT JOIN (${NEWEST_LIST('fact_plans')}) p ON p.gym_id = s.id
               UNION ALL
               SELECT 'classes', s.id, k.gym_id IS NOT NULL, k.recorded_at
                 FROM scope s LEFT JOIN (${NEWEST_LIST('fact_classes')}) k ON k.gym_id = s.id)
     SELECT topic, count(*)::int AS gyms,
            count(*) FILTER (WHERE complete AND $1::timestamptz - at <= make_interval(days => $3::int))::int AS fresh,
            count(*) FILTER (WHERE complete AND $1::timestamptz - at > make_interval(days => $3::int))::int AS stale,
            count(*) FILTER (WHERE at IS NOT NULL AND NOT complete)::int AS partial,
            count(*) FILTER (WHERE at IS NULL)::int AS missing,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM $1::timestamptz - at) / 86400) AS age
       FROM known GROUP BY topic`,
    [...params(f), maxAgeDays],
  );
  const order: Topic[] = ['hours', 'pricing', 'classes'];
  return order.map((topic) => {
    const r = rows.find((x) => x.topic === topic);
    return {
      topic,
      gyms: r?.gyms ?? 0,
      fresh: r?.fresh ?? 0,
      stale: r?.stale ?? 0,
      partial: r?.partial ?? 0,
      missing: r?.missing ?? 0,
      medianAgeDays: r?.age == null ? null : Math.round(r.age * 10) / 10,
    };
  });
}

export interface PriceRow {
  /** The plan as gyms name it most often (plans are grouped by their lower-cased name), its period and currency. */
  plan: string;
  period: string;
  currency: string;
  /** Gyms whose current price list has it. */
  gyms: number;
  /** Major units (minor / 100, as the API shows prices). */
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

/** The spread of each plan's price across gyms' current price lists: the most often stated plans first. */
export async function priceDistribution(db: Queryable, f: AnalyticsFilters): Promise<PriceRow[]> {
  const { rows } = await db.query<{ plan: string; period: string; currency: string; gyms: number; q: number[] }>(
    `SELECT mode() WITHIN GROUP (ORDER BY p.plan) AS plan, p.period, p.currency, count(DISTINCT p.gym_id)::int AS gyms,
            percentile_cont(ARRAY[0, 0.25, 0.5, 0.75, 1]) WITHIN GROUP (ORDER BY p.amount_minor::float8) AS q
       FROM fact_plans p JOIN (${NEWEST_LIST('fact_plans')}) n ON n.gym_id = p.gym_id AND n.call_id = p.call_id
      GROUP BY p.plan_key, p.period, p.currency
      ORDER BY gyms DESC, p.plan_key, p.period, p.currency LIMIT ${TOP_PLANS}`,
    params(f),
  );
  const major = (q: number[], i: number) => Math.round(q[i] ?? 0) / 100;
  return rows.map((r) => ({
    plan: r.plan,
    period: r.period,
    currency: r.currency,
    gyms: r.gyms,
    min: major(r.q, 0),
    p25: major(r.q, 1),
    median: major(r.q, 2),
    p75: major(r.q, 3),
    max: major(r.q, 4),
  }));
}

export interface ClassRow {
  /** The class as gyms name it most often (grouped by lower-cased name). */
  name: string;
  gyms: number;
  /** Gyms in scope with any class list: the share's denominator. */
  gymsWithClasses: number;
}

/** The classes most gyms offer, by their current class lists. */
export async function topClasses(db: Queryable, f: AnalyticsFilters): Promise<ClassRow[]> {
  const { rows } = await db.query<{ name: string; gyms: number; total: number }>(
    `WITH newest AS (${NEWEST_LIST('fact_classes')})
     SELECT mode() WITHIN GROUP (ORDER BY k.name) AS name, count(DISTINCT k.gym_id)::int AS gyms,
            (SELECT count(*) FROM newest)::int AS total
       FROM fact_classes k JOIN newest n ON n.gym_id = k.gym_id AND n.call_id = k.call_id
      GROUP BY k.name_key ORDER BY gyms DESC, k.name_key LIMIT ${TOP_CLASSES}`,
    params(f),
  );
  return rows.map((r) => ({ name: r.name, gyms: r.gyms, gymsWithClasses: r.total }));
}
