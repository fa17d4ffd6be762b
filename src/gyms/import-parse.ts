import { parse } from 'csv-parse/sync';

// A list of gyms as a file says it: CSV (a header row naming the columns) or JSON (an array of objects, or
// {"gyms": [...]}) → one raw row per gym with its line (CSV) or position (JSON), before any validation. CSV is read
// by csv-parse (RFC 4180: quoted fields with commas, doubled quotes and line breaks; a UTF-8 byte-order mark as
// spreadsheet programs write it). A record the parser cannot read (wrong number of fields, a quote never closed)
// becomes a rejected row of its own; the records around it are kept.

export type ImportFormat = 'csv' | 'json';

export const FIELDS = ['name', 'phone', 'address', 'timezone', 'language', 'subdivision', 'voice'] as const;
export type Field = (typeof FIELDS)[number];

/** Header names (lower case, spaces and hyphens as underscores) each column is recognised by. */
const ALIASES: Readonly<Record<Field, readonly string[]>> = {
  name: ['name', 'gym', 'gym_name', 'business', 'business_name'],
  phone: ['phone', 'phone_number', 'number', 'telephone', 'tel'],
  address: ['address', 'street_address', 'location'],
  timezone: ['timezone', 'time_zone', 'tz'],
  language: ['language', 'lang', 'locale'],
  // Not `region`: that is the number's country (--region, gyms.region).
  subdivision: ['subdivision', 'state', 'province', 'state_province', 'state_code', 'province_code'],
  // The gym's brand voice as JSON (src/voices/brand.ts): an object in a JSON list, its JSON text in a CSV cell.
  voice: ['voice', 'brand_voice'],
};

/** At most this many gyms per file: an import is one transaction, and its report comes back whole. */
export const MAX_ROWS = 10_000;
/** At most this many bytes per file (the API's bodies are further capped by the HTTP stack at 64 KiB). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FIELD_CHARS = 2000;
/** Unknown columns named in the report: a header can hold thousands, and the report comes back whole. */
const IGNORED_NAMED = 20;

export interface RawRow {
  /** The CSV line the record starts on (header = 1), or the JSON item's position from 1. */
  readonly line: number;
  readonly values: Partial<Record<Field, string>>;
  /** Why the row could not be read at all (it is rejected with this). */
  readonly unreadable?: string;
}

export type ParsedFile = { ok: true; rows: RawRow[]; ignoredColumns: string[] } | { ok: false; message: string };

const bad = (message: string): ParsedFile => ({ ok: false, message });

/** `csv` or `json` from a file name, else undefined. */
export function formatOf(fileName: string): ImportFormat | undefined {
  const m = /\.(csv|json)$/i.exec(fileName);
  return m ? (m[1]?.toLowerCase() as ImportFormat) : undefined;
}

/** `required`: the columns a CSV header must name (a gym list: name and phone; a do-not-call list: phone). */
export function parseGymFile(
  text: string,
  format: ImportFormat,
  required: readonly Field[] = ['name', 'phone'],
): ParsedFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) return bad(`the file is over ${MAX_FILE_BYTES} bytes`);
  return format === 'csv' ? parseCsv(text, required) : parseJson(text);
}

function fieldOf(header: string): Field | undefined {
  const h = header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return FIELDS.find((f) => ALIASES[f].includes(h));
}

function parseCsv(text: string, required: readonly Field[]): ParsedFile {
  const skipped: RawRow[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_FIELD_CHARS * FIELDS.length * 4,
      on_skip: (err) => {
        skipped.push({ line: Number(err?.lines ?? 0), values: {}, unreadable: err?.message ?? 'unreadable record' });
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    return bad(`not a readable CSV file: ${(e as Error).message}`);
  }
  const [head, ...body] = records;
  if (head === undefined)
    return bad(`the file is empty (a header row naming the ${required.join(', ')} columns first)`);
  const columns = head.record.map(fieldOf);
  const missing = required.filter((f) => !columns.includes(f));
  if (missing.length > 0)
    return bad(`the header has no ${missing.join(' or ')} column (columns: ${head.record.join(', ')})`);
  const dup = FIELDS.find((f) => columns.filter((c) => c === f).length > 1);
  if (dup !== undefined) return bad(`the header names the ${dup} column twice`);
  if (body.length + skipped.length > MAX_ROWS) return bad(`the file has more than ${MAX_ROWS} rows`);
  const rows: RawRow[] = body.map(({ record, info }) => {
    const values: Partial<Record<Field, string>> = {};
    record.forEach((v, i) => {
      const f = columns[i];
      if (f !== undefined && v.trim() !== '') values[f] = v.trim();
    });
    // A record's info.lines is the line it ends on; a quoted line break makes it start earlier.
    const breaks = record.reduce((n, v) => n + (v.match(/\r?\n/g)?.length ?? 0), 0);
    return { line: info.lines - breaks, values };
  });
  const ignoredColumns = [...new Set(head.record.filter((_, i) => columns[i] === undefined))].slice(0, IGNORED_NAMED);
  return { ok: true, rows: [...rows, ...skipped].sort((a, b) => a.line - b.line), ignoredColumns };
}

function parseJson(text: string): ParsedFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return bad(`not valid JSON: ${(e as Error).message}`);
  }
  const items = Array.isArray(doc)
    ? doc
    : doc !== null && typeof doc === 'object'
      ? (doc as { gyms?: unknown }).gyms
      : undefined;
  if (!Array.isArray(items)) return bad('JSON must be an array of gyms or an object {"gyms": [...]}');
  if (items.length > MAX_ROWS) return bad(`the file has more than ${MAX_ROWS} gyms`);
  const ignored = new Set<string>();
  const rows = items.map((item: unknown, i): RawRow => {
    const line = i + 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      return { line, values: {}, unreadable: 'each gym must be an object {"name", "phone", ...}' };
    const values: Partial<Record<Field, string>> = {};
    for (const [k, v] of Object.entries(item)) {
      const f = fieldOf(k);
      if (f === undefined) {
        ignored.add(k);
        continue;
      }
      if (v === null || v === undefined) continue;
      if (f === 'voice' && typeof v === 'object') {
        values.voice = JSON.stringify(v);
        continue;
      }
      // A number in JSON has lost a leading 0 or + already: refused rather than guessed.
      if (typeof v !== 'string') return { line, values: {}, unreadable: `${k} must be a string` };
      if (v.trim() !== '') values[f] = v.trim();
    }
    return { line, values };
  });
  return { ok: true, rows, ignoredColumns: [...ignored].slice(0, IGNORED_NAMED) };
}
