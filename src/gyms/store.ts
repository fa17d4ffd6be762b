import type { Queryable } from '../db/sql.js';
import { gymDetail } from '../db/read-model.js';
import { gymFreshness, type FreshnessOptions } from './freshness.js';
import { parseBrandVoice } from '../voices/brand.js';

// Reading gyms for the API and the CLI: the list with what an import said about each gym, and one gym with its
// facts, their history, their freshness per topic, and the changes imports made to it.

export interface GymSummary {
  readonly gym_id: number;
  readonly name: string;
  readonly phone: string | null;
  readonly address: string | null;
  readonly language: string | null;
  /** ISO 3166-1 country of the number. */
  readonly region: string | null;
  /** ISO 3166-2 subdivision inside it, without the country ("TX"): its regional holidays. */
  readonly subdivision: string | null;
  readonly subdivision_source: string | null;
  readonly timezone: string | null;
  readonly timezone_source: string | null;
  readonly suppressed: boolean;
  readonly calls: number;
  readonly last_call_at: string | null;
}

export async function listGymSummaries(
  db: Queryable,
  o: { limit: number; offset: number },
): Promise<{ total: number; gyms: GymSummary[] }> {
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT g.id, g.name, g.phone, g.address, g.language, g.region, g.subdivision, g.subdivision_source,
              g.timezone, g.timezone_source,
              EXISTS (SELECT 1 FROM suppressions s WHERE s.phone = g.phone) AS suppressed,
              (SELECT count(*) FROM calls c WHERE c.gym_id = g.id)::int AS calls,
              (SELECT max(c.created_at) FROM calls c WHERE c.gym_id = g.id) AS last_call_at
         FROM gyms g ORDER BY g.name, g.id LIMIT $1 OFFSET $2`,
      [o.limit, o.offset],
    ),
    db.query<{ n: string }>('SELECT count(*) AS n FROM gyms'),
  ]);
  return {
    total: Number(total.rows[0]?.n ?? 0),
    gyms: rows.rows.map((r: Record<string, unknown>) => ({
      gym_id: Number(r.id),
      name: r.name as string,
      phone: (r.phone as string | null) ?? null,
      address: (r.address as string | null) ?? null,
      language: (r.language as string | null) ?? null,
      region: (r.region as string | null) ?? null,
      subdivision: (r.subdivision as string | null) ?? null,
      subdivision_source: (r.subdivision_source as string | null) ?? null,
      timezone: (r.timezone as string | null) ?? null,
      timezone_source: (r.timezone_source as string | null) ?? null,
      suppressed: r.suppressed === true,
      calls: Number(r.calls),
      last_call_at: r.last_call_at == null ? null : (r.last_call_at as Date).toISOString(),
    })),
  };
}

export interface GymChange {
  readonly field: string;
  readonly old_value: string | null;
  readonly new_value: string | null;
  readonly import_id: number | null;
  readonly changed_at: string;
}

/** One gym: the read model's facts and history, and what this module adds (import fields, freshness, changes). */
export async function gymWithFreshness(db: Queryable, gymId: number, o: FreshnessOptions) {
  const base = await gymDetail(db, gymId);
  if (base === undefined) return undefined;
  const [extra, changes, freshness] = await Promise.all([
    db.query(
      `SELECT address, language, region, subdivision, subdivision_source, number_type, timezone_source,
              timezone_candidates, imported_at, voice,
              EXISTS (SELECT 1 FROM suppressions s WHERE s.phone = g.phone) AS suppressed
         FROM gyms g WHERE id = $1`,
      [gymId],
    ),
    db.query(
      `SELECT field, old_value, new_value, import_id, changed_at FROM gym_changes WHERE gym_id = $1
        ORDER BY changed_at DESC, id DESC LIMIT 200`,
      [gymId],
    ),
    gymFreshness(db, gymId, o),
  ]);
  const x = (extra.rows[0] ?? {}) as Record<string, unknown>;
  return {
    ...base,
    address: (x.address as string | null) ?? null,
    language: (x.language as string | null) ?? null,
    region: (x.region as string | null) ?? null,
    subdivision: (x.subdivision as string | null) ?? null,
    subdivision_source: (x.subdivision_source as string | null) ?? null,
    number_type: (x.number_type as string | null) ?? null,
    timezone_source: (x.timezone_source as string | null) ?? null,
    timezone_candidates: (x.timezone_candidates as string[] | null) ?? [],
    imported_at: x.imported_at == null ? null : (x.imported_at as Date).toISOString(),
    suppressed: x.suppressed === true,
    /** Its brand voice (src/voices/brand.ts), null: the configured voices. */
    voice: parseBrandVoice(x.voice) ?? null,
    freshness,
    changes: changes.rows.map((r: Record<string, unknown>): GymChange => ({
      field: r.field as string,
      old_value: (r.old_value as string | null) ?? null,
      new_value: (r.new_value as string | null) ?? null,
      import_id: r.import_id == null ? null : Number(r.import_id),
      changed_at: (r.changed_at as Date).toISOString(),
    })),
  };
}
