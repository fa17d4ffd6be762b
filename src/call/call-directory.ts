import type { ConversationBrief } from '../providers/llm/types.js';
import type { CallPatch, CallRecord, CallStore, NewCall } from '../telephony/call-store.js';
import type { CallVoices } from '../voices/brand.js';

// The calls the telephony layer knows (placed through POST /v1/calls, answered on /twilio/voice, moved on by
// status callbacks), wrapped so that the call session can look a call up synchronously when its media stream
// starts (the gym name is not in the stream's parameters). The store itself writes the call rows (src/db/
// call-store.ts). Recent records are cached in memory, bounded. A call another replica placed (Twilio's stream may
// land on any replica) is read from the database while its stream is claimed, with its brief, so the session finds
// both; the reads run alongside the claim, so the greeting waits for no extra round trip. The brand voices of every
// call's gym and campaign (src/voices/) are read the same way, for every direction and wherever the call was placed.

const MAX_CACHED = 10_000;
/** Longest the stream's start waits for the reads of a call placed elsewhere; slower: it asks every topic. */
const EXTRA_READ_MS = 300;

export interface CallDirectoryOptions {
  /** The brief a call was placed with, from the database (a campaign's attempt); undefined: none. */
  readonly briefOf?: ((callId: string) => Promise<ConversationBrief | undefined>) | undefined;
  /** The brand voices of a call's gym and campaign, from the database; undefined: none. */
  readonly voicesOf?: ((callId: string) => Promise<CallVoices | undefined>) | undefined;
}

/** What the session finds for a call when its stream starts. */
export type PeekedCall = CallRecord & {
  readonly brief?: ConversationBrief | undefined;
  readonly voices?: CallVoices | undefined;
};

export class CallDirectory implements CallStore {
  readonly #inner: CallStore;
  readonly #cache = new Map<string, CallRecord>();
  /** Briefs of the calls this process placed, for the session that takes the call's media stream. */
  readonly #briefs = new Map<string, ConversationBrief>();
  /** Brand voices of the calls whose streams this process claimed. */
  readonly #voices = new Map<string, CallVoices>();

  readonly #briefOf: CallDirectoryOptions['briefOf'];
  readonly #voicesOf: CallDirectoryOptions['voicesOf'];

  constructor(inner: CallStore, o: CallDirectoryOptions = {}) {
    this.#inner = inner;
    this.#briefOf = o.briefOf;
    this.#voicesOf = o.voicesOf;
  }

  /** Synchronous lookup of a recently seen call (undefined if unknown or evicted), with its brief and voices. */
  peek(callId: string): PeekedCall | undefined {
    const rec = this.#cache.get(callId);
    const brief = this.#briefs.get(callId);
    const voices = this.#voices.get(callId);
    if (rec === undefined || (brief === undefined && voices === undefined)) return rec;
    return { ...rec, ...(brief === undefined ? {} : { brief }), ...(voices === undefined ? {} : { voices }) };
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
    const reads = Promise.all([this.#readPlacedElsewhere(callId), this.#readVoices(callId)]);
    const won = await claim;
    if (!won) return won;
    const [, voices] = await reads;
    // Only for a record still cached (read just now for a call placed elsewhere): peek() answers with both.
    if (voices !== undefined && this.#cache.has(callId)) this.#voices.set(callId, voices);
    return won;
  }

  /** The call's brand voices, failing quietly and bounded like the reads below: without them, the configured voice. */
  async #readVoices(callId: string): Promise<CallVoices | undefined> {
    if (this.#voicesOf === undefined) return undefined;
    return bounded(this.#voicesOf(callId).catch(() => undefined));
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
    const [rec, brief] = (await bounded(reads)) ?? [];
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
      this.#voices.delete(oldest);
    }
    return rec;
  }
}

/** A read given at most EXTRA_READ_MS: later, the stream starts without it (undefined). */
async function bounded<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), EXTRA_READ_MS)));
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}
