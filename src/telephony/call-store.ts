import { randomUUID } from 'node:crypto';
import type { CallDirection, CallMode } from '../../machines/events.js';
import type { ConversationBrief } from '../providers/llm/types.js';
import type { Language } from '../language/index.js';

// The call records the calls API and the Twilio webhooks read and write. The persistence engineer's repository
// implements CallStore over PostgreSQL; MemoryCallStore exists for tests and the simulator only.

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** Twilio's statuses after which a call is over; nothing moves a call out of them (db SQL uses the same set). */
export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);

export interface CallRecord {
  readonly callId: string;
  readonly direction: CallDirection;
  readonly phoneNumber: string;
  readonly gymName: string;
  /** The gym's row (a database store only; a gym is known by its E.164 number). */
  readonly gymId?: string | null | undefined;
  readonly twilioCallSid: string | null;
  readonly status: CallStatus;
  /** Twilio answering-machine detection result (human, machine_start, fax, unknown, ...). */
  readonly answeredBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly endedAt: Date | null;
  /** The language the call started in (src/language/); undefined for calls stored before there was one. */
  readonly language?: Language | undefined;
}

export interface NewCall {
  /** Chosen by the caller when it must exist before the record (admission slots are keyed by it). */
  readonly callId?: string;
  readonly direction: CallDirection;
  readonly phoneNumber: string;
  readonly gymName: string;
  readonly status: CallStatus;
  readonly twilioCallSid?: string | null;
  /** A planned call's brief (a campaign's follow-up): kept by this process's CallDirectory, not in the row. */
  readonly brief?: ConversationBrief | undefined;
  /** The language to hold the call in (the request's, the gym's, the campaign's or CALL_LANGUAGE). */
  readonly language?: Language | undefined;
  /** The gym of the number called (phone_numbers, migration 017): the call is its, whoever the caller is. */
  readonly gymId?: number | undefined;
  readonly mode?: CallMode | undefined;
}

export type CallPatch = Partial<Pick<CallRecord, 'twilioCallSid' | 'status' | 'answeredBy' | 'endedAt'>>;

export interface CallStore {
  create(call: NewCall): Promise<CallRecord>;
  get(callId: string): Promise<CallRecord | undefined>;
  findBySid(twilioCallSid: string): Promise<CallRecord | undefined>;
  /** Never moves a call out of a final status (a replayed webhook must not reopen a finished call). */
  update(callId: string, patch: CallPatch): Promise<CallRecord | undefined>;
  /**
   * Makes this media stream the owner of the call, once ever: only when the stored callSid is `callSid`, the call
   * has not ended and no stream owns it yet and nothing settled it. One conditional write, so of two streams (or
   * two replicas) exactly one wins. True when this stream won.
   */
  claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean>;
  /** Decides, once, that no media stream will ever own the call; true when this call to it decided it. */
  settleWithoutStream(callId: string): Promise<boolean>;
  /**
   * Records Twilio's answering-machine verdict for the call, once ever: only when the stored callSid is `callSid`
   * and the call has not ended. One conditional write, so of several copies (replicas, retries) exactly one wins.
   */
  recordAmd(callId: string, callSid: string, answeredBy: string, detectionMs: number | null): Promise<boolean>;
}

/** The patch without a status change when the call's status is final: final statuses are final. */
export function keepFinal(current: CallStatus, patch: CallPatch): CallPatch {
  if (!FINAL_STATUSES.has(current) || patch.status === undefined) return patch;
  const { status: _ignored, ...rest } = patch;
  return rest;
}

/** Order of a call's life; status callbacks can arrive out of order and must not move a call backwards. */
export function statusRank(s: CallStatus): number {
  return FINAL_STATUSES.has(s)
    ? 4
    : ({ queued: 0, initiated: 1, ringing: 2, 'in-progress': 3 } as const)[s as 'queued'];
}

export function isCallStatus(s: string): s is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(s);
}

export class MemoryCallStore implements CallStore {
  readonly #calls = new Map<string, CallRecord>();
  /** Per call: the stream that owns it, or null once settled without one. */
  readonly #streams = new Map<string, string | null>();
  /** callId → the first answering-machine verdict (recordAmd). */
  readonly #amd = new Map<string, string>();

  async create(c: NewCall): Promise<CallRecord> {
    const now = new Date();
    const rec: CallRecord = {
      callId: c.callId ?? randomUUID(),
      direction: c.direction,
      phoneNumber: c.phoneNumber,
      gymName: c.gymName,
      twilioCallSid: c.twilioCallSid ?? null,
      status: c.status,
      answeredBy: null,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      language: c.language,
    };
    this.#calls.set(rec.callId, rec);
    return rec;
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    return this.#calls.get(callId);
  }

  async findBySid(sid: string): Promise<CallRecord | undefined> {
    for (const c of this.#calls.values()) if (c.twilioCallSid === sid) return c;
    return undefined;
  }

  async update(callId: string, patch: CallPatch): Promise<CallRecord | undefined> {
    const cur = this.#calls.get(callId);
    if (cur === undefined) return undefined;
    const next: CallRecord = { ...cur, ...keepFinal(cur.status, patch), updatedAt: new Date() };
    this.#calls.set(callId, next);
    return next;
  }

  async claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean> {
    const cur = this.#calls.get(callId);
    if (cur === undefined || cur.twilioCallSid !== callSid || this.#streams.has(callId)) return false;
    if (FINAL_STATUSES.has(cur.status) || cur.endedAt !== null) return false;
    this.#streams.set(callId, streamSid);
    return true;
  }

  async settleWithoutStream(callId: string): Promise<boolean> {
    if (!this.#calls.has(callId) || this.#streams.has(callId)) return false;
    this.#streams.set(callId, null);
    return true;
  }

  async recordAmd(callId: string, callSid: string, answeredBy: string): Promise<boolean> {
    const cur = this.#calls.get(callId);
    if (cur === undefined || cur.twilioCallSid !== callSid || this.#amd.has(callId)) return false;
    if (FINAL_STATUSES.has(cur.status) || cur.endedAt !== null) return false;
    this.#amd.set(callId, answeredBy);
    return true;
  }
}
