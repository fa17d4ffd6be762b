import type pg from 'pg';
import type { CountryCode } from 'libphonenumber-js/max';
import { cleanText, withTx, type Queryable } from '../db/sql.js';
import { isTimeZone } from '../situations/timezone.js';
import { CONTROL_OR_BIDI } from '../telephony/calls-api.js';
import type { DestinationPolicy } from '../telephony/destination.js';
import { parseGymFile, type ImportFormat, type RawRow } from './import-parse.js';
import { parseGymPhone, type PhoneRejection } from './phone.js';
import { gymTimeZone, type TimeZoneSource } from './timezone.js';

// Gyms in: a parsed list → each row checked on its own (a bad row is reported and skipped, never the file), then
// every good row written in one transaction: a new number makes a gym, a known number merges into its gym (the
// list's name, address, language and time zone update it, each change kept in gym_changes). Two rows of one file
// with the same number merge the same way, in file order.

export type RowStatus = 'accepted' | 'merged' | 'rejected';
export type RejectCode = PhoneRejection | 'unreadable' | 'name' | 'address' | 'timezone' | 'language';

export interface RowReport {
  readonly line: number;
  readonly status: RowStatus;
  readonly gym_id?: number;
  readonly phone?: string;
  readonly name?: string;
  /** Fields a merge changed (empty: the gym already said all this). */
  readonly changes?: string[];
  readonly timezone?: string;
  readonly timezone_source?: TimeZoneSource;
  readonly code?: RejectCode;
  readonly reason?: string;
  readonly warnings?: string[];
}

export interface ImportReport {
  readonly import_id: number | null;
  readonly rows: number;
  readonly accepted: number;
  readonly merged: number;
  readonly rejected: number;
  readonly ignored_columns: string[];
  readonly report: RowReport[];
}

export interface ImportOptions {
  readonly format: ImportFormat;
  /** Region of numbers written without a country code (--region). */
  readonly region: CountryCode;
  /** CALL_ALLOWED_REGIONS / CALL_ALLOWED_NUMBER_TYPES: a gym the agent may not dial is not imported. */
  readonly destinations: DestinationPolicy;
  /** CALL_DEFAULT_TIMEZONE. */
  readonly defaultTimeZone: string;
  readonly via: 'cli' | 'api';
  readonly now?: () => Date;
}

export type ImportResult = { ok: true; report: ImportReport } | { ok: false; message: string };

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

interface GoodRow {
  readonly line: number;
  readonly phone: string;
  readonly region: CountryCode;
  readonly type: string;
  readonly name: string;
  readonly address: string | undefined;
  readonly language: string | undefined;
  readonly timezone: string;
  readonly timezoneSource: TimeZoneSource;
  readonly candidates: readonly string[];
  readonly warnings: string[];
}

const reject = (line: number, code: RejectCode, reason: string, extra: Partial<RowReport> = {}): RowReport => ({
  line,
  status: 'rejected',
  code,
  reason,
  ...extra,
});

function text(v: string | undefined, max: number): string | undefined | false {
  if (v === undefined) return undefined;
  return v.length <= max && !CONTROL_OR_BIDI.test(v) ? cleanText(v) : false;
}

/** Checks one raw row: a gym to write, or the rejection to report. */
async function checkRow(r: RawRow, o: ImportOptions): Promise<GoodRow | RowReport> {
  if (r.unreadable !== undefined) return reject(r.line, 'unreadable', r.unreadable);
  const v = r.values;
  const name = text(v.name, 200);
  if (name === undefined) return reject(r.line, 'name', 'no gym name');
  if (name === false) return reject(r.line, 'name', 'name must be at most 200 characters, without control characters');
  const phone = parseGymPhone(v.phone ?? '', o.region, o.destinations);
  if (!phone.ok) return reject(r.line, phone.reason, `phone ${phone.message}`, { name });
  const address = text(v.address, 500);
  if (address === false)
    return reject(r.line, 'address', 'address must be at most 500 characters, without control characters', { name });
  if (v.timezone !== undefined && !isTimeZone(v.timezone))
    return reject(r.line, 'timezone', 'timezone must be an IANA zone such as America/Chicago', { name });
  const language = v.language?.replace(/_/g, '-');
  if (language !== undefined && !LANGUAGE.test(language))
    return reject(r.line, 'language', 'language must be a language tag such as en, es or en-US', { name });
  const tz = await gymTimeZone(phone.e164, v.timezone, o.defaultTimeZone);
  const warnings: string[] = [];
  if (tz.mismatch)
    warnings.push(`the number's area is in ${tz.candidates.join(' or ')}; kept the row's ${tz.timezone}`);
  if (tz.source === 'number-ambiguous')
    warnings.push(`the number's area spans ${tz.candidates.join(', ')}; guessed ${tz.timezone}`);
  if (tz.source === 'default') warnings.push(`no zone known for the number; used the default ${tz.timezone}`);
  return {
    line: r.line,
    phone: phone.e164,
    region: phone.region,
    type: phone.type,
    name,
    address,
    language,
    timezone: tz.timezone,
    timezoneSource: tz.source,
    candidates: tz.candidates,
    warnings,
  };
}

/** Parses, checks and writes a list; the report has one entry per row, in file order. */
export async function importGyms(pool: pg.Pool, fileText: string, o: ImportOptions): Promise<ImportResult> {
  const parsed = parseGymFile(fileText, o.format);
  if (!parsed.ok) return parsed;
  const checked = await Promise.all(parsed.rows.map((r) => checkRow(r, o)));
  const now = (o.now ?? (() => new Date()))();
  const report = await withTx(pool, async (tx) => {
    const imp = await tx.query<{ id: string }>(
      `INSERT INTO gym_imports (via, format, row_count, accepted, merged, rejected, created_at)
       VALUES ($1, $2, $3, 0, 0, 0, $4) RETURNING id`,
      [o.via, o.format, checked.length, now],
    );
    const importId = imp.rows[0]?.id as string;
    const out: RowReport[] = [];
    for (const c of checked) out.push('status' in c ? c : await writeRow(tx, c, importId, now));
    const count = (s: RowStatus) => out.filter((r) => r.status === s).length;
    await tx.query('UPDATE gym_imports SET accepted = $2, merged = $3, rejected = $4 WHERE id = $1', [
      importId,
      count('accepted'),
      count('merged'),
      count('rejected'),
    ]);
    return {
      import_id: Number(importId),
      rows: out.length,
      accepted: count('accepted'),
      merged: count('merged'),
      rejected: count('rejected'),
      ignored_columns: parsed.ignoredColumns,
      report: out,
    };
  });
  return { ok: true, report };
}

interface Existing {
  id: string;
  name: string;
  address: string | null;
  timezone: string | null;
  timezone_source: TimeZoneSource | null;
  language: string | null;
}

async function writeRow(tx: Queryable, g: GoodRow, importId: string, now: Date): Promise<RowReport> {
  const base = {
    line: g.line,
    phone: g.phone,
    name: g.name,
    ...(g.warnings.length > 0 ? { warnings: g.warnings } : {}),
  };
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO gyms (name, phone, address, language, region, number_type, timezone, timezone_source,
                       timezone_candidates, imported_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)
     ON CONFLICT (phone) WHERE phone IS NOT NULL DO NOTHING RETURNING id`,
    [
      g.name,
      g.phone,
      g.address ?? null,
      g.language ?? null,
      g.region,
      g.type,
      g.timezone,
      g.timezoneSource,
      [...g.candidates],
      now,
    ],
  );
  const newId = inserted.rows[0]?.id;
  if (newId !== undefined) {
    await change(tx, { gymId: newId, importId, at: now }, 'created', null, g.name);
    return {
      ...base,
      status: 'accepted',
      gym_id: Number(newId),
      timezone: g.timezone,
      timezone_source: g.timezoneSource,
    };
  }
  const cur = (
    await tx.query<Existing>(
      'SELECT id, name, address, timezone, timezone_source, language FROM gyms WHERE phone = $1 FOR UPDATE',
      [g.phone],
    )
  ).rows[0] as Existing;
  const next = {
    name: g.name,
    address: g.address ?? cur.address,
    language: g.language ?? cur.language,
    // A zone the list gave wins; an inferred one replaces anything but a zone an earlier list gave.
    ...(g.timezoneSource === 'row' || cur.timezone_source !== 'row'
      ? { timezone: g.timezone, timezone_source: g.timezoneSource, timezone_candidates: [...g.candidates] }
      : { timezone: cur.timezone, timezone_source: cur.timezone_source, timezone_candidates: null }),
  };
  const changes: string[] = [];
  for (const f of ['name', 'address', 'timezone', 'language'] as const) {
    if (next[f] === cur[f]) continue;
    changes.push(f);
    await change(tx, { gymId: cur.id, importId, at: now }, f, cur[f], next[f]);
  }
  await tx.query(
    `UPDATE gyms SET name = $2, address = $3, language = $4, timezone = $5, timezone_source = $6,
            timezone_candidates = COALESCE($7, timezone_candidates), region = $8, number_type = $9, imported_at = $10,
            updated_at = CASE WHEN $11 THEN $10 ELSE updated_at END
      WHERE id = $1`,
    [
      cur.id,
      next.name,
      next.address,
      next.language,
      next.timezone,
      next.timezone_source,
      next.timezone_candidates,
      g.region,
      g.type,
      now,
      changes.length > 0,
    ],
  );
  return {
    ...base,
    status: 'merged',
    gym_id: Number(cur.id),
    changes,
    timezone: next.timezone ?? g.timezone,
    ...(next.timezone_source ? { timezone_source: next.timezone_source } : {}),
  };
}

async function change(
  tx: Queryable,
  c: { gymId: string; importId: string; at: Date },
  field: string,
  oldValue: string | null,
  newValue: string | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO gym_changes (gym_id, import_id, field, old_value, new_value, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [c.gymId, c.importId, field, oldValue, newValue, c.at],
  );
}
