import type { CountryCode } from 'libphonenumber-js/max';
import type { Queryable } from '../db/sql.js';
import type { RowReport } from './import.js';
import type { SubdivisionSource } from './subdivision.js';
import type { TimeZoneSource } from './timezone.js';
import { canonicalJson } from '../voices/brand.js';

// Writing an import's good rows in batches: each batch is one multi-row INSERT ... ON CONFLICT DO NOTHING, one read
// of the gyms whose numbers were already known (locked), one UPDATE of those and one INSERT of the history rows,
// instead of those statements for every row (10,000 new gyms were 20,000 statements, a re-import of them 30,000 or
// more). Every row still goes through the INSERT in file order, so a gym's id, its merges and its history are those
// the row-at-a-time writer gave.
// A number met twice ends the batch: its second row is merged in the next batch, against the gym as the first row
// left it in the database, exactly as when rows were written one by one.

/** Rows per batch: 100 were ≈ 30 % slower on PGlite, 2,000 within the noise of 500 (docs/benchmarks/gym-import.md) */
export const BATCH_ROWS = 500;

/** A checked row, ready to write. */
export interface GoodRow {
  readonly line: number;
  readonly phone: string;
  readonly region: CountryCode;
  readonly type: string;
  readonly name: string;
  readonly address: string | undefined;
  readonly language: string | undefined;
  /** The brand voice as canonical JSON (src/voices/brand.ts); null clears the gym's, undefined leaves it. */
  readonly voice: string | null | undefined;
  readonly timezone: string;
  readonly timezoneSource: TimeZoneSource;
  readonly candidates: readonly string[];
  readonly subdivision: string | null;
  readonly subdivisionSource: SubdivisionSource;
  readonly warnings: string[];
}

interface Existing {
  id: string;
  phone: string;
  name: string;
  address: string | null;
  timezone: string | null;
  timezone_source: TimeZoneSource | null;
  language: string | null;
  subdivision: string | null;
  subdivision_source: SubdivisionSource | null;
  /** gyms.voice as read (jsonb). */
  voice: unknown;
}

interface Change {
  gymId: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

/** What one merge writes to its gym. */
interface Update {
  id: string;
  name: string;
  address: string | null;
  language: string | null;
  voice: string | null;
  timezone: string | null;
  timezoneSource: TimeZoneSource | null;
  /** null keeps the gym's candidates (its zone was kept). */
  candidates: readonly string[] | null;
  subdivision: string | null;
  subdivisionSource: SubdivisionSource | null;
  region: string;
  type: string;
  changed: boolean;
}

/** Writes the good rows, in file order; one report per row, in the same order. */
export async function writeRows(
  tx: Queryable,
  rows: readonly GoodRow[],
  importId: string,
  now: Date,
): Promise<RowReport[]> {
  const out: RowReport[] = [];
  for (const batch of batches(rows)) out.push(...(await writeBatch(tx, batch, importId, now)));
  return out;
}

/** File-order runs of at most BATCH_ROWS rows in which no number repeats. */
function* batches(rows: readonly GoodRow[]): Generator<GoodRow[]> {
  let batch: GoodRow[] = [];
  const phones = new Set<string>();
  for (const g of rows) {
    if (batch.length === BATCH_ROWS || phones.has(g.phone)) {
      yield batch;
      batch = [];
      phones.clear();
    }
    batch.push(g);
    phones.add(g.phone);
  }
  if (batch.length > 0) yield batch;
}

// Zone names never hold a comma (IANA names are letters, digits and / _ - +), so a row's candidates travel as one
// comma-joined text: unnest cannot take an array of arrays. string_to_array('', ',') is the empty array.
const joinZones = (zones: readonly string[] | null): string | null => (zones === null ? null : zones.join(','));

async function writeBatch(tx: Queryable, batch: GoodRow[], importId: string, now: Date): Promise<RowReport[]> {
  const inserted = await tx.query<{ id: string; phone: string }>(
    `INSERT INTO gyms (name, phone, address, language, region, number_type, timezone, timezone_source,
                       timezone_candidates, subdivision, subdivision_source, voice, imported_at, created_at, updated_at)
     SELECT name, phone, address, language, region, number_type, timezone, timezone_source,
            string_to_array(candidates, ','), subdivision, subdivision_source, voice::jsonb,
            $12::timestamptz, $12::timestamptz, $12::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $13::text[]) WITH ORDINALITY
            AS u(name, phone, address, language, region, number_type, timezone, timezone_source, candidates,
                 subdivision, subdivision_source, voice, ord)
      ORDER BY ord
     ON CONFLICT (phone) WHERE phone IS NOT NULL DO NOTHING RETURNING id, phone`,
    [
      batch.map((g) => g.name),
      batch.map((g) => g.phone),
      batch.map((g) => g.address ?? null),
      batch.map((g) => g.language ?? null),
      batch.map((g) => g.region),
      batch.map((g) => g.type),
      batch.map((g) => g.timezone),
      batch.map((g) => g.timezoneSource),
      batch.map((g) => joinZones(g.candidates)),
      batch.map((g) => g.subdivision),
      batch.map((g) => g.subdivisionSource),
      now,
      batch.map((g) => g.voice ?? null),
    ],
  );
  const newIds = new Map(inserted.rows.map((r) => [r.phone, r.id]));
  const known = batch.filter((g) => !newIds.has(g.phone)).map((g) => g.phone);
  const current = new Map<string, Existing>();
  if (known.length > 0) {
    const r = await tx.query<Existing>(
      `SELECT id, phone, name, address, timezone, timezone_source, language, subdivision, subdivision_source, voice
         FROM gyms WHERE phone = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [known],
    );
    for (const e of r.rows) current.set(e.phone, e);
  }
  const history: Change[] = [];
  const updates: Update[] = [];
  const reports = batch.map((g): RowReport => {
    const base = {
      line: g.line,
      phone: g.phone,
      name: g.name,
      ...(g.warnings.length > 0 ? { warnings: g.warnings } : {}),
    };
    const newId = newIds.get(g.phone);
    if (newId !== undefined) {
      history.push({ gymId: newId, field: 'created', oldValue: null, newValue: g.name });
      return {
        ...base,
        status: 'accepted',
        gym_id: Number(newId),
        timezone: g.timezone,
        timezone_source: g.timezoneSource,
        subdivision: g.subdivision,
        subdivision_source: g.subdivisionSource,
      };
    }
    const cur = current.get(g.phone);
    // The INSERT met this number, so a gym has it; only a concurrent delete between the two statements removes it.
    if (cur === undefined) throw new Error(`line ${g.line}: the gym with this number went away during the import`);
    const m = merge(cur, g);
    history.push(...m.history);
    updates.push(m.update);
    return { ...base, ...m.report };
  });
  await updateGyms(tx, updates, now);
  await insertHistory(tx, history, importId, now);
  return reports;
}

/**
 * How much a subdivision's source says: a later list's value replaces one from as strong a source or weaker, so a
 * list's column is never replaced by an inference, an address's reading never by the number's, and nothing found
 * never replaces a value. A gym never imported since the column exists (NULL) takes anything.
 */
const STRENGTH: Readonly<Record<SubdivisionSource, number>> = { none: 0, number: 1, address: 2, row: 3 };
const strength = (s: SubdivisionSource | null) => (s === null ? -1 : STRENGTH[s]);

/** A known gym and a row with its number: what the gym becomes, its history, and the row's report. */
function merge(cur: Existing, g: GoodRow) {
  const current = { ...cur, voice: cur.voice === null || cur.voice === undefined ? null : canonicalJson(cur.voice) };
  const keepSubdivision = strength(g.subdivisionSource) < strength(cur.subdivision_source);
  const next = {
    name: g.name,
    address: g.address ?? cur.address,
    language: g.language ?? cur.language,
    voice: g.voice === undefined ? current.voice : g.voice,
    // A zone the list gave wins; an inferred one replaces anything but a zone an earlier list gave.
    ...(g.timezoneSource === 'row' || cur.timezone_source !== 'row'
      ? { timezone: g.timezone, timezone_source: g.timezoneSource, timezone_candidates: g.candidates }
      : { timezone: cur.timezone, timezone_source: cur.timezone_source, timezone_candidates: null }),
    subdivision: keepSubdivision ? cur.subdivision : g.subdivision,
    subdivision_source: keepSubdivision ? cur.subdivision_source : g.subdivisionSource,
  };
  const changes: string[] = [];
  const history: Change[] = [];
  for (const f of ['name', 'address', 'timezone', 'language', 'subdivision', 'voice'] as const) {
    if (next[f] === current[f]) continue;
    changes.push(f);
    history.push({ gymId: cur.id, field: f, oldValue: current[f], newValue: next[f] });
  }
  const update: Update = {
    id: cur.id,
    name: next.name,
    address: next.address,
    language: next.language,
    voice: next.voice,
    timezone: next.timezone,
    timezoneSource: next.timezone_source,
    candidates: next.timezone_candidates,
    subdivision: next.subdivision,
    subdivisionSource: next.subdivision_source,
    region: g.region,
    type: g.type,
    changed: changes.length > 0,
  };
  const report = {
    status: 'merged' as const,
    gym_id: Number(cur.id),
    changes,
    timezone: next.timezone ?? g.timezone,
    ...(next.timezone_source ? { timezone_source: next.timezone_source } : {}),
    subdivision: next.subdivision,
    ...(next.subdivision_source ? { subdivision_source: next.subdivision_source } : {}),
  };
  return { history, update, report };
}

/** A merged gym is written even without changes: region, number type and imported_at are the latest list's. */
async function updateGyms(tx: Queryable, updates: readonly Update[], now: Date): Promise<void> {
  if (updates.length === 0) return;
  await tx.query(
    `UPDATE gyms g
        SET name = u.name, address = u.address, language = u.language, voice = u.voice::jsonb, timezone = u.timezone,
            timezone_source = u.timezone_source,
            timezone_candidates = COALESCE(string_to_array(u.candidates, ','), g.timezone_candidates),
            subdivision = u.subdivision, subdivision_source = u.subdivision_source,
            region = u.region, number_type = u.number_type, imported_at = $13::timestamptz,
            updated_at = CASE WHEN u.changed THEN $13::timestamptz ELSE g.updated_at END
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::boolean[], $11::text[], $12::text[], $14::text[])
            AS u(id, name, address, language, timezone, timezone_source, candidates, region, number_type, changed,
                 subdivision, subdivision_source, voice)
      WHERE g.id = u.id`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.name),
      updates.map((u) => u.address),
      updates.map((u) => u.language),
      updates.map((u) => u.timezone),
      updates.map((u) => u.timezoneSource),
      updates.map((u) => joinZones(u.candidates)),
      updates.map((u) => u.region),
      updates.map((u) => u.type),
      updates.map((u) => u.changed),
      updates.map((u) => u.subdivision),
      updates.map((u) => u.subdivisionSource),
      now,
      updates.map((u) => u.voice),
    ],
  );
}

async function insertHistory(tx: Queryable, history: readonly Change[], importId: string, now: Date): Promise<void> {
  if (history.length === 0) return;
  await tx.query(
    `INSERT INTO gym_changes (gym_id, import_id, field, old_value, new_value, changed_at)
     SELECT gym_id, $5::bigint, field, old_value, new_value, $6::timestamptz
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
            AS u(gym_id, field, old_value, new_value, ord)
      ORDER BY ord`,
    [
      history.map((c) => c.gymId),
      history.map((c) => c.field),
      history.map((c) => c.oldValue),
      history.map((c) => c.newValue),
      importId,
      now,
    ],
  );
}
