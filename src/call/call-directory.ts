import type { ConversationBrief } from '../providers/llm/types.js';
import type { CallPatch, CallRecord, CallStore, NewCall } from '../telephony/call-store.js';

// The calls the telephony layer knows (placed through POST /v1/calls, answered on /twilio/voice, moved on by
// status callbacks), wrapped so that the call session can look a call up synchronously when its media stream
// starts (the gym name is not in the stream's parameters). The store itself writes the call rows (src/db/
// call-store.ts). Recent records are cached in memory, bounded.

const MAX_CACHED = 10_000;

export class CallDirectory implements CallStore {
  readonly #inner: CallStore;
  readonly #cache = new Map<string, CallRecord>();
  /** Briefs of the calls this process placed, for the session that takes the call's media stream. */
  readonly #briefs = new Map<string, ConversationBrief>();

  constructor(inner: CallStore) {
    this.#inner = inner;
  }

  /** Synchronous lookup of a recently seen call (undefined if unknown or evicted), with its brief if it has one. */
  peek(callId: string): (CallRecord & { readonly brief?: ConversationBrief | undefined }) | undefined {
    const rec = this.#cache.get(callId);
    const brief = this.#briefs.get(callId);
    return rec === undefined || brief === undefined ? rec : { ...rec, brief };
  }

  async create(call: NewCall): Promise<CallRecord> {
    const rec = await this.#inner.create(call);
    if (call.brief !== undefined) this.#briefs.set(rec.callId, call.brief);
    return this.#remember(rec);
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    return this.#remember(await this.#inner.get(callId));
  }

  async findBySid(twilioCallSid: string): Promise<CallRecord | undefined> {
    return this.#remember(await this.#inner.findBySid(twilioCallSid));
  }

  async update(callId: string, patch: CallPatch): Promise<CallRecord | undefined> {
    return this.#remember(await this.#inner.update(callId, patch));
  }

  claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean> {
    return this.#inner.claimStream(callId, callSid, streamSid);
  }

  settleWithoutStream(callId: string): Promise<boolean> {
    return this.#inner.settleWithoutStream(callId);
  }

  recordAmd(callId: string, callSid: string, answeredBy: string, detectionMs: number | null): Promise<boolean> {
    return this.#inner.recordAmd(callId, callSid, answeredBy, detectionMs);
  }

  #remember<R extends CallRecord | undefined>(rec: R): R {
    if (rec === undefined) return rec;
    this.#cache.delete(rec.callId);
    this.#cache.set(rec.callId, rec);
    while (this.#cache.size > MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
      this.#briefs.delete(oldest);
    }
    return rec;
  }
}
