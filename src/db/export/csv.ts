import type { CallDetail } from '../read-model.js';
import { DAYS } from '../../facts/model.js';

// One long CSV for calls, transcripts and facts: a `call` row for every call (so a call without turns or facts,
// one that was never answered, is in the export too; with its outcome, keys pressed and time on hold), then a row
// per turn, per fact, per refused topic and for a callback request, each with its call's
// context (and a front-desk call's messages and transfer), so a spreadsheet filter on `record` gives any one table. RFC 4180 quoting; text cells that a spreadsheet
// would run as a formula (=, +, -, @, tab, CR first; plain numbers and phone numbers excepted) are prefixed with an
// apostrophe (CSV injection).

export const CSV_COLUMNS = [
  'record',
  'call_id',
  'call_created_at',
  'gym_name',
  'phone_number',
  'direction',
  'status',
  'end_reason',
  'seq',
  'speaker',
  'text',
  'heard_text',
  'interrupted',
  'start_ms',
  'end_ms',
  'confidence',
  'day',
  'opens',
  'closes',
  'closed',
  'open24h',
  'plan',
  'amount',
  'currency',
  'period',
  'class',
  'outcome',
  'keys_pressed',
  'hold_ms',
  'topic',
  'website',
  'callback_at',
  'time_zone',
  'person',
  'flow_experiment',
  'flow_variant',
  'mode',
  'callback_number',
  'transfer_to',
  'transfer_status',
  'at',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type CsvRow = Partial<Record<Column, string | number | boolean | null>>;

const NUMERIC: ReadonlySet<Column> = new Set(['seq', 'start_ms', 'end_ms', 'confidence', 'amount', 'hold_ms']);

export function csvCell(v: string | number | boolean | null | undefined, numeric = false): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A plain number or E.164 phone number cannot be a formula; anything else starting like one is defused.
  if (!numeric && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function line(r: CsvRow): string {
  return CSV_COLUMNS.map((c) => csvCell(r[c], NUMERIC.has(c) && typeof r[c] === 'number')).join(',') + '\r\n';
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvRowsForCall(c: CallDetail): string {
  const base: CsvRow = {
    call_id: c.call_id,
    call_created_at: c.created_at,
    gym_name: c.gym_name,
    phone_number: c.phone_number,
    direction: c.direction,
    status: c.status,
    end_reason: c.end_reason,
    outcome: c.outcome,
  };
  let out = line({
    ...base,
    record: 'call',
    keys_pressed: c.keys_pressed.join(' '),
    hold_ms: c.hold_ms,
    flow_experiment: c.flow_experiment,
    flow_variant: c.flow_variant,
    mode: c.mode,
  });
  for (const t of c.transcript)
    out += line({
      ...base,
      record: 'turn',
      seq: t.seq,
      speaker: t.speaker,
      text: t.text,
      heard_text: t.heard_text,
      interrupted: t.interrupted,
      start_ms: t.start_ms,
      end_ms: t.end_ms,
      confidence: t.confidence,
    });
  for (const d of DAYS) {
    const h = c.facts.hours[d];
    if (!h) continue;
    out += line({
      ...base,
      record: 'hours',
      day: d,
      ...('opens' in h ? { opens: h.opens, closes: h.closes } : {}),
      closed: 'closed' in h,
      open24h: 'open24h' in h,
    });
  }
  for (const p of c.facts.pricing)
    out += line({ ...base, record: 'plan', plan: p.plan, amount: p.amount, currency: p.currency, period: p.period });
  for (const k of c.facts.classes) out += line({ ...base, record: 'class', class: k });
  // A refusal's and a callback's words are in `text`, like a turn's.
  for (const r of c.refusals)
    out += line({ ...base, record: 'refusal', topic: r.topic, text: r.words, website: r.website });
  const cb = c.callback;
  if (cb !== null)
    out += line({
      ...base,
      record: 'callback',
      topic: cb.topics.join(' '),
      text: cb.words,
      callback_at: cb.earliest_local,
      time_zone: cb.time_zone,
      person: cb.person,
    });
  // A front-desk caller's message for the staff (name, number, words) and the transfer to the staff.
  for (const m of c.messages)
    out += line({
      ...base,
      record: 'message',
      person: m.name,
      callback_number: m.callback_number,
      text: m.reason,
      at: m.taken_at,
    });
  const t = c.transfer;
  if (t !== null) out += line({ ...base, record: 'transfer', transfer_to: t.to, transfer_status: t.status, at: t.at });
  return out;
}
