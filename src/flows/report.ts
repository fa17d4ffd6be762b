import type { Queryable } from '../db/sql.js';
import {
  compareExperiment,
  DEFAULT_ALPHA,
  DEFAULT_MIN_CONVERSATIONS,
  type ExperimentReport,
  type SampleSummary,
  type VariantTally,
} from './compare.js';

// The flows report: every experiment's variants compared (compare.ts) from the calls that ran them. What the
// `gym-agent flows report` command prints and the /analytics page shows: `flowsReport(pool, filters)`.
//
// Which calls count: ended calls recorded with an experiment and a variant, assigned by the gym's number (a call
// from a withheld number ran control without being assigned, and is left out). Every rate and mean is over the
// conversations among them, the calls where a person spoke: a flow cannot change whether anyone answers, and the
// calls where nobody did (no answer, voicemail, a phone tree or hold that never reached a person) would only dilute
// the comparison.

/** Outcomes where no person spoke (machines/outcomes.ts): not a conversation. */
const NOBODY_SPOKE = [
  'no-answer',
  'voicemail-left',
  'voicemail-full',
  'voicemail-skipped',
  'ivr-stuck',
  'hold-timeout',
];

export interface FlowsFilters {
  /** Only calls a campaign placed. */
  readonly campaignId?: number | undefined;
  /** Only calls started at or after this. */
  readonly since?: Date | undefined;
  /** Only calls started before this. */
  readonly until?: Date | undefined;
  /** One experiment (default: every experiment in the window). */
  readonly experiment?: string | undefined;
  /** Default 0.05. */
  readonly alpha?: number | undefined;
  /** Conversations each variant needs before a verdict (default 100). */
  readonly minConversations?: number | undefined;
}

export interface FlowsReport {
  readonly generatedAt: string;
  readonly filters: {
    readonly campaignId: number | null;
    readonly since: string | null;
    readonly until: string | null;
    readonly experiment: string | null;
  };
  readonly alpha: number;
  readonly minConversations: number;
  /** By experiment name. */
  readonly experiments: readonly ExperimentReport[];
}

interface TallyRow {
  experiment: string;
  variant: string;
  calls: number;
  conversations: number;
  facts_complete: number;
  hangups: number;
  refusals: number;
  seconds_n: number;
  seconds_mean: number | null;
  seconds_sd: number | null;
  seconds_median: number | null;
  cost_n: number;
  cost_mean: number | null;
  cost_sd: number | null;
  cost_median: number | null;
}

// Aggregated in the database: one row per experiment and variant, whatever the number of calls.
const TALLY_SQL = `
  WITH c AS (
    SELECT c.flow_experiment AS experiment, c.flow_variant AS variant,
           c.outcome IS NOT NULL AND c.outcome <> ALL($1::text[]) AS conversation,
           c.outcome = 'completed' AS complete,
           c.end_reason = 'caller-hangup'
             AND NOT EXISTS (SELECT 1 FROM fact_hours f WHERE f.call_id = c.id)
             AND NOT EXISTS (SELECT 1 FROM fact_plans f WHERE f.call_id = c.id)
             AND NOT EXISTS (SELECT 1 FROM fact_classes f WHERE f.call_id = c.id) AS hangup_before_fact,
           EXISTS (SELECT 1 FROM call_refusals r WHERE r.call_id = c.id) AS refused,
           EXTRACT(EPOCH FROM c.ended_at - COALESCE(c.answered_at, c.created_at))::float8 AS seconds,
           k.total_usd::float8 AS cost
      FROM calls c LEFT JOIN call_costs k ON k.call_id = c.id
     WHERE c.flow_experiment IS NOT NULL AND c.ended_at IS NOT NULL
       AND regexp_replace(c.phone_number, '[ ().-]', '', 'g') ~ '^\\+[1-9][0-9]{6,14}$'
       AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM campaign_attempts a
                                            WHERE a.call_id = c.id AND a.campaign_id = $2::bigint))
       AND ($3::timestamptz IS NULL OR c.created_at >= $3::timestamptz)
       AND ($4::timestamptz IS NULL OR c.created_at < $4::timestamptz)
       AND ($5::text IS NULL OR c.flow_experiment = $5::text)
  )
  SELECT experiment, variant,
         count(*)::int AS calls,
         count(*) FILTER (WHERE conversation)::int AS conversations,
         count(*) FILTER (WHERE conversation AND complete)::int AS facts_complete,
         count(*) FILTER (WHERE conversation AND hangup_before_fact)::int AS hangups,
         count(*) FILTER (WHERE conversation AND refused)::int AS refusals,
         count(seconds) FILTER (WHERE conversation)::int AS seconds_n,
         avg(seconds) FILTER (WHERE conversation) AS seconds_mean,
         stddev_samp(seconds) FILTER (WHERE conversation) AS seconds_sd,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE conversation) AS seconds_median,
         count(cost) FILTER (WHERE conversation)::int AS cost_n,
         avg(cost) FILTER (WHERE conversation) AS cost_mean,
         stddev_samp(cost) FILTER (WHERE conversation) AS cost_sd,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY cost) FILTER (WHERE conversation) AS cost_median
    FROM c GROUP BY experiment, variant ORDER BY experiment, variant`;

function sample(n: number, mean: number | null, sd: number | null, median: number | null): SampleSummary | undefined {
  if (n === 0 || mean === null || median === null) return undefined;
  return { n, mean: Number(mean), sd: Number(sd ?? 0), median: Number(median) };
}

function tally(r: TallyRow): VariantTally {
  return {
    variant: r.variant,
    calls: r.calls,
    conversations: r.conversations,
    factsComplete: r.facts_complete,
    hangupsBeforeFact: r.hangups,
    refusals: r.refusals,
    seconds: sample(r.seconds_n, r.seconds_mean, r.seconds_sd, r.seconds_median),
    costUsd: sample(r.cost_n, r.cost_mean, r.cost_sd, r.cost_median),
  };
}

/** Every experiment's comparison over the calls the filters select. */
export async function flowsReport(db: Queryable, filters: FlowsFilters = {}): Promise<FlowsReport> {
  const alpha = filters.alpha ?? DEFAULT_ALPHA;
  const minConversations = filters.minConversations ?? DEFAULT_MIN_CONVERSATIONS;
  const { rows } = await db.query<TallyRow>(TALLY_SQL, [
    NOBODY_SPOKE,
    filters.campaignId ?? null,
    filters.since ?? null,
    filters.until ?? null,
    filters.experiment ?? null,
  ]);
  const byExperiment = new Map<string, VariantTally[]>();
  for (const r of rows) byExperiment.set(r.experiment, [...(byExperiment.get(r.experiment) ?? []), tally(r)]);
  return {
    generatedAt: new Date().toISOString(),
    filters: {
      campaignId: filters.campaignId ?? null,
      since: filters.since?.toISOString() ?? null,
      until: filters.until?.toISOString() ?? null,
      experiment: filters.experiment ?? null,
    },
    alpha,
    minConversations,
    experiments: [...byExperiment].map(([name, tallies]) =>
      compareExperiment(name, tallies, { alpha, minConversations }),
    ),
  };
}
