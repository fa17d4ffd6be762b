import type { Queryable } from '../db/sql.js';
import type { Topic } from '../facts/model.js';
import { gymsFreshness } from '../gyms/freshness.js';
import { pageOf, type Page } from '../campaigns/paging.js';
import {
  campaignStatus,
  listCampaigns,
  type CampaignStatusReport,
  type CampaignSummary,
  type GymState,
} from '../campaigns/store.js';

// What the review site's campaign pages show, read in a bounded number of queries per page: the list (one page of
// campaigns, their outcome counts and cost) and one campaign (its progress, one page of its gyms with their last
// outcome, attempts, cost and how complete their facts are), each page read by key as the API's are
// (src/campaigns/paging.ts). The campaign tables are src/campaigns/store.ts's (migration 008); costs are call_costs
// rows (migration 009) of the campaign's attempts.

export interface CampaignListItem extends CampaignSummary {
  readonly outcomes: Record<string, number>;
  readonly costUsd: number;
}

/** One page of campaigns, newest first, older than the campaign `before` when given. */
export async function campaignListPage(
  db: Queryable,
  at: { limit: number; before?: number | undefined },
): Promise<Page<CampaignListItem>> {
  const page = await listCampaigns(db, at);
  const ids = page.items.map((c) => c.id);
  const [outcomes, costs] = await Promise.all([
    db.query<{ campaign_id: string; outcome: string; n: number }>(
      `SELECT campaign_id, outcome, count(*)::int AS n FROM campaign_attempts
        WHERE campaign_id = ANY($1::bigint[]) AND outcome IS NOT NULL GROUP BY campaign_id, outcome ORDER BY outcome`,
      [ids],
    ),
    db.query<{ campaign_id: string; usd: string }>(
      `SELECT a.campaign_id, sum(k.total_usd)::text AS usd FROM campaign_attempts a
         JOIN call_costs k ON k.call_id = a.call_id WHERE a.campaign_id = ANY($1::bigint[]) GROUP BY a.campaign_id`,
      [ids],
    ),
  ]);
  const items = page.items.map((c) => ({
    ...c,
    outcomes: Object.fromEntries(
      outcomes.rows.filter((r) => Number(r.campaign_id) === c.id).map((r) => [r.outcome, r.n]),
    ),
    costUsd: Number(costs.rows.find((r) => Number(r.campaign_id) === c.id)?.usd ?? 0),
  }));
  return { items, cursor: page.cursor };
}

/** One dial of a gym, for the links to its call's review page. */
export interface AttemptLink {
  readonly seq: number;
  readonly callId: string;
  readonly localTime: string;
  readonly outcome: string | null;
  /** A call record exists (the review page has something to show). */
  readonly recorded: boolean;
}

/** Facts of the campaign's topics: what nothing is known of, what is older than FACTS_MAX_AGE_DAYS. */
export interface FactsState {
  readonly missing: Topic[];
  readonly stale: Topic[];
  /** Days of the week whose hours no call stated (when hours is a topic and partly known). */
  readonly missingDays: number;
}

export interface CampaignGymItem {
  readonly gymId: number;
  readonly name: string;
  readonly timeZone: string;
  readonly state: GymState;
  readonly finalState: string | null;
  readonly attempts: number;
  readonly nextAt: Date | null;
  /** The last settled dial: its outcome and the gym's wall-clock time then. */
  readonly last: { outcome: string; localTime: string; timeZone: string } | null;
  readonly costUsd: number;
  readonly facts: FactsState;
  readonly dials: AttemptLink[];
}

export interface CampaignView {
  readonly campaign: CampaignStatusReport;
  readonly costUsd: number;
  readonly gyms: CampaignGymItem[];
  /** Where the next page of gyms starts (paging.ts), null on the last. */
  readonly cursor: number | null;
}

interface GymRow {
  cg_id: string;
  gym_id: string;
  name: string;
  timezone: string;
  state: GymState;
  final_state: string | null;
  attempts: number;
  next_at: Date | null;
  last_outcome: string | null;
  last_local: string | null;
  last_zone: string | null;
  usd: string | null;
}

/**
 * One campaign with one page of its gyms in the order they were added (after the campaign_gyms id `after` when
 * given); undefined when there is no such campaign.
 */
export async function campaignView(
  db: Queryable,
  id: number,
  at: { limit: number; after?: number | undefined },
  facts: { asOf: Date; maxAgeDays: number },
): Promise<CampaignView | undefined> {
  const campaign = await campaignStatus(db, id);
  if (campaign === undefined) return undefined;
  const [gyms, total] = await Promise.all([
    db.query<GymRow>(
      `SELECT cg.id AS cg_id, cg.gym_id, g.name, g.timezone, cg.state, cg.final_state, cg.attempts, cg.next_at,
              la.outcome AS last_outcome, la.local_time AS last_local, la.time_zone AS last_zone, k.usd
         FROM campaign_gyms cg JOIN gyms g ON g.id = cg.gym_id
         LEFT JOIN LATERAL (SELECT outcome, local_time, time_zone FROM campaign_attempts a
                             WHERE a.campaign_gym_id = cg.id AND a.outcome IS NOT NULL ORDER BY a.seq DESC LIMIT 1) la
                ON true
         LEFT JOIN LATERAL (SELECT sum(c.total_usd)::text AS usd FROM campaign_attempts a
                              JOIN call_costs c ON c.call_id = a.call_id WHERE a.campaign_gym_id = cg.id) k ON true
        WHERE cg.campaign_id = $1 AND cg.id > $3 ORDER BY cg.id LIMIT $2`,
      [id, at.limit + 1, at.after ?? 0],
    ),
    db.query<{ usd: string | null }>(
      `SELECT sum(k.total_usd)::text AS usd FROM campaign_attempts a JOIN call_costs k ON k.call_id = a.call_id
        WHERE a.campaign_id = $1`,
      [id],
    ),
  ]);
  const page = pageOf(gyms.rows, at.limit, (r) => Number(r.cg_id));
  const rows = page.items;
  // Dials of this page's gyms only: at most max_attempts (≤ 50, migration 008) per gym.
  const [dials, fresh] = await Promise.all([
    db.query<{
      cg_id: string;
      seq: number;
      call_id: string;
      local_time: string;
      outcome: string | null;
      recorded: boolean;
    }>(
      `SELECT a.campaign_gym_id AS cg_id, a.seq, a.call_id, a.local_time, a.outcome, (c.id IS NOT NULL) AS recorded
         FROM campaign_attempts a LEFT JOIN calls c ON c.id = a.call_id
        WHERE a.campaign_gym_id = ANY($1::bigint[]) ORDER BY a.campaign_gym_id, a.seq`,
      [rows.map((r) => r.cg_id)],
    ),
    gymsFreshness(
      db,
      rows.map((r) => Number(r.gym_id)),
      facts,
    ),
  ]);
  const topics = campaign.topics;
  return {
    campaign,
    costUsd: Number(total.rows[0]?.usd ?? 0),
    cursor: page.cursor,
    gyms: rows.map((r) => {
      const f = fresh.get(Number(r.gym_id));
      const hours = topics.includes('hours') && f !== undefined && !f.topics.hours.missing;
      return {
        gymId: Number(r.gym_id),
        name: r.name,
        timeZone: r.timezone,
        state: r.state,
        finalState: r.final_state,
        attempts: r.attempts,
        nextAt: r.next_at,
        last:
          r.last_outcome !== null && r.last_local !== null
            ? { outcome: r.last_outcome, localTime: r.last_local, timeZone: r.last_zone ?? r.timezone }
            : null,
        costUsd: Number(r.usd ?? 0),
        facts: {
          missing: topics.filter((t) => f?.missing.includes(t) ?? true),
          stale: topics.filter((t) => f?.stale.includes(t) ?? false),
          missingDays: hours ? (f?.topics.hours.missingDays.length ?? 0) : 0,
        },
        dials: dials.rows
          .filter((d) => String(d.cg_id) === String(r.cg_id))
          .map((d) => ({
            seq: d.seq,
            callId: d.call_id,
            localTime: d.local_time,
            outcome: d.outcome,
            recorded: d.recorded,
          })),
      };
    }),
  };
}
