// A token bucket over one stream's inbound messages. Twilio sends 50 a second (one 20 ms audio frame each, plus a
// few marks and DTMF); a peer that keeps sending ten times that is not a Twilio stream, and handling its messages
// would take the event loop from every other call. A backlog after a network stall arrives as one burst, so the
// bucket holds 20 s of audio before it runs dry.

export interface BudgetPolicy {
  /** Messages that may arrive at once (the bucket's size). */
  readonly burst: number;
  /** Sustained messages per second (the refill rate). */
  readonly perSecond: number;
}

export const INBOUND_MEDIA_POLICY: BudgetPolicy = Object.freeze({ burst: 1000, perSecond: 500 });

export class MessageBudget {
  readonly policy: BudgetPolicy;
  #tokens: number;
  #atMs: number;

  constructor(policy: BudgetPolicy, nowMs: number) {
    if (!(policy.burst >= 1 && policy.perSecond > 0)) throw new TypeError('burst must be ≥ 1 and perSecond > 0');
    this.policy = policy;
    this.#tokens = policy.burst;
    this.#atMs = nowMs;
  }

  /** Spends one message at `nowMs` (a monotonic clock); false when the stream is over its budget. */
  take(nowMs: number): boolean {
    const refill = (Math.max(0, nowMs - this.#atMs) * this.policy.perSecond) / 1000;
    this.#tokens = Math.min(this.policy.burst, this.#tokens + refill);
    this.#atMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
