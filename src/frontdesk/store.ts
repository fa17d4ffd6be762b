import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { DeskMessage } from '../../machines/events.js';
import type pg from 'pg';
import { E164 } from '../db/repositories/gyms.js';
import { cleanText, withTx, type Queryable } from '../db/sql.js';

// Our Twilio numbers and what a call to each does (migration 017), and what front-desk calls leave behind: the
// messages callers leave for the staff and the transfers to the staff. Messages are personal data (a caller's name,
// number and words): they are stored and shown to the gym's staff, never logged.

export const NUMBER_MODES = ['interview', 'front-desk'] as const;
export type NumberMode = (typeof NUMBER_MODES)[number];

export interface PhoneNumberRow {
  readonly number: string;
  readonly gym_id: number;
  readonly gym_name: string;
  readonly mode: NumberMode;
  readonly staff_number: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A number in E.164 (with a country code, or written as a `region` number), or undefined when it is not valid. */
export function e164(raw: string, region: CountryCode = 'US'): string | undefined {
  const n = parsePhoneNumberFromString(raw.trim(), region);
  return n?.isValid() ? n.number : undefined;
}

/** One of our numbers as a path or a command gives it: E.164 only (our Twilio numbers carry their country code). */
export function ourNumber(raw: string | undefined): string | undefined {
  const s = (raw ?? '').trim();
  return E164.test(s) ? e164(s) : undefined;
}

const number = z.string().trim().min(1).max(40);

/** The body of PUT /v1/numbers/{number} and of `gym-agent numbers set`. */
export const numberSettingsSchema = z
  .object({
    gym_id: z.number().int().positive(),
    mode: z.enum(NUMBER_MODES),
    staff_number: number.nullable().optional(),
  })
  .strict();
export type NumberSettings = z.infer<typeof numberSettingsSchema>;

interface NumberDbRow {
  number: string;
  gym_id: string;
  gym_name: string;
  mode: NumberMode;
  staff_number: string | null;
  created_at: Date;
  updated_at: Date;
}

const toNumber = (r: NumberDbRow): PhoneNumberRow => ({
  number: r.number,
  gym_id: Number(r.gym_id),
  gym_name: r.gym_name,
  mode: r.mode,
  staff_number: r.staff_number,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

const NUMBER_SQL = `SELECT n.number, n.gym_id, g.name AS gym_name, n.mode, n.staff_number, n.created_at, n.updated_at
  FROM phone_numbers n JOIN gyms g ON g.id = n.gym_id`;

export async function getNumber(db: Queryable, e164Number: string): Promise<PhoneNumberRow | undefined> {
  const r = await db.query<NumberDbRow>(`${NUMBER_SQL} WHERE n.number = $1`, [e164Number]);
  return r.rows[0] && toNumber(r.rows[0]);
}

export async function listNumbers(
  db: Queryable,
  o: { limit: number; offset: number },
): Promise<{ total: number; numbers: PhoneNumberRow[] }> {
  const rows = await db.query<NumberDbRow>(`${NUMBER_SQL} ORDER BY n.number LIMIT $1 OFFSET $2`, [o.limit, o.offset]);
  const total = await db.query<{ n: string }>('SELECT count(*) AS n FROM phone_numbers');
  return { total: Number(total.rows[0]?.n ?? 0), numbers: rows.rows.map(toNumber) };
}

export type SetNumberResult = { ok: true; number: PhoneNumberRow; created: boolean } | { ok: false; problem: string };

/** Creates or changes a number's settings; the gym must exist. Numbers are already E.164 here. */
export async function setNumber(
  db: Queryable,
  e164Number: string,
  s: { gymId: number; mode: NumberMode; staffNumber: string | null },
): Promise<SetNumberResult> {
  const gym = await db.query('SELECT 1 FROM gyms WHERE id = $1', [s.gymId]);
  if (gym.rows.length === 0) return { ok: false, problem: `no gym with id ${s.gymId}` };
  const r = await db.query<{ inserted: boolean }>(
    `INSERT INTO phone_numbers (number, gym_id, mode, staff_number) VALUES ($1, $2, $3, $4)
     ON CONFLICT (number) DO UPDATE SET gym_id = EXCLUDED.gym_id, mode = EXCLUDED.mode,
       staff_number = EXCLUDED.staff_number, updated_at = now()
     RETURNING (xmax = 0) AS inserted`,
    [e164Number, s.gymId, s.mode, s.staffNumber],
  );
  const row = await getNumber(db, e164Number);
  if (row === undefined) throw new Error('phone number missing after upsert');
  return { ok: true, number: row, created: r.rows[0]?.inserted === true };
}

export async function removeNumber(db: Queryable, e164Number: string): Promise<boolean> {
  const r = await db.query('DELETE FROM phone_numbers WHERE number = $1', [e164Number]);
  return (r.rowCount ?? 0) > 0;
}

/** Runs in the transaction that stored a message (its webhook event, src/webhooks/events.ts). */
export type MessageTakenHook = (tx: pg.PoolClient, messageId: number) => Promise<void>;

/**
 * Stored with the call's gym; nothing is written to a call whose end is recorded (as turns, outcomes.ts). A retried
 * write stores nothing twice and `onTaken` runs only for the write that stored it.
 */
export async function insertMessage(
  pool: pg.Pool,
  callId: string,
  m: DeskMessage,
  at: Date,
  onTaken?: MessageTakenHook,
): Promise<void> {
  await withTx(pool, async (tx) => {
    const r = await tx.query<{ id: string }>(
      `INSERT INTO call_messages (call_id, gym_id, name, callback_number, reason, taken_at)
       SELECT c.id, c.gym_id, $2, $3, $4, $5 FROM calls c WHERE c.id = $1 AND c.end_reason IS NULL
       ON CONFLICT (call_id, taken_at) DO NOTHING RETURNING id`,
      [
        callId,
        cleanText(m.name).slice(0, 200),
        cleanText(m.callbackNumber).slice(0, 40),
        cleanText(m.reason).slice(0, 2000),
        at,
      ],
    );
    const id = r.rows[0]?.id;
    if (id !== undefined) await onTaken?.(tx, Number(id));
  });
}

export type TransferStatus = 'dialling' | 'failed';

export async function insertTransfer(
  db: Queryable,
  callId: string,
  t: { to: string; status: TransferStatus },
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO call_transfers (call_id, to_number, status, at) SELECT $1, $2, $3, $4
      WHERE EXISTS (SELECT 1 FROM calls WHERE id = $1) ON CONFLICT DO NOTHING`,
    [callId, t.to, t.status, at],
  );
}

export interface MessageItem {
  readonly message_id: number;
  readonly call_id: string;
  readonly gym_id: number | null;
  readonly gym_name: string | null;
  readonly name: string;
  readonly callback_number: string;
  readonly reason: string;
  readonly taken_at: string;
}

interface MessageDbRow {
  id: string;
  call_id: string;
  gym_id: string | null;
  gym_name: string | null;
  name: string;
  callback_number: string;
  reason: string;
  taken_at: Date;
}

const toMessage = (r: MessageDbRow): MessageItem => ({
  message_id: Number(r.id),
  call_id: r.call_id,
  gym_id: r.gym_id === null ? null : Number(r.gym_id),
  gym_name: r.gym_name,
  name: r.name,
  callback_number: r.callback_number,
  reason: r.reason,
  taken_at: r.taken_at.toISOString(),
});

const MESSAGE_SQL = `SELECT m.id, m.call_id, m.gym_id, g.name AS gym_name, m.name, m.callback_number, m.reason, m.taken_at
  FROM call_messages m LEFT JOIN gyms g ON g.id = m.gym_id`;

/** Messages newest first, of one gym or all. */
export async function listMessages(
  db: Queryable,
  o: { limit: number; offset: number; gymId?: number | undefined },
): Promise<{ total: number; messages: MessageItem[] }> {
  const where = o.gymId === undefined ? '' : 'WHERE m.gym_id = $3';
  const args: unknown[] = [o.limit, o.offset, ...(o.gymId === undefined ? [] : [o.gymId])];
  const rows = await db.query<MessageDbRow>(
    `${MESSAGE_SQL} ${where} ORDER BY m.taken_at DESC, m.id DESC LIMIT $1 OFFSET $2`,
    args,
  );
  const total = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM call_messages m ${o.gymId === undefined ? '' : 'WHERE m.gym_id = $1'}`,
    o.gymId === undefined ? [] : [o.gymId],
  );
  return { total: Number(total.rows[0]?.n ?? 0), messages: rows.rows.map(toMessage) };
}

/** A call's messages and its transfer (the read side: GET /v1/calls/{id}, /review, the export). */
export interface CallDesk {
  readonly mode: NumberMode | null;
  readonly messages: Array<Omit<MessageItem, 'call_id' | 'gym_id' | 'gym_name'>>;
  readonly transfer: { to: string; status: TransferStatus; at: string } | null;
}

export async function callDesk(db: Queryable, callId: string): Promise<CallDesk> {
  const mode = await db.query<{ mode: NumberMode | null }>('SELECT mode FROM calls WHERE id = $1', [callId]);
  const messages = await db.query<MessageDbRow>(`${MESSAGE_SQL} WHERE m.call_id = $1 ORDER BY m.taken_at, m.id`, [
    callId,
  ]);
  const transfer = await db.query<{ to_number: string; status: TransferStatus; at: Date }>(
    'SELECT to_number, status, at FROM call_transfers WHERE call_id = $1 ORDER BY at DESC LIMIT 1',
    [callId],
  );
  const t = transfer.rows[0];
  return {
    mode: mode.rows[0]?.mode ?? null,
    messages: messages.rows.map((r) => {
      const { call_id: _c, gym_id: _g, gym_name: _n, ...m } = toMessage(r);
      return m;
    }),
    transfer: t === undefined ? null : { to: t.to_number, status: t.status, at: t.at.toISOString() },
  };
}
