import type pg from 'pg';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { withTx, type Queryable } from '../db/sql.js';
import { parseGymFile, type ImportFormat } from '../gyms/import-parse.js';

// The do-not-call list (migration 007): a number on it is never dialled. POST /v1/calls asks isSuppressed() before
// placing a call, and so does everything that dials through it (campaigns). A number is added by the operator (API,
// CLI, an imported file) or by the gym itself: a call whose outcome is do-not-call ("please take us off your list")
// adds the number it reached, in the same write that ends the call. Every addition and removal is kept in
// suppression_events, so a lifted suppression still shows who asked and when.

export type SuppressionSource = 'operator' | 'import' | 'call';

export interface Suppression {
  readonly phone: string;
  readonly source: SuppressionSource;
  readonly reason: string | null;
  readonly call_id: string | null;
  readonly created_at: string;
}

/** A number as an operator types it ("+1 201 555 0123", "(201) 555-0123" with a region) → E.164, or undefined. */
export function suppressionNumber(raw: string, region: CountryCode): string | undefined {
  const n = parsePhoneNumberFromString(raw.trim(), region);
  // Only the number's validity matters here: a number outside the calling policy may still be listed.
  return n?.isValid() ? n.number : undefined;
}

export async function isSuppressed(db: Queryable, e164: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM suppressions WHERE phone = $1', [e164]);
  return r.rows.length > 0;
}

/** Which of these numbers are on the list (a campaign checks its whole list at once). */
export async function suppressedAmong(db: Queryable, phones: readonly string[]): Promise<Set<string>> {
  const r = await db.query<{ phone: string }>('SELECT phone FROM suppressions WHERE phone = ANY($1::text[])', [
    [...phones],
  ]);
  return new Set(r.rows.map((x) => x.phone));
}

export interface AddSuppression {
  readonly phone: string;
  readonly source: SuppressionSource;
  readonly reason?: string | undefined;
  readonly callId?: string | undefined;
  readonly at: Date;
}

/** Adds a number; false when it was already listed (the first entry, its source and reason, stay). */
export async function addSuppression(db: Queryable, s: AddSuppression): Promise<boolean> {
  const r = await db.query(
    `WITH ins AS (
       INSERT INTO suppressions (phone, source, reason, call_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (phone) DO NOTHING RETURNING phone)
     INSERT INTO suppression_events (phone, action, source, reason, call_id, at)
     SELECT phone, 'added', $2, $3, $4, $5 FROM ins RETURNING phone`,
    [s.phone, s.source, s.reason ?? null, s.callId ?? null, s.at],
  );
  return r.rows.length > 0;
}

/** Lifts a suppression; false when the number was not listed. */
export async function removeSuppression(
  db: Queryable,
  phone: string,
  r: { source: SuppressionSource; reason?: string | undefined; at: Date },
): Promise<boolean> {
  const out = await db.query(
    `WITH del AS (DELETE FROM suppressions WHERE phone = $1 RETURNING phone)
     INSERT INTO suppression_events (phone, action, source, reason, at)
     SELECT phone, 'removed', $2, $3, $4 FROM del RETURNING phone`,
    [phone, r.source, r.reason ?? null, r.at],
  );
  return out.rows.length > 0;
}

/**
 * The gym asked in a call not to be called again: the number the call reached goes on the list. Runs in the write
 * that records the call's end (src/db/recorder.ts), so an ended do-not-call call always has its number listed.
 */
export async function suppressCallNumber(db: Queryable, callId: string, at: Date): Promise<void> {
  await db.query(
    `WITH ins AS (
       INSERT INTO suppressions (phone, source, reason, call_id, created_at)
       SELECT phone_number, 'call', 'asked in the call not to be called again', id, $2 FROM calls
        WHERE id = $1 AND phone_number ~ '^\\+[1-9][0-9]{6,14}$'
       ON CONFLICT (phone) DO NOTHING RETURNING phone, reason)
     INSERT INTO suppression_events (phone, action, source, reason, call_id, at)
     SELECT phone, 'added', 'call', reason, $1, $2 FROM ins`,
    [callId, at],
  );
}

export async function getSuppression(db: Queryable, phone: string): Promise<Suppression | undefined> {
  const r = await db.query('SELECT phone, source, reason, call_id, created_at FROM suppressions WHERE phone = $1', [
    phone,
  ]);
  return r.rows[0] ? toSuppression(r.rows[0] as Record<string, unknown>) : undefined;
}

export async function listSuppressions(
  db: Queryable,
  o: { limit: number; offset: number },
): Promise<{ total: number; suppressions: Suppression[] }> {
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT phone, source, reason, call_id, created_at FROM suppressions
        ORDER BY created_at DESC, phone LIMIT $1 OFFSET $2`,
      [o.limit, o.offset],
    ),
    db.query<{ n: string }>('SELECT count(*) AS n FROM suppressions'),
  ]);
  return {
    total: Number(total.rows[0]?.n ?? 0),
    suppressions: rows.rows.map((r) => toSuppression(r as Record<string, unknown>)),
  };
}

function toSuppression(r: Record<string, unknown>): Suppression {
  return {
    phone: r.phone as string,
    source: r.source as SuppressionSource,
    reason: (r.reason as string | null) ?? null,
    call_id: (r.call_id as string | null) ?? null,
    created_at: (r.created_at as Date).toISOString(),
  };
}

export interface SuppressionImportRow {
  readonly line: number;
  readonly status: 'added' | 'already-listed' | 'rejected';
  readonly phone?: string;
  readonly reason?: string;
}

export type SuppressionImport =
  | { ok: true; added: number; already: number; rejected: number; report: SuppressionImportRow[] }
  | { ok: false; message: string };

/**
 * A file of numbers to suppress: CSV with a phone column (a name column is optional here), a JSON array of numbers
 * or of {"phone"} objects, or plain text with one number a line. Bad lines are reported; good ones are added.
 */
export async function importSuppressions(
  pool: pg.Pool,
  text: string,
  o: { format: ImportFormat | 'text'; region: CountryCode; reason?: string | undefined; now?: () => Date },
): Promise<SuppressionImport> {
  const lines = numbersIn(text, o.format);
  if (!lines.ok) return lines;
  const at = (o.now ?? (() => new Date()))();
  return withTx(pool, async (tx) => {
    const report: SuppressionImportRow[] = [];
    for (const l of lines.rows) {
      const phone = l.raw === undefined ? undefined : suppressionNumber(l.raw, o.region);
      if (phone === undefined) {
        report.push({
          line: l.line,
          status: 'rejected',
          reason: l.error ?? `not a valid number in region ${o.region}`,
        });
        continue;
      }
      const added = await addSuppression(tx, { phone, source: 'import', reason: o.reason, at });
      report.push({ line: l.line, status: added ? 'added' : 'already-listed', phone });
    }
    const n = (s: SuppressionImportRow['status']) => report.filter((r) => r.status === s).length;
    return { ok: true, added: n('added'), already: n('already-listed'), rejected: n('rejected'), report };
  });
}

type NumberLines =
  { ok: true; rows: { line: number; raw?: string; error?: string }[] } | { ok: false; message: string };

function numbersIn(text: string, format: ImportFormat | 'text'): NumberLines {
  if (format === 'text')
    return {
      ok: true,
      rows: text
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)
        .map((raw, i) => ({ line: i + 1, raw: raw.trim() }))
        .filter((l) => l.raw !== '' && !l.raw.startsWith('#')),
    };
  if (format === 'json') {
    // An array of plain strings is the simplest list; it is read as objects {"phone": ...}.
    try {
      const doc: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
      if (Array.isArray(doc) && doc.every((x) => typeof x === 'string'))
        text = JSON.stringify(doc.map((phone) => ({ phone })));
    } catch {
      // parseGymFile reports it
    }
  }
  // A do-not-call list needs no gym name.
  const parsed = parseGymFile(text, format, ['phone']);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    rows: parsed.rows.map((r) =>
      r.unreadable !== undefined
        ? { line: r.line, error: r.unreadable }
        : r.values.phone === undefined
          ? { line: r.line, error: 'no phone number' }
          : { line: r.line, raw: r.values.phone },
    ),
  };
}
