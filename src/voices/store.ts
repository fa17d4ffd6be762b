import type { Queryable } from '../db/sql.js';
import { brandVoiceProblems, brandVoiceSchema, parseBrandVoice, type BrandVoice, type CallVoices } from './brand.js';

// Brand voices in the database (migration 019): a gym's (gyms.voice) and a campaign's (campaigns.voice), written
// already checked (brand.ts), and the two that apply to one call, read when its media stream is claimed.

/**
 * Sets (or with null clears) a gym's voice after checking it against the gym's language (brand.ts
 * brandVoiceProblems). 'not-found' when there is no such gym; a string says what is wrong; undefined: done.
 */
export async function changeGymVoice(
  db: Queryable,
  gymId: number,
  voice: BrandVoice | null,
): Promise<'not-found' | string | undefined> {
  const gym = await db.query<{ language: string | null }>('SELECT language FROM gyms WHERE id = $1', [gymId]);
  const row = gym.rows[0];
  if (row === undefined) return 'not-found';
  const problems = voice === null ? [] : brandVoiceProblems(voice, row.language ?? undefined);
  if (problems.length > 0) return `voice: ${problems.join('; ')}`;
  const r = await db.query('UPDATE gyms SET voice = $2, updated_at = now() WHERE id = $1', [
    gymId,
    voice === null ? null : JSON.stringify(voice),
  ]);
  return (r.rowCount ?? 0) === 0 ? 'not-found' : undefined;
}

/**
 * The brand voices of one call: its campaign's, when a campaign placed it (the attempt names the call), and its
 * gym's (the attempt's gym, else the call record's). undefined when neither has one.
 */
export async function voicesOfCall(db: Queryable, callId: string): Promise<CallVoices | undefined> {
  const r = await db.query<{ gym: unknown; campaign: unknown }>(
    `SELECT g.voice AS gym, c.voice AS campaign
       FROM calls k
       LEFT JOIN campaign_attempts a ON a.call_id = k.id
       LEFT JOIN campaigns c ON c.id = a.campaign_id
       LEFT JOIN gyms g ON g.id = COALESCE(a.gym_id, k.gym_id)
      WHERE k.id = $1`,
    [callId],
  );
  const row = r.rows[0];
  const gym = parseBrandVoice(row?.gym);
  const campaign = parseBrandVoice(row?.campaign);
  return gym === undefined && campaign === undefined ? undefined : { gym, campaign };
}

/** A voice some gym or campaign has, as doctor checks it; `invalid` when the stored one no longer passes the checks. */
export type StoredVoice =
  | { readonly owner: string; readonly voice: BrandVoice; readonly language: string | undefined }
  | { readonly owner: string; readonly invalid: string };

/** The voices of every gym and of every campaign still calling, with who has each and in which language. */
export async function configuredVoices(db: Queryable): Promise<StoredVoice[]> {
  const r = await db.query<{ owner: string; voice: unknown; language: string | null }>(
    `SELECT 'gym ' || id AS owner, voice, language FROM gyms WHERE voice IS NOT NULL
     UNION ALL
     SELECT 'campaign ' || id, voice, language FROM campaigns
      WHERE voice IS NOT NULL AND status IN ('active', 'paused')
     ORDER BY 1`,
  );
  return r.rows.map((row): StoredVoice => {
    const parsed = brandVoiceSchema.safeParse(row.voice);
    if (!parsed.success)
      return {
        owner: row.owner,
        invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      };
    return { owner: row.owner, voice: parsed.data, language: row.language ?? undefined };
  });
}
