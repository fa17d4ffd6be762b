import type { CallLedger, CallRecorder } from '../db/recorder.js';
import type { CallPatch, CallRecord, CallStore, NewCall } from '../telephony/call-store.js';

// The calls the telephony layer knows (placed through POST /v1/calls, answered on /twilio/voice, moved on by
// status callbacks), wrapped so that (a) every change is also written to the database through the recorder, as
// it happens, and (b) the call session can look a call up synchronously when its media stream starts (the gym
// name is not in the stream's parameters). Recent records are cached in memory, bounded.

const MAX_CACHED = 10_000;

export class CallDirectory implements CallStore {
  readonly #inner: CallStore;
  readonly #recorder: CallRecorder | undefined;
  readonly #cache = new Map<string, CallRecord>();
  readonly #ledgers = new Map<string, CallLedger>();

  constructor(inner: CallStore, recorder: CallRecorder | undefined) {
    this.#inner = inner;
    this.#recorder = recorder;
  }

  /** Synchronous lookup of a recently seen call (undefined if unknown or evicted). */
  peek(callId: string): CallRecord | undefined {
    return this.#cache.get(callId);
  }

  async create(call: NewCall): Promise<CallRecord> {
    const rec = await this.#inner.create(call);
    this.#remember(rec);
    const ledger = this.#recorder?.begin({
      callId: rec.callId,
      direction: rec.direction,
      gymName: rec.gymName || null,
      phoneNumber: rec.phoneNumber || null,
      twilioCallSid: rec.twilioCallSid,
      status: rec.status,
      at: rec.createdAt,
    });
    if (ledger) this.#ledgers.set(rec.callId, ledger);
    return rec;
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    const rec = await this.#inner.get(callId);
    if (rec) this.#remember(rec);
    return rec;
  }

  async findBySid(twilioCallSid: string): Promise<CallRecord | undefined> {
    const rec = await this.#inner.findBySid(twilioCallSid);
    if (rec) this.#remember(rec);
    return rec;
  }

  async update(callId: string, patch: CallPatch): Promise<CallRecord | undefined> {
    const before = this.#cache.get(callId);
    const rec = await this.#inner.update(callId, patch);
    if (!rec) return rec;
    this.#remember(rec);
    const ledger = this.#ledger(rec);
    if (ledger) {
      if (patch.twilioCallSid && patch.twilioCallSid !== before?.twilioCallSid) ledger.twilioSid(patch.twilioCallSid);
      if (patch.status && patch.status !== before?.status)
        ledger.status(patch.status, undefined, patch.answeredBy ? { answeredBy: patch.answeredBy } : undefined);
    }
    return rec;
  }

  claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean> {
    return this.#inner.claimStream(callId, callSid, streamSid);
  }

  settleWithoutStream(callId: string): Promise<boolean> {
    return this.#inner.settleWithoutStream(callId);
  }

  #ledger(rec: CallRecord): CallLedger | undefined {
    let l = this.#ledgers.get(rec.callId);
    if (!l && this.#recorder) {
      // Known to the store but not yet to this process's recorder (e.g. an inbound call created elsewhere).
      l = this.#recorder.begin({
        callId: rec.callId,
        direction: rec.direction,
        gymName: rec.gymName || null,
        phoneNumber: rec.phoneNumber || null,
        twilioCallSid: rec.twilioCallSid,
        status: rec.status,
        at: rec.createdAt,
      });
      this.#ledgers.set(rec.callId, l);
      this.#trim(this.#ledgers);
    }
    return l;
  }

  #remember(rec: CallRecord): void {
    this.#cache.delete(rec.callId);
    this.#cache.set(rec.callId, rec);
    this.#trim(this.#cache);
  }

  #trim<V>(m: Map<string, V>): void {
    while (m.size > MAX_CACHED) {
      const oldest = m.keys().next().value;
      if (oldest === undefined) break;
      m.delete(oldest);
    }
  }
}
