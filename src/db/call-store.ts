import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, isAppError } from '../errors.js';
import { jsonError, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import {
  FINAL_STATUSES,
  keepFinal,
  isCallStatus,
  type CallPatch,
  type CallRecord,
  type CallStatus,
  type CallStore,
  type NewCall,
} from '../telephony/call-store.js';
import { AMD_EVENT, CALL_EVENTS_CHANNEL } from '../telephony/call-events.js';
import { describeDbError, isRetryableDbError } from './errors.js';
import { isValidCallId } from './recorder.js';
import { ANSWERED_STATUSES, type CallEndHook } from './repositories/calls.js';
import { E164, upsertGym } from './repositories/gyms.js';
import { cleanText, withTx, type Queryable } from './sql.js';
import type { WriteQueue } from './write-queue.js';
import type { Language } from '../language/index.js';

// The telephony layer's CallStore over the `calls` table, so a call exists in the database before POST /v1/calls
// answers (and before Twilio is asked to place it), and a restarted server still knows every call.
// - create() is committed before it returns. If the database is unreachable it throws DB_UNAVAILABLE and the
//   caller must not go on (calls-api stores before it places the call, so nothing is placed).
// - update() is one idempotent transaction: the status-history row is keyed by (call, at, status) with `at` fixed
//   before the first attempt, and the current status only moves to a newer timestamp, so a retry never duplicates
//   or regresses. When the database is down and the call is known to this process, the update goes to the write
//   queue (retried until the database returns) and the call goes on with the patched record.
// - Reads fall back to the last record this process saw only during an outage; otherwise the database is the truth.
// answered_by lives in the status history's detail (as the recorder writes it), so no new column is needed.

const MAX_CACHED = 10_000;
const SID_KEY = 'calls_twilio_call_sid_key';

export interface PgCallStoreOptions {
  /** Where updates go while the database is unreachable (the app's write queue); without it they throw. */
  readonly queue?: WriteQueue;
  readonly log?: Logger;
  /** Attempts of a create before DB_UNAVAILABLE (a dropped idle connection deserves one more try). Default 2. */
  readonly createAttempts?: number;
  readonly retryDelayMs?: number;
  /** Runs in the transaction of an update that may end a call (a final status: its webhook events). */
  readonly onCallEnded?: CallEndHook;
}

const RECORD_SQL = `SELECT c.id, c.gym_id::text AS gym_id, c.direction, c.phone_number, c.gym_name, c.twilio_call_sid,
    c.status, c.created_at, c.updated_at, c.ended_at, c.language,
    (SELECT h.detail->>'answeredBy' FROM call_status_history h
      WHERE h.call_id = c.id AND h.detail->>'answeredBy' IS NOT NULL ORDER BY h.at DESC LIMIT 1) AS answered_by
  FROM calls c`;

interface CallStoreRow {
  id: string;
  gym_id: string | null;
  direction: 'inbound' | 'outbound';
  phone_number: string | null;
  gym_name: string | null;
  twilio_call_sid: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  answered_by: string | null;
  language: Language | null;
}

/** The recorder writes a few statuses of its own ('created', 'answered'); the telephony view has Twilio's only. */
function toCallStatus(s: string, endedAt: Date | null): CallStatus {
  if (isCallStatus(s)) return s;
  if (s === 'created') return 'queued';
  if (s === 'answered') return 'in-progress';
  return endedAt === null ? 'initiated' : 'completed';
}

function toRecord(r: CallStoreRow): CallRecord {
  return {
    callId: r.id,
    direction: r.direction,
    phoneNumber: r.phone_number ?? '',
    gymName: r.gym_name ?? '',
    gymId: r.gym_id,
    twilioCallSid: r.twilio_call_sid,
    status: toCallStatus(r.status, r.ended_at),
    answeredBy: r.answered_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
    language: r.language ?? undefined,
  };
}

async function readCall(db: Queryable, callId: string): Promise<CallRecord | undefined> {
  const r = await db.query<CallStoreRow>(`${RECORD_SQL} WHERE c.id = $1`, [callId]);
  return r.rows[0] ? toRecord(r.rows[0]) : undefined;
}

async function readBySid(db: Queryable, sid: string): Promise<CallRecord | undefined> {
  const r = await db.query<CallStoreRow>(`${RECORD_SQL} WHERE c.twilio_call_sid = $1`, [sid]);
  return r.rows[0] ? toRecord(r.rows[0]) : undefined;
}

/** Twilio ids and our ids are printable; anything else cannot be a stored key (and NUL would be a DB error). */
const usableKey = (s: string): boolean => isValidCallId(s);

async function insertCall(pool: pg.Pool, callId: string, c: NewCall, at: Date): Promise<CallRecord> {
  return withTx(pool, async (tx) => {
    const existing = await readCall(tx, callId);
    // Our own retry after an ambiguous commit, or the recorder got there first: fill in, never invent a second gym.
    if (existing === undefined) {
      const phone = cleanText(c.phoneNumber);
      // Gyms are keyed by E.164 number (a CHECK constraint); an inbound caller id like 'anonymous' is kept on
      // the call only.
      // A front-desk call is its number's gym's: its caller is a member of the public, never a gym.
      const gymId = c.gymId ?? (await upsertGym(tx, { name: c.gymName, phone: E164.test(phone) ? phone : null }));
      await tx.query(
        `INSERT INTO calls (id, gym_id, direction, twilio_call_sid, phone_number, gym_name, status, status_at, created_at,
                            answered_at, ended_at, language, mode)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, CASE WHEN $7 = ANY($9::text[]) THEN $8::timestamptz END,
                 CASE WHEN $7 = ANY($10::text[]) THEN $8::timestamptz END, $11, $12)
         ON CONFLICT (id) DO NOTHING`,
        [
          callId,
          gymId,
          c.direction,
          c.twilioCallSid == null ? null : cleanText(c.twilioCallSid),
          phone === '' ? null : phone,
          c.gymName === '' ? null : cleanText(c.gymName),
          c.status,
          at,
          ANSWERED_STATUSES,
          [...FINAL_STATUSES],
          c.language ?? null,
          c.mode ?? null,
        ],
      );
      await tx.query(
        'INSERT INTO call_status_history (call_id, status, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [callId, c.status, at],
      );
    } else {
      await tx.query(
        `UPDATE calls SET twilio_call_sid = COALESCE(twilio_call_sid, $2), phone_number = COALESCE(phone_number, $3),
           gym_name = COALESCE(gym_name, $4), language = COALESCE(language, $5), updated_at = now() WHERE id = $1`,
        [
          callId,
          c.twilioCallSid == null ? null : cleanText(c.twilioCallSid),
          c.phoneNumber === '' ? null : cleanText(c.phoneNumber),
          c.gymName === '' ? null : cleanText(c.gymName),
          c.language ?? null,
        ],
      );
    }
    const rec = await readCall(tx, callId);
    if (rec === undefined) throw new Error('call row missing after insert');
    return rec;
  });
}

/** Applies a patch in one transaction; undefined when there is no such call. Idempotent for a fixed `at`. */
async function applyPatch(
  pool: pg.Pool,
  callId: string,
  p: CallPatch,
  at: Date,
  onEnded: CallEndHook | undefined,
): Promise<CallRecord | undefined> {
  return withTx(pool, async (tx) => {
    const cur = await tx.query<{ status: string }>('SELECT status FROM calls WHERE id = $1 FOR UPDATE', [callId]);
    const current = cur.rows[0];
    if (current === undefined) return undefined;
    const status = p.status ?? null;
    if (status !== null || p.answeredBy != null)
      await tx.query(
        'INSERT INTO call_status_history (call_id, status, at, detail) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [
          callId,
          status ?? current.status,
          at,
          p.answeredBy == null ? null : JSON.stringify({ answeredBy: cleanText(p.answeredBy) }),
        ],
      );
    const sidGiven = p.twilioCallSid !== undefined;
    const endGiven = p.endedAt !== undefined;
    await tx.query(
      // A final status is final: a replayed (validly signed) webhook must not move a finished call back.
      `UPDATE calls SET
         status = CASE WHEN $2::text IS NOT NULL AND status_at <= $3 AND status <> ALL($5::text[]) THEN $2::text
                       ELSE status END,
         status_at = CASE WHEN $2::text IS NOT NULL THEN GREATEST(status_at, $3) ELSE status_at END,
         answered_at = CASE WHEN $2::text = ANY($4::text[]) THEN LEAST(COALESCE(answered_at, $3), $3)
                            ELSE answered_at END,
         ended_at = CASE WHEN $8::boolean THEN (CASE WHEN $9::timestamptz IS NULL
                                                       THEN (CASE WHEN status = ANY($5::text[]) THEN ended_at END)
                                                     ELSE COALESCE(ended_at, $9::timestamptz) END)
                         WHEN $2::text = ANY($5::text[]) THEN COALESCE(ended_at, $3)
                         ELSE ended_at END,
         twilio_call_sid = CASE WHEN $6::boolean THEN $7::text ELSE twilio_call_sid END,
         updated_at = now()
       WHERE id = $1`,
      [
        callId,
        status,
        at,
        ANSWERED_STATUSES,
        [...FINAL_STATUSES],
        sidGiven,
        p.twilioCallSid == null ? null : cleanText(p.twilioCallSid),
        endGiven,
        p.endedAt ?? null,
      ],
    );
    // A final status ends a call that never had a media stream (busy, no answer, failed, cancelled).
    if (p.endedAt != null || (status !== null && FINAL_STATUSES.has(status))) await onEnded?.(tx, callId);
    return readCall(tx, callId);
  });
}

export class PgCallStore implements CallStore {
  readonly #pool: pg.Pool;
  readonly #o: PgCallStoreOptions;
  /** Last record seen per call (bounded, oldest evicted): only for the outage fallback. */
  readonly #seen = new Map<string, CallRecord>();

  constructor(pool: pg.Pool, opts: PgCallStoreOptions = {}) {
    this.#pool = pool;
    this.#o = opts;
  }

  async create(c: NewCall): Promise<CallRecord> {
    const callId = c.callId ?? randomUUID();
    if (!usableKey(callId)) throw new AppError('VALIDATION_FAILED', 'call id must be 1-200 printable characters');
    if (!isCallStatus(c.status)) throw new AppError('VALIDATION_FAILED', 'unknown call status');
    const at = new Date();
    const attempts = Math.max(1, this.#o.createAttempts ?? 2);
    for (let i = 1; ; i++) {
      try {
        return this.#remember(await insertCall(this.#pool, callId, c, at));
      } catch (e) {
        // Twilio retried /twilio/voice and a concurrent request recorded this CallSid first: that record is the call.
        if ((e as { constraint?: unknown }).constraint === SID_KEY && c.twilioCallSid) {
          const other = await this.findBySid(c.twilioCallSid);
          if (other) return other;
        }
        if (!isRetryableDbError(e)) throw this.#unexpected(e, 'create');
        if (i >= attempts) {
          this.#o.log?.error({ err: describeDbError(e), callId }, 'call not recorded: database unreachable');
          throw new AppError('DB_UNAVAILABLE', 'the call could not be recorded: the database is unreachable', {
            cause: e,
          });
        }
        await new Promise((r) => setTimeout(r, this.#o.retryDelayMs ?? 100));
      }
    }
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    if (!usableKey(callId)) return undefined;
    return this.#read(
      () => readCall(this.#pool, callId),
      () => this.#seen.get(callId),
    );
  }

  async findBySid(sid: string): Promise<CallRecord | undefined> {
    if (!usableKey(sid)) return undefined;
    const cached = () => [...this.#seen.values()].find((r) => r.twilioCallSid === sid);
    return this.#read(() => readBySid(this.#pool, sid), cached);
  }

  async update(callId: string, patch: CallPatch): Promise<CallRecord | undefined> {
    if (!usableKey(callId)) return undefined;
    if (patch.status !== undefined && !isCallStatus(patch.status))
      throw new AppError('VALIDATION_FAILED', 'unknown call status');
    const at = new Date();
    try {
      const rec = await applyPatch(this.#pool, callId, patch, at, this.#o.onCallEnded);
      return rec === undefined ? undefined : this.#remember(rec);
    } catch (e) {
      if (!isRetryableDbError(e)) throw this.#unexpected(e, 'update');
      const known = this.#seen.get(callId);
      const queue = this.#o.queue;
      if (known === undefined || queue === undefined)
        throw new AppError('DB_UNAVAILABLE', 'the call could not be updated: the database is unreachable', {
          cause: e,
        });
      // Same op, same `at`: idempotent however often the queue retries it; the call's lane keeps its order.
      void queue.enqueue({
        lane: callId,
        kind: patch.status === undefined ? 'call' : 'status',
        run: async (pool) => void (await applyPatch(pool, callId, patch, at, this.#o.onCallEnded)),
      });
      this.#o.log?.warn({ callId, err: describeDbError(e) }, 'database unreachable: call update queued');
      return this.#remember({ ...known, ...keepFinal(known.status, patch), updatedAt: at });
    }
  }

  async claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean> {
    if (!usableKey(callId) || !usableKey(callSid) || !usableKey(streamSid)) return false;
    // One conditional UPDATE: of two replicas (or a replayed stream) exactly one matches the row.
    const r = await this.#pool.query(
      `UPDATE calls SET stream_sid = $3, stream_claimed_at = now(), updated_at = now()
        WHERE id = $1 AND twilio_call_sid = $2 AND stream_claimed_at IS NULL AND ended_at IS NULL
          AND status <> ALL($4::text[])`,
      [callId, callSid, streamSid, [...FINAL_STATUSES]],
    );
    return r.rowCount === 1;
  }

  async recordAmd(callId: string, callSid: string, answeredBy: string, detectionMs: number | null): Promise<boolean> {
    if (!usableKey(callId) || !usableKey(callSid)) return false;
    // The primary key of amd_results decides: of several copies of the callback, exactly one inserts. That insert
    // notifies the replicas in the same statement, so the replica running the call hears of exactly the verdicts
    // committed (src/telephony/call-events.ts); the payload names the call only.
    const r = await this.#pool.query(
      `WITH recorded AS (
         INSERT INTO amd_results (call_id, answered_by, detection_ms)
         SELECT id, $3, $4 FROM calls
          WHERE id = $1 AND twilio_call_sid = $2 AND ended_at IS NULL AND status <> ALL($5::text[])
         ON CONFLICT (call_id) DO NOTHING
         RETURNING call_id)
       SELECT pg_notify($6, $7 || call_id) FROM recorded`,
      [callId, callSid, cleanText(answeredBy), detectionMs, [...FINAL_STATUSES], CALL_EVENTS_CHANNEL, AMD_EVENT],
    );
    return r.rowCount === 1;
  }

  async settleWithoutStream(callId: string): Promise<boolean> {
    if (!usableKey(callId)) return false;
    const r = await this.#pool.query(
      'UPDATE calls SET stream_claimed_at = now(), updated_at = now() WHERE id = $1 AND stream_claimed_at IS NULL',
      [callId],
    );
    return r.rowCount === 1;
  }

  async #read(
    query: () => Promise<CallRecord | undefined>,
    cached: () => CallRecord | undefined,
  ): Promise<CallRecord | undefined> {
    try {
      const rec = await query();
      return rec === undefined ? undefined : this.#remember(rec);
    } catch (e) {
      if (!isRetryableDbError(e)) throw this.#unexpected(e, 'read');
      const seen = cached();
      if (seen !== undefined) return seen;
      // A 404 would be a lie: the call may well exist.
      throw new AppError('DB_UNAVAILABLE', 'call lookup failed: the database is unreachable', { cause: e });
    }
  }

  #remember(rec: CallRecord): CallRecord {
    this.#seen.delete(rec.callId);
    this.#seen.set(rec.callId, rec);
    if (this.#seen.size > MAX_CACHED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return rec;
  }

  #unexpected(e: unknown, what: string): unknown {
    if (isAppError(e)) return e;
    // Never the error's detail: it quotes row values (names, phone numbers).
    this.#o.log?.error({ err: describeDbError(e), what }, 'call store query failed');
    return new AppError('INTERNAL', `call ${what} failed`, { cause: e });
  }
}

/**
 * The dispatcher maps a thrown AppError to its catalogue status but adds no headers; a client told "database
 * unavailable" should also be told when to come back. Wrap the routes whose store may throw DB_UNAVAILABLE.
 */
export function withDbRetryAfter(routes: readonly Route[], retryAfterS = 5): Route[] {
  return routes.map((r) => ({
    ...r,
    handler: async (req, params) => {
      try {
        return await r.handler(req, params);
      } catch (e) {
        if (isAppError(e) && e.code === 'DB_UNAVAILABLE')
          return jsonError(503, 'DB_UNAVAILABLE', e.message, { 'retry-after': String(retryAfterS) });
        throw e;
      }
    },
  }));
}
