import type pg from 'pg';
import { FINAL_STATUSES } from '../../telephony/call-store.js';
import { cleanText, withTx, type Queryable } from '../sql.js';
import { E164, upsertGym } from './gyms.js';

/** Statuses that mean someone picked up. */
export const ANSWERED_STATUSES = ['in-progress', 'answered'] as const;

export interface CallStartRow {
  callId: string;
  direction: 'inbound' | 'outbound';
  gymName?: string | null;
  phoneNumber?: string | null;
  gymTimezone?: string | null;
  twilioCallSid?: string | null;
  status?: string;
  at: Date;
  providers?: Record<string, unknown>;
  flow?: CallFlowRecord;
  /** Given: the call belongs to this gym (a front-desk call), whatever its number says. */
  gymId?: number;
  mode?: 'interview' | 'front-desk';
}

/** The A/B experiment of conversation flows and the variant a call ran (src/flows/). */
export interface CallFlowRecord {
  readonly experiment: string;
  readonly variant: string;
}

/** Creates the call (and its gym) or fills in what an earlier write did not know. Idempotent. */
export async function createCall(pool: pg.Pool, c: CallStartRow): Promise<void> {
  await withTx(pool, async (tx) => {
    // Only an E.164 number identifies a gym: a withheld caller ID ("anonymous") stays on the call row alone.
    const gymPhone = c.phoneNumber != null && E164.test(c.phoneNumber) ? c.phoneNumber : null;
    // Re-recording a known call without gym details must not invent a gym for it.
    const known =
      c.gymName == null && gymPhone == null && c.gymTimezone == null
        ? (await tx.query<{ gym_id: string | null }>('SELECT gym_id FROM calls WHERE id = $1', [c.callId])).rows[0]
        : undefined;
    const gymId =
      c.gymId !== undefined
        ? c.gymId
        : known?.gym_id != null
          ? Number(known.gym_id)
          : await upsertGym(tx, { name: c.gymName, phone: gymPhone, timezone: c.gymTimezone ?? null });
    const status = cleanText(c.status ?? 'created');
    await tx.query(
      `INSERT INTO calls (id, gym_id, direction, twilio_call_sid, phone_number, gym_name, status, status_at,
                          created_at, providers, flow_experiment, flow_variant, mode)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO UPDATE SET
         twilio_call_sid = COALESCE(calls.twilio_call_sid, EXCLUDED.twilio_call_sid),
         phone_number = COALESCE(calls.phone_number, EXCLUDED.phone_number),
         gym_name = COALESCE(calls.gym_name, EXCLUDED.gym_name),
         gym_id = COALESCE(calls.gym_id, EXCLUDED.gym_id),
         providers = calls.providers || EXCLUDED.providers,
         -- The first variant recorded stays: a call runs one flow from its start.
         flow_experiment = COALESCE(calls.flow_experiment, EXCLUDED.flow_experiment),
         flow_variant = CASE WHEN calls.flow_experiment IS NULL THEN EXCLUDED.flow_variant ELSE calls.flow_variant END,
         mode = COALESCE(calls.mode, EXCLUDED.mode),
         updated_at = now()`,
      [
        c.callId,
        gymId,
        c.direction,
        c.twilioCallSid ?? null,
        c.phoneNumber ?? null,
        c.gymName == null ? null : cleanText(c.gymName),
        status,
        c.at,
        JSON.stringify(c.providers ?? {}),
        c.flow?.experiment ?? null,
        c.flow?.variant ?? null,
        c.mode ?? null,
      ],
    );
    // A call recorded again (the API created it, then its media stream started) moves on to the new status.
    await applyStatus(tx, c.callId, status, c.at, undefined);
  });
}

export async function setTwilioSid(db: Queryable, callId: string, sid: string): Promise<void> {
  await db.query('UPDATE calls SET twilio_call_sid = $2, updated_at = now() WHERE id = $1', [callId, sid]);
}

async function applyStatus(
  tx: Queryable,
  id: string,
  status: string,
  at: Date,
  detail: Record<string, unknown> | undefined,
): Promise<void> {
  await tx.query(
    'INSERT INTO call_status_history (call_id, status, at, detail) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [id, status, at, detail === undefined ? null : JSON.stringify(detail)],
  );
  await tx.query(
    `UPDATE calls SET
       status = CASE WHEN status_at <= $3 AND status <> ALL($5::text[]) THEN $2 ELSE status END,
       status_at = GREATEST(status_at, $3),
       answered_at = CASE WHEN $2 = ANY($4::text[]) THEN LEAST(COALESCE(answered_at, $3), $3) ELSE answered_at END,
       ended_at = CASE WHEN $2 = ANY($5::text[]) THEN COALESCE(ended_at, $3) ELSE ended_at END,
       updated_at = now()
     WHERE id = $1`,
    [id, status, at, ANSWERED_STATUSES, [...FINAL_STATUSES]],
  );
}

/**
 * Records a status change. A retried or late-arriving older status is kept in the history but never
 * overwrites a newer current status. Returns false when no such call exists.
 */
export async function recordStatus(
  pool: pg.Pool,
  s: { callId?: string; twilioCallSid?: string; status: string; at: Date; detail?: Record<string, unknown> },
): Promise<boolean> {
  return withTx(pool, async (tx) => {
    const found = s.callId
      ? await tx.query<{ id: string }>('SELECT id FROM calls WHERE id = $1 FOR UPDATE', [s.callId])
      : await tx.query<{ id: string }>('SELECT id FROM calls WHERE twilio_call_sid = $1 FOR UPDATE', [
          s.twilioCallSid ?? '',
        ]);
    const id = found.rows[0]?.id;
    if (id === undefined) return false;
    await applyStatus(tx, id, cleanText(s.status), s.at, s.detail);
    return true;
  });
}

export interface CallEndRow {
  callId: string;
  reason: string;
  at: Date;
  latency?: Record<string, unknown> | null;
  providers?: Record<string, unknown>;
  /** What the call came to (machines/outcomes.ts). */
  outcome?: string | null;
  /** The keys the agent pressed, one entry per press. */
  keys?: readonly string[];
  holdMs?: number | null;
  /** Times the agent stopped for a voice onset that brought no words (the machine's falseBargeIns). */
  falseBargeIns?: number | null;
}

/**
 * What else must happen in the transaction of a write that may end a call (its webhook events:
 * src/webhooks/events.ts). Called after the write; it decides for itself whether the call is now over.
 */
export type CallEndHook = (tx: pg.PoolClient, callId: string) => Promise<void>;

export async function endCall(pool: pg.Pool, e: CallEndRow, onEnded?: CallEndHook): Promise<void> {
  await withTx(pool, async (tx) => {
    await tx.query(
      `INSERT INTO call_status_history (call_id, status, at, detail) VALUES ($1, 'ended', $2, $3)
       ON CONFLICT DO NOTHING`,
      [e.callId, e.at, JSON.stringify({ reason: cleanText(e.reason) })],
    );
    await tx.query(
      `UPDATE calls SET
         ended_at = COALESCE(ended_at, $2),
         end_reason = $3,
         latency = COALESCE($4::jsonb, latency),
         providers = providers || $5::jsonb,
         status = CASE WHEN status = ANY($6::text[]) THEN status ELSE 'completed' END,
         status_at = GREATEST(status_at, $2),
         outcome = COALESCE($7, outcome),
         keys_pressed = CASE WHEN cardinality($8::text[]) > 0 THEN $8::text[] ELSE keys_pressed END,
         hold_ms = COALESCE($9, hold_ms),
         false_barge_ins = COALESCE($10, false_barge_ins),
         updated_at = now()
       WHERE id = $1`,
      [
        e.callId,
        e.at,
        cleanText(e.reason),
        e.latency == null ? null : JSON.stringify(e.latency),
        JSON.stringify(e.providers ?? {}),
        [...FINAL_STATUSES],
        e.outcome ?? null,
        [...(e.keys ?? [])],
        e.holdMs == null ? null : Math.max(0, Math.round(e.holdMs)),
        e.falseBargeIns == null ? null : Math.max(0, Math.round(e.falseBargeIns)),
      ],
    );
    await onEnded?.(tx, e.callId);
  });
}

export interface CallRow {
  id: string;
  gym_id: number | null;
  direction: 'inbound' | 'outbound';
  twilio_call_sid: string | null;
  phone_number: string | null;
  gym_name: string | null;
  status: string;
  created_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  providers: Record<string, unknown>;
  latency: Record<string, unknown> | null;
  updated_at: Date;
  outcome: string | null;
  keys_pressed: string[];
  hold_ms: number | null;
  flow_experiment: string | null;
  flow_variant: string | null;
  /** The language the call started in (migration 018); null for calls stored before it. */
  language: string | null;
}

function mapCall(r: Record<string, unknown>): CallRow {
  return {
    id: r.id as string,
    gym_id: r.gym_id == null ? null : Number(r.gym_id),
    direction: r.direction as 'inbound' | 'outbound',
    twilio_call_sid: (r.twilio_call_sid as string | null) ?? null,
    phone_number: (r.phone_number as string | null) ?? null,
    gym_name: (r.gym_name as string | null) ?? null,
    status: r.status as string,
    created_at: r.created_at as Date,
    answered_at: (r.answered_at as Date | null) ?? null,
    ended_at: (r.ended_at as Date | null) ?? null,
    end_reason: (r.end_reason as string | null) ?? null,
    providers: (r.providers as Record<string, unknown> | null) ?? {},
    latency: (r.latency as Record<string, unknown> | null) ?? null,
    updated_at: r.updated_at as Date,
    outcome: (r.outcome as string | null) ?? null,
    keys_pressed: (r.keys_pressed as string[] | null) ?? [],
    hold_ms: r.hold_ms == null ? null : Number(r.hold_ms),
    flow_experiment: (r.flow_experiment as string | null) ?? null,
    flow_variant: (r.flow_variant as string | null) ?? null,
    language: (r.language as string | null) ?? null,
  };
}

const CALL_COLUMNS = `c.id, c.gym_id, c.direction, c.twilio_call_sid, c.phone_number, c.gym_name, c.status,
  c.created_at, c.answered_at, c.ended_at, c.end_reason, c.providers, c.latency, c.updated_at, c.outcome,
  c.keys_pressed, c.hold_ms, c.flow_experiment, c.flow_variant, c.language`;

export async function getCall(db: Queryable, callId: string): Promise<CallRow | undefined> {
  const r = await db.query(`SELECT ${CALL_COLUMNS} FROM calls c WHERE c.id = $1`, [callId]);
  return r.rows[0] ? mapCall(r.rows[0] as Record<string, unknown>) : undefined;
}

export interface StatusEvent {
  status: string;
  at: Date;
  detail: Record<string, unknown> | null;
}

export async function getStatusHistory(db: Queryable, callId: string): Promise<StatusEvent[]> {
  const r = await db.query<StatusEvent>(
    'SELECT status, at, detail FROM call_status_history WHERE call_id = $1 ORDER BY at, status',
    [callId],
  );
  return r.rows;
}

export interface CallFilter {
  status?: string;
  outcome?: string;
  gymId?: number;
  /** Case-insensitive substring of the gym name. */
  gymName?: string;
  since?: Date;
  until?: Date;
  limit?: number;
  offset?: number;
  /** Oldest first (exports); default newest first. */
  ascending?: boolean;
}

export interface CallListItem extends CallRow {
  turns: number;
  /** interview | front-desk for a call to one of our numbers (phone_numbers), else null. */
  mode: string | null;
  /** Messages a front-desk caller left on this call. */
  messages: number;
}

export async function listCalls(db: Queryable, f: CallFilter = {}): Promise<CallListItem[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (f.status) add('c.status = ?', cleanText(f.status));
  if (f.outcome) add('c.outcome = ?', cleanText(f.outcome));
  if (f.gymId !== undefined) add('c.gym_id = ?', f.gymId);
  // strpos, not LIKE: a name containing % or _ must match literally.
  if (f.gymName) add('strpos(lower(c.gym_name), lower(?)) > 0', cleanText(f.gymName));
  if (f.since) add('c.created_at >= ?', f.since);
  if (f.until) add('c.created_at < ?', f.until);
  args.push(Math.min(f.limit ?? 100, 1000), f.offset ?? 0);
  const r = await db.query(
    `SELECT ${CALL_COLUMNS}, (SELECT count(*)::int FROM turns t WHERE t.call_id = c.id) AS turns, c.mode,
            (SELECT count(*)::int FROM call_messages m WHERE m.call_id = c.id) AS messages
       FROM calls c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.created_at ${f.ascending ? 'ASC' : 'DESC'}, c.id LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  );
  return r.rows.map((row: Record<string, unknown>) => ({
    ...mapCall(row),
    turns: Number(row.turns),
    mode: (row.mode as string | null) ?? null,
    messages: Number(row.messages),
  }));
}

export async function listStatuses(db: Queryable): Promise<string[]> {
  const r = await db.query<{ status: string }>('SELECT DISTINCT status FROM calls ORDER BY status');
  return r.rows.map((x) => x.status);
}

export async function listOutcomes(db: Queryable): Promise<string[]> {
  const r = await db.query<{ outcome: string }>(
    'SELECT DISTINCT outcome FROM calls WHERE outcome IS NOT NULL ORDER BY outcome',
  );
  return r.rows.map((x) => x.outcome);
}
