import type pg from 'pg';
import type { CountryCode } from 'libphonenumber-js/max';
import { cleanText, withTx } from '../db/sql.js';
import { isTimeZone } from '../situations/timezone.js';
import { CONTROL_OR_BIDI } from '../telephony/calls-api.js';
import type { DestinationPolicy } from '../telephony/destination.js';
import { parseGymFile, type ImportFormat, type RawRow } from './import-parse.js';
import { writeRows, type GoodRow } from './import-write.js';
import { parseGymPhone, type PhoneRejection } from './phone.js';
import { gymSubdivision, parseSubdivision, type SubdivisionSource } from './subdivision.js';
import { gymTimeZone, type TimeZoneSource } from './timezone.js';
import { brandVoiceProblems, canonicalJson, readBrandVoice } from '../voices/brand.js';
import { languageFrom, LANGUAGES } from '../language/index.js';

// Gyms in: a parsed list → each row checked on its own (a bad row is reported and skipped, never the file), then
// every good row written in one transaction, in batches (import-write.ts): a new number makes a gym, a known number
// merges into its gym (the list's name, address, language, time zone, subdivision and brand voice update it, each change
// kept in gym_changes). Two rows of one file with the same number merge the same way, in file order.

export type RowStatus = 'accepted' | 'merged' | 'rejected';
export type RejectCode =
  PhoneRejection | 'unreadable' | 'name' | 'address' | 'timezone' | 'language' | 'subdivision' | 'voice';

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
  /** ISO 3166-2 subdivision without the country ("TX"), null when none was found; see subdivision.ts. */
  readonly subdivision?: string | null;
  readonly subdivision_source?: SubdivisionSource;
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
  const voice = v.voice === undefined ? undefined : readBrandVoice(v.voice);
  if (voice?.ok === false) return reject(r.line, 'voice', voice.message, { name });
  const voiceProblems = voice?.voice ? brandVoiceProblems(voice.voice, language) : [];
  if (voiceProblems.length > 0) return reject(r.line, 'voice', `voice: ${voiceProblems.join('; ')}`, { name });
  const row = v.subdivision === undefined ? undefined : parseSubdivision(v.subdivision, phone.region);
  if (row?.ok === false) return reject(r.line, 'subdivision', row.reason, { name });
  const tz = await gymTimeZone(phone.e164, v.timezone, o.defaultTimeZone);
  const sub = await gymSubdivision({ e164: phone.e164, country: phone.region, row: row?.code, address });
  const warnings: string[] = [];
  if (tz.mismatch)
    warnings.push(`the number's area is in ${tz.candidates.join(' or ')}; kept the row's ${tz.timezone}`);
  if (tz.source === 'number-ambiguous')
    warnings.push(`the number's area spans ${tz.candidates.join(', ')}; guessed ${tz.timezone}`);
  if (tz.source === 'default') warnings.push(`no zone known for the number; used the default ${tz.timezone}`);
  warnings.push(...sub.warnings);
  // The tag is kept as the list gives it (it is the gym's own); a call is held in it only if the agent speaks it.
  if (language !== undefined && languageFrom(language) === undefined)
    warnings.push(
      `the agent does not speak ${language}: its calls are held in the campaign's language or CALL_LANGUAGE (${LANGUAGES.join(', ')} are spoken)`,
    );
  return {
    line: r.line,
    phone: phone.e164,
    region: phone.region,
    type: phone.type,
    name,
    address,
    language,
    // `none` in the list clears the gym's voice; an empty cell leaves it as it is.
    voice: voice === undefined ? undefined : voice.voice === null ? null : canonicalJson(voice.voice),
    timezone: tz.timezone,
    timezoneSource: tz.source,
    candidates: tz.candidates,
    subdivision: sub.subdivision,
    subdivisionSource: sub.source,
    warnings,
  };
}

/** Rows checked between two turns of the event loop (≈ 10 ms of parsing numbers): see checkRows. */
const CHECK_CHUNK = 200;

/**
 * Checks every row, in file order. An import runs in the server beside live calls, whose audio is paced in 20 ms
 * frames: 10,000 rows are ≈ 0.5 s of number parsing, so the event loop gets a turn after each chunk of rows.
 */
async function checkRows(rows: readonly RawRow[], o: ImportOptions): Promise<(GoodRow | RowReport)[]> {
  const out: (GoodRow | RowReport)[] = [];
  for (const r of rows) {
    if (out.length > 0 && out.length % CHECK_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
    out.push(await checkRow(r, o));
  }
  return out;
}

/** Parses, checks and writes a list; the report has one entry per row, in file order. */
export async function importGyms(pool: pg.Pool, fileText: string, o: ImportOptions): Promise<ImportResult> {
  const parsed = parseGymFile(fileText, o.format);
  if (!parsed.ok) return parsed;
  const checked = await checkRows(parsed.rows, o);
  const now = (o.now ?? (() => new Date()))();
  const report = await withTx(pool, async (tx) => {
    const imp = await tx.query<{ id: string }>(
      `INSERT INTO gym_imports (via, format, row_count, accepted, merged, rejected, created_at)
       VALUES ($1, $2, $3, 0, 0, 0, $4) RETURNING id`,
      [o.via, o.format, checked.length, now],
    );
    const importId = imp.rows[0]?.id as string;
    const good = checked.filter((c): c is GoodRow => !('status' in c));
    const written = (await writeRows(tx, good, importId, now)).values();
    const out = checked.map((c) => ('status' in c ? c : (written.next().value as RowReport)));
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
