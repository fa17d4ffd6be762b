import { cleanText, type Queryable } from '../sql.js';

export interface GymRow {
  id: number;
  name: string;
  phone: string | null;
  timezone: string | null;
  created_at: Date;
  updated_at: Date;
}

export const UNKNOWN_GYM = 'Unknown gym';

/** A number that identifies a gym (the gyms_phone_e164 check); a withheld caller ID ("anonymous") is none. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Finds or creates the gym for a call. Gyms are identified by phone number; the latest name given for a
 * number wins. Gyms without a number are matched by exact name (serialised by an advisory lock so two calls
 * to a new gym do not create it twice). A call with neither gets a gym of its own, so facts of different
 * unidentified gyms never mix. Must run inside a transaction.
 */
export async function upsertGym(
  db: Queryable,
  g: { name?: string | null; phone?: string | null; timezone?: string | null },
): Promise<number> {
  const name = g.name == null || g.name.trim() === '' ? null : cleanText(g.name);
  const tz = g.timezone ?? null;
  if (g.phone) {
    const r = await db.query<{ id: string }>(
      `INSERT INTO gyms (name, phone, timezone) VALUES (COALESCE($1, $4), $2, $3)
       ON CONFLICT (phone) WHERE phone IS NOT NULL
       DO UPDATE SET name = COALESCE($1, gyms.name), timezone = COALESCE(EXCLUDED.timezone, gyms.timezone),
                     updated_at = now()
       RETURNING id`,
      [name, g.phone, tz, UNKNOWN_GYM],
    );
    return Number(r.rows[0]?.id);
  }
  if (name !== null) {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gym-name:${name}`]);
    const found = await db.query<{ id: string }>(
      'SELECT id FROM gyms WHERE phone IS NULL AND name = $1 ORDER BY id LIMIT 1',
      [name],
    );
    if (found.rows[0]) return Number(found.rows[0].id);
  }
  const r = await db.query<{ id: string }>('INSERT INTO gyms (name, timezone) VALUES ($1, $2) RETURNING id', [
    name ?? UNKNOWN_GYM,
    tz,
  ]);
  return Number(r.rows[0]?.id);
}

function mapGym(r: Record<string, unknown>): GymRow {
  return {
    id: Number(r.id),
    name: r.name as string,
    phone: (r.phone as string | null) ?? null,
    timezone: (r.timezone as string | null) ?? null,
    created_at: r.created_at as Date,
    updated_at: r.updated_at as Date,
  };
}

export async function getGym(db: Queryable, id: number): Promise<GymRow | undefined> {
  const r = await db.query('SELECT * FROM gyms WHERE id = $1', [id]);
  return r.rows[0] ? mapGym(r.rows[0] as Record<string, unknown>) : undefined;
}

export interface GymListItem extends GymRow {
  calls: number;
  last_call_at: Date | null;
}

export async function listGyms(db: Queryable, opts: { limit?: number; offset?: number } = {}): Promise<GymListItem[]> {
  const r = await db.query(
    `SELECT g.*, count(c.id)::int AS calls, max(c.created_at) AS last_call_at
       FROM gyms g LEFT JOIN calls c ON c.gym_id = g.id
      GROUP BY g.id ORDER BY g.name, g.id LIMIT $1 OFFSET $2`,
    [opts.limit ?? 100, opts.offset ?? 0],
  );
  return r.rows.map((row: Record<string, unknown>) => ({
    ...mapGym(row),
    calls: Number(row.calls),
    last_call_at: (row.last_call_at as Date | null) ?? null,
  }));
}
