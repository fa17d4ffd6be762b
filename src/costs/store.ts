import type { Queryable } from '../db/sql.js';
import type { CallCost } from './meter.js';

// call_costs rows (migration 009) and their sums. Money is numeric in the database and summed there; it comes back
// as a string and is turned into a number of dollars here (six decimals: far inside a double's precision).

/** Idempotent: a retried write keeps the first row. */
export async function insertCost(db: Queryable, callId: string, c: CallCost, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO call_costs (call_id, twilio_minutes, asr_seconds, llm_input_tokens, llm_output_tokens,
       tts_characters, providers, twilio_usd, asr_usd, llm_usd, tts_usd, total_usd, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (call_id) DO NOTHING`,
    [
      callId,
      c.twilioMinutes,
      c.asrSeconds,
      c.llmInputTokens,
      c.llmOutputTokens,
      c.ttsCharacters,
      JSON.stringify({ ...c.providers, unpriced: c.unpriced }),
      c.usd.twilio,
      c.usd.asr,
      c.usd.llm,
      c.usd.tts,
      c.totalUsd,
      at,
    ],
  );
}

/** A call's cost as the API and the review page show it. */
export interface StoredCost {
  readonly twilioMinutes: number;
  readonly asrSeconds: number;
  readonly llmInputTokens: number;
  readonly llmOutputTokens: number;
  readonly ttsCharacters: number;
  readonly usd: { twilio: number; asr: number; llm: number; tts: number; total: number };
  readonly providers: Record<string, unknown>;
}

interface CostRow {
  twilio_minutes: number;
  asr_seconds: string;
  llm_input_tokens: number;
  llm_output_tokens: number;
  tts_characters: number;
  twilio_usd: string;
  asr_usd: string;
  llm_usd: string;
  tts_usd: string;
  total_usd: string;
  providers: Record<string, unknown>;
}

export async function getCost(db: Queryable, callId: string): Promise<StoredCost | undefined> {
  const { rows } = await db.query<CostRow>('SELECT * FROM call_costs WHERE call_id = $1', [callId]);
  const r = rows[0];
  if (r === undefined) return undefined;
  return {
    twilioMinutes: r.twilio_minutes,
    asrSeconds: Number(r.asr_seconds),
    llmInputTokens: r.llm_input_tokens,
    llmOutputTokens: r.llm_output_tokens,
    ttsCharacters: r.tts_characters,
    usd: {
      twilio: Number(r.twilio_usd),
      asr: Number(r.asr_usd),
      llm: Number(r.llm_usd),
      tts: Number(r.tts_usd),
      total: Number(r.total_usd),
    },
    providers: r.providers,
  };
}

export interface CostSum {
  /** The gym's id or the campaign's id, as text (bigint). */
  readonly key: string;
  readonly calls: number;
  readonly twilioMinutes: number;
  readonly totalUsd: number;
}

const SUM_COLUMNS = `count(*)::int AS calls, COALESCE(sum(k.twilio_minutes), 0)::int AS twilio_minutes,
  COALESCE(sum(k.total_usd), 0)::text AS total_usd`;

const toSum = (r: { key: string; calls: number; twilio_minutes: number; total_usd: string }): CostSum => ({
  key: String(r.key),
  calls: r.calls,
  twilioMinutes: r.twilio_minutes,
  totalUsd: Number(r.total_usd),
});

/** A page of the sums, in key order (the API's ?limit and ?offset); default: the first 1000. */
export interface SumPage {
  readonly limit: number;
  readonly offset: number;
}
const FIRST_PAGE: SumPage = { limit: 1000, offset: 0 };

/** Cost summed per gym (calls.gym_id), all gyms or one. */
export async function costByGym(db: Queryable, gymId?: number, page: SumPage = FIRST_PAGE): Promise<CostSum[]> {
  const { rows } = await db.query<{ key: string; calls: number; twilio_minutes: number; total_usd: string }>(
    `SELECT c.gym_id::text AS key, ${SUM_COLUMNS} FROM call_costs k JOIN calls c ON c.id = k.call_id
     WHERE c.gym_id IS NOT NULL AND ($1::bigint IS NULL OR c.gym_id = $1) GROUP BY c.gym_id ORDER BY c.gym_id
     LIMIT $2 OFFSET $3`,
    [gymId ?? null, page.limit, page.offset],
  );
  return rows.map(toSum);
}

/** Cost summed per campaign: a campaign's calls are its attempts (campaign_attempts.call_id, migration 008). */
export async function costByCampaign(
  db: Queryable,
  campaignId?: number,
  page: SumPage = FIRST_PAGE,
): Promise<CostSum[]> {
  const { rows } = await db.query<{ key: string; calls: number; twilio_minutes: number; total_usd: string }>(
    `SELECT a.campaign_id::text AS key, ${SUM_COLUMNS} FROM call_costs k JOIN campaign_attempts a ON a.call_id = k.call_id
     WHERE ($1::bigint IS NULL OR a.campaign_id = $1) GROUP BY a.campaign_id ORDER BY a.campaign_id
     LIMIT $2 OFFSET $3`,
    [campaignId ?? null, page.limit, page.offset],
  );
  return rows.map(toSum);
}
