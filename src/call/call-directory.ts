import type { ConversationBrief } from '../providers/llm/types.js';
import type { CallPatch, CallRecord, CallStore, NewCall } from '../telephony/call-store.js';

// The calls the telephony layer knows (placed through POST /v1/calls, answered on /twilio/voice, moved on by
// status callbacks), wrapped so that the call session can look a call up synchronously when its media stream
// starts (the gym name is not in the stream's parameters). The store itself writes the call rows (src/db/
// call-store.ts). Recent records are cached in memory, bounded. A call another replica placed (Twilio's stream may
// land on any replica) is read from the database while its stream is claimed, with its brief, so the session finds
// both; the reads run alongside the claim, so the greeting waits for no extra round trip.

const MAX_CACHED = 10_000;
/** Longest the stream's start waits for the reads of a call placed elsewhere; slower: it asks every topic. */
const EXTRA_READ_MS = 300;

export interface CallDirectoryOptions {
  /** The brief a call was placed with, from the database (a campaign's attempt); undefined: none. */
  readonly briefOf?: ((callId: string) => Promise<ConversationBrief | undefined>) | undefined;
}

export class CallDirectory implements CallStore {
  readonly #inner: CallStore;
  readonly #cache = new Map<string, CallRecord>();
  /** Briefs of the calls this process placed, for the session that takes the call's media stream. */
  readonly #briefs = new Map<string, ConversationBrief>();

  readonly #briefOf: CallDirectoryOptions['briefOf'];

  constructor(inner: CallStore, o: CallDirectoryOptions = {}) {
    this.#inner = inner;
    this.#briefOf = o.briefOf;
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

  async claimStream(callId: string, callSid: string, streamSid: string): Promise<boolean> {
    const claim = this.#inner.claimStream(callId, callSid, streamSid);
    const reads = this.#readPlacedElsewhere(callId);
    const won = await claim;
    if (won) await reads;
    return won;
  }

  /**
   * The record (when not cached) and the brief (when this process holds none) of an outbound call, each read failing
   * quietly: without them the call goes on as it would have (gym name from the stream, every topic asked).
   */
  async #readPlacedElsewhere(callId: string): Promise<void> {
    const cached = this.#cache.get(callId);
    if (cached?.direction === 'inbound' || this.#briefs.has(callId)) return;
    const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
    const reads = Promise.all([
      cached === undefined ? quiet(this.get(callId)) : cached,
      this.#briefOf === undefined ? undefined : quiet(this.#briefOf(callId)),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), EXTRA_READ_MS)));
    const got = await Promise.race([reads, late]).finally(() => clearTimeout(timer));
    const [rec, brief] = got ?? [];
    // Only for a record still cached: peek() answers with both, and eviction drops both.
    if (rec !== undefined && brief !== undefined && this.#cache.has(callId)) this.#briefs.set(callId, brief);
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
