import type { CallbackRequest, Refusal } from '../../../machines/outcomes.js';
import type { Topic } from '../../facts/model.js';
import { cleanText, type Queryable } from '../sql.js';

// A call's refusals and callback request, written as the machine learns them and again with the call's end (both
// upserts, so the second write is a no-op). As with turns, nothing is written to a call whose end is recorded.

/** A callback request as stored: the machine's, with the zone its time was read in when known. */
export type StoredCallback = CallbackRequest & { timeZone?: string | undefined };

/** A web address the schema takes (4-300 characters); a cut one would be wrong, so a longer one is left out. */
function storableWebsite(w: string | undefined): string | null {
  if (w == null) return null;
  const clean = cleanText(w);
  return clean.length >= 4 && clean.length <= 300 ? clean : null;
}

export async function upsertRefusal(db: Queryable, callId: string, r: Refusal, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO call_refusals (call_id, topic, words, website, recorded_at)
     SELECT $1::text, $2::text, $3::text, $4::text, $5::timestamptz
      WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = $1::text AND c.end_reason IS NOT NULL)
     ON CONFLICT (call_id, topic) DO NOTHING`,
    [callId, r.topic, cleanText(r.words).slice(0, 2000), storableWebsite(r.website), at],
  );
}

/** The latest request said wins: a later "actually, after four" replaces "after two". */
export async function upsertCallback(db: Queryable, callId: string, c: StoredCallback, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO call_callbacks (call_id, earliest_local, time_zone, person, topics, words, recorded_at)
     SELECT $1::text, $2::text, $3::text, $4::text, $5::text[], $6::text, $7::timestamptz
      WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = $1::text AND c.end_reason IS NOT NULL)
     ON CONFLICT (call_id) DO UPDATE SET
       earliest_local = EXCLUDED.earliest_local, time_zone = EXCLUDED.time_zone, person = EXCLUDED.person,
       topics = EXCLUDED.topics, words = EXCLUDED.words, recorded_at = EXCLUDED.recorded_at
     WHERE call_callbacks.recorded_at <= EXCLUDED.recorded_at`,
    [
      callId,
      c.earliestLocal ?? null,
      c.timeZone ?? null,
      c.person == null ? null : cleanText(c.person).slice(0, 200),
      [...new Set(c.topics)],
      cleanText(c.words).slice(0, 2000),
      at,
    ],
  );
}

export interface RefusalRow {
  topic: Topic;
  words: string;
  website: string | null;
  recorded_at: Date;
}

export async function getRefusals(db: Queryable, callId: string): Promise<RefusalRow[]> {
  const r = await db.query<RefusalRow>(
    `SELECT topic, words, website, recorded_at FROM call_refusals WHERE call_id = $1
      ORDER BY recorded_at, array_position(ARRAY['hours', 'pricing', 'classes'], topic)`,
    [callId],
  );
  return r.rows;
}

export interface CallbackRow {
  earliest_local: string | null;
  time_zone: string | null;
  person: string | null;
  topics: Topic[];
  words: string;
  recorded_at: Date;
}

export async function getCallback(db: Queryable, callId: string): Promise<CallbackRow | undefined> {
  const r = await db.query<CallbackRow>(
    'SELECT earliest_local, time_zone, person, topics, words, recorded_at FROM call_callbacks WHERE call_id = $1',
    [callId],
  );
  return r.rows[0];
}
