import type { Queryable } from '../db/sql.js';
import { brandVoiceProblems, parseBrandVoice, type BrandVoice, type CallVoices } from './brand.js';

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

/** A gym's voice (undefined: none, or no such gym). */
export async function gymVoice(db: Queryable, gymId: number): Promise<BrandVoice | undefined> {
  const r = await db.query<{ voice: unknown }>('SELECT voice FROM gyms WHERE id = $1', [gymId]);
  return parseBrandVoice(r.rows[0]?.voice);
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

/** Every distinct voice configured on gyms and campaigns, with who uses it (for `gym-agent doctor`). */
export async function configuredVoices(db: Queryable): Promise<{ owner: string; voice: BrandVoice }[]> {
  const r = await db.query<{ owner: string; voice: unknown }>(
    `SELECT 'gym ' || id AS owner, voice FROM gyms WHERE voice IS NOT NULL
     UNION ALL
     SELECT 'campaign ' || id, voice FROM campaigns WHERE voice IS NOT NULL AND status IN ('active', 'paused')
     ORDER BY 1`,
  );
  return r.rows.flatMap((row) => {
    const voice = parseBrandVoice(row.voice);
    return voice === undefined ? [] : [{ owner: row.owner, voice }];
  });
}
