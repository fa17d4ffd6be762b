import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Topic } from '../facts/model.js';
import { withTx, type Queryable } from '../db/sql.js';
import { everyPage, pageOf, PAGE_LIMIT, type Page } from './paging.js';
import type { CallBrief, CampaignPolicy } from './types.js';
import type { Language } from '../language/index.js';
import { brandVoiceProblems, parseBrandVoice, type BrandVoice } from '../voices/brand.js';

// Campaigns as the API and the CLI see them: create one over a list of gyms, list them, read one's progress,
// pause, resume or cancel it. The engine's side of the same tables (claiming, dialling, settling) is queue.ts.

export const CAMPAIGN_STATUSES = ['active', 'paused', 'cancelled', 'done'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const GYM_STATES = ['pending', 'scheduled', 'dialling', 'done', 'failed', 'suppressed'] as const;
export type GymState = (typeof GYM_STATES)[number];
export function isGymState(s: string): s is GymState {
  return (GYM_STATES as readonly string[]).includes(s);
}
/** States a gym leaves no more: a campaign whose gyms are all in them is done. */
export const FINAL_GYM_STATES: readonly GymState[] = ['done', 'failed', 'suppressed'];

export type CampaignAction = 'pause' | 'resume' | 'cancel';
/** Which status each action moves a campaign from, and to. */
const TRANSITIONS: Record<CampaignAction, { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  cancel: { from: ['active', 'paused'], to: 'cancelled' },
};

export interface NewCampaign {
  readonly name: string;
  readonly policy: CampaignPolicy;
  /** gyms.id of each gym to call (duplicates are called once). */
  readonly gymIds: readonly number[];
  readonly now: Date;
  /** The language of its calls to gyms whose own language is none the agent speaks; none: CALL_LANGUAGE. */
  readonly language?: Language | undefined;
  /** How the agent sounds on this campaign's calls (src/voices/brand.ts); undefined: the gyms' or configured voices. */
  readonly voice?: BrandVoice | undefined;
}

export interface CampaignSummary {
  readonly id: number;
  readonly name: string;
  readonly topics: Topic[];
  readonly status: CampaignStatus;
  readonly maxConcurrent: number;
  readonly maxAttempts: number;
  /** The campaign's language (null: each gym's, else CALL_LANGUAGE). */
  readonly language: Language | null;
  readonly createdAt: Date;
  readonly gyms: number;
  /** Gyms per state (every state present, 0 when none). */
  readonly states: Record<GymState, number>;
  readonly attempts: number;
  /** The campaign's brand voice, null when it has none. */
  readonly voice: BrandVoice | null;
}

export interface CampaignStatusReport extends CampaignSummary {
  /** Settled dials per outcome (machines/outcomes.ts, or a line outcome: busy, failed; do-not-call). */
  readonly outcomes: Record<string, number>;
  /** Final gyms per final state (src/campaigns/types.ts FinalState). */
  readonly finals: Record<string, number>;
  /** The next due dial, if any gym is scheduled. */
  readonly nextAt: Date | null;
}

interface SummaryRow {
  id: string;
  name: string;
  topics: Topic[];
  status: CampaignStatus;
  max_concurrent: number;
  max_attempts: number;
  language: Language | null;
  created_at: Date;
  states: Record<string, number> | null;
  attempts: string;
  voice: unknown;
}

const SUMMARY_SQL = `
  SELECT c.id, c.name, c.topics, c.status, c.max_concurrent, c.max_attempts, c.language, c.created_at, c.voice,
         (SELECT jsonb_object_agg(s.state, s.n) FROM (SELECT state, count(*)::int n FROM campaign_gyms
            WHERE campaign_id = c.id GROUP BY state) s) AS states,
         (SELECT count(*) FROM campaign_attempts a WHERE a.campaign_id = c.id) AS attempts
    FROM campaigns c`;

function summary(r: SummaryRow): CampaignSummary {
  const states = Object.fromEntries(GYM_STATES.map((s) => [s, r.states?.[s] ?? 0])) as Record<GymState, number>;
  return {
    id: Number(r.id),
    name: r.name,
    topics: r.topics,
    status: r.status,
    maxConcurrent: r.max_concurrent,
    maxAttempts: r.max_attempts,
    language: r.language,
    createdAt: r.created_at,
    gyms: Object.values(states).reduce((a, b) => a + b, 0),
    states,
    attempts: Number(r.attempts),
    voice: parseBrandVoice(r.voice) ?? null,
  };
}

/** Creates the campaign with every gym pending; gyms that do not exist are an error naming them, nothing is made. */
export async function createCampaign(pool: pg.Pool, c: NewCampaign): Promise<CampaignSummary> {
  const ids = [...new Set(c.gymIds)];
  if (ids.length === 0) throw new AppError('VALIDATION_FAILED', 'a campaign needs at least one gym');
  const taken = () => new AppError('CONFLICT', `a campaign named ${JSON.stringify(c.name)} exists`);
  // The name check below reads before it writes: two creations at once both pass it, and the unique index
  // (migration 008) refuses the second's INSERT. That is the same conflict, not a server error.
  return withTx(pool, async (tx) => {
    const known = await tx.query<{ id: string }>('SELECT id FROM gyms WHERE id = ANY($1::bigint[])', [ids]);
    const found = new Set(known.rows.map((r) => Number(r.id)));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', `no such gyms: ${unknown.slice(0, 10).join(', ')}`);
    const named = await tx.query("SELECT 1 FROM campaigns WHERE name = $1 AND status <> 'cancelled'", [c.name]);
    if ((named.rowCount ?? 0) > 0) throw taken();
    if (c.voice !== undefined) await checkVoiceForLanguages(tx, c.voice, ids, c.language);
    const p = c.policy;
    const made = await tx.query<{ id: string }>(
      `INSERT INTO campaigns (name, topics, max_concurrent, max_attempts, policy, created_at, updated_at, language, voice)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id`,
      [
        c.name,
        [...p.topics],
        p.maxConcurrent,
        p.maxAttempts,
        JSON.stringify(p),
        c.now,
        c.language ?? null,
        c.voice === undefined ? null : JSON.stringify(c.voice),
      ],
    );
    const id = Number(made.rows[0]?.id);
    await tx.query(
      `INSERT INTO campaign_gyms (campaign_id, gym_id, updated_at)
       SELECT $1, g, $3 FROM unnest($2::bigint[]) g ORDER BY g`,
      [id, ids, c.now],
    );
    return (await readSummary(tx, id)) as CampaignSummary;
  }).catch((e: unknown) => {
    throw (e as { constraint?: unknown }).constraint === 'campaigns_name_key' ? taken() : e;
  });
}

/**
 * A campaign's voice speaks on every call of it: it must suit the campaign's language and each of its gyms' own
 * (VALIDATION_FAILED otherwise).
 */
async function checkVoiceForLanguages(
  db: Queryable,
  voice: BrandVoice,
  gymIds: readonly number[],
  language: string | undefined,
): Promise<void> {
  const langs = await db.query<{ language: string }>(
    'SELECT DISTINCT language FROM gyms WHERE id = ANY($1::bigint[]) AND language IS NOT NULL ORDER BY language',
    [gymIds],
  );
  const all = [...(language === undefined ? [] : [language]), ...langs.rows.map((r) => r.language)];
  const problems = [...new Set(all.flatMap((l) => brandVoiceProblems(voice, l)))];
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `voice: ${problems.join('; ')}`);
}

async function readSummary(db: Queryable, id: number): Promise<CampaignSummary | undefined> {
  const r = await db.query<SummaryRow>(`${SUMMARY_SQL} WHERE c.id = $1`, [id]);
  return r.rows[0] ? summary(r.rows[0]) : undefined;
}

/** Newest first, a page at a time: at most `limit` campaigns older than the campaign `before` (all when absent). */
export async function listCampaigns(
  db: Queryable,
  page: { limit: number; before?: number | undefined },
): Promise<Page<CampaignSummary>> {
  const older = page.before === undefined ? '' : 'WHERE c.id < $2';
  const r = await db.query<SummaryRow>(`${SUMMARY_SQL} ${older} ORDER BY c.id DESC LIMIT $1`, [
    page.limit + 1,
    ...(page.before === undefined ? [] : [page.before]),
  ]);
  return pageOf(r.rows.map(summary), page.limit, (c) => c.id);
}

export async function campaignStatus(db: Queryable, id: number): Promise<CampaignStatusReport | undefined> {
  const base = await readSummary(db, id);
  if (!base) return undefined;
  const counts = await db.query<{ outcomes: Record<string, number> | null; finals: Record<string, number> | null }>(
    `SELECT (SELECT jsonb_object_agg(o.outcome, o.n) FROM (SELECT outcome, count(*)::int n FROM campaign_attempts
               WHERE campaign_id = $1 AND outcome IS NOT NULL GROUP BY outcome) o) AS outcomes,
            (SELECT jsonb_object_agg(f.final_state, f.n) FROM (SELECT final_state, count(*)::int n FROM campaign_gyms
               WHERE campaign_id = $1 AND final_state IS NOT NULL GROUP BY final_state) f) AS finals`,
    [id],
  );
  const next = await db.query<{ next_at: Date | null }>(
    "SELECT min(next_at) AS next_at FROM campaign_gyms WHERE campaign_id = $1 AND state = 'scheduled'",
    [id],
  );
  return {
    ...base,
    outcomes: counts.rows[0]?.outcomes ?? {},
    finals: counts.rows[0]?.finals ?? {},
    nextAt: next.rows[0]?.next_at ?? null,
  };
}

/**
 * Pause, resume or cancel. A gym on the line stays there (its call finishes and is settled); a paused or
 * cancelled campaign has nothing new dialled. Moving a campaign to the status it has is a no-op, not an error.
 */
export async function changeCampaign(
  pool: pg.Pool,
  id: number,
  action: CampaignAction,
  now: Date,
): Promise<CampaignSummary> {
  const t = TRANSITIONS[action];
  const r = await pool.query<{ status: CampaignStatus }>(
    `UPDATE campaigns SET status = CASE WHEN status = ANY($2::text[]) THEN $3 ELSE status END,
            updated_at = CASE WHEN status = ANY($2::text[]) THEN $4 ELSE updated_at END
      WHERE id = $1 RETURNING status`,
    [id, t.from, t.to, now],
  );
  const status = r.rows[0]?.status;
  if (status === undefined) throw new AppError('NOT_FOUND', `no campaign ${id}`);
  if (status !== t.to)
    throw new AppError(
      'CONFLICT',
      `campaign ${id} is ${status}: it cannot ${action} (only when ${t.from.join(' or ')})`,
    );
  return (await readSummary(pool, id)) as CampaignSummary;
}

export interface CampaignGymRow {
  readonly gymId: number;
  readonly name: string;
  readonly state: GymState;
  readonly attempts: number;
  readonly nextAt: Date | null;
  readonly lastOutcome: string | null;
  readonly finalState: string | null;
}

interface GymRow {
  id: string;
  gym_id: string;
  name: string;
  state: GymState;
  attempts: number;
  next_at: Date | null;
  last_outcome: string | null;
  final_state: string | null;
}

/**
 * One page of a campaign's gyms in the order they were added (campaign_gyms.id, the cursor), after `after` and in
 * `state` when given; undefined when there is no such campaign. Migration 011's indexes serve both orders.
 */
export async function campaignGymsPage(
  db: Queryable,
  id: number,
  page: { limit: number; after?: number | undefined; state?: GymState | undefined },
): Promise<Page<CampaignGymRow> | undefined> {
  const inState = page.state === undefined ? '' : 'AND cg.state = $4';
  const r = await db.query<GymRow>(
    `SELECT cg.id, cg.gym_id, g.name, cg.state, cg.attempts, cg.next_at, cg.last_outcome, cg.final_state
       FROM campaign_gyms cg JOIN gyms g ON g.id = cg.gym_id
      WHERE cg.campaign_id = $1 AND cg.id > $2 ${inState} ORDER BY cg.id LIMIT $3`,
    [id, page.after ?? 0, page.limit + 1, ...(page.state === undefined ? [] : [page.state])],
  );
  // An empty page is the only one that leaves open whether the campaign exists.
  if (r.rows.length === 0 && (await db.query('SELECT 1 FROM campaigns WHERE id = $1', [id])).rowCount === 0)
    return undefined;
  const rows = pageOf(r.rows, page.limit, (x) => Number(x.id));
  return {
    cursor: rows.cursor,
    items: rows.items.map((x) => ({
      gymId: Number(x.gym_id),
      name: x.name,
      state: x.state,
      attempts: x.attempts,
      nextAt: x.next_at,
      lastOutcome: x.last_outcome,
      finalState: x.final_state,
    })),
  };
}

/** Every gym of a campaign (in `state` when given), read page by page: the demo's final table, the CLI. */
export function campaignGyms(db: Queryable, id: number, state?: GymState): Promise<CampaignGymRow[]> {
  return everyPage(
    async (after) =>
      (await campaignGymsPage(db, id, { limit: PAGE_LIMIT.max, after, state })) ?? { items: [], cursor: null },
  );
}

/**
 * What a campaign's call carries into the conversation (topics to ask, facts to confirm, whom to ask for, whether a
 * voicemail gets a message), by the call's id; undefined for a call no campaign placed.
 */
export async function briefOfCall(db: Queryable, callId: string): Promise<CallBrief | undefined> {
  const r = await db.query<{ brief: CallBrief | null }>('SELECT brief FROM campaign_attempts WHERE call_id = $1', [
    callId,
  ]);
  return r.rows[0]?.brief ?? undefined;
}
