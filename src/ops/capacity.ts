import twilio from 'twilio';
import { jsonError, type HttpResponse } from '../http/types.js';
import type { CallDirection } from '../../machines/events.js';
import type { Metrics } from './metrics.js';

// Admission control for calls. A call takes a slot when it is admitted (inbound: the /twilio/voice webhook;
// outbound: POST /v1/calls) and gives it back when it ends. Beyond MAX_CONCURRENT_CALLS, or while draining,
// inbound callers hear a polite "busy" message and the API answers 503 with Retry-After. This module also owns
// the active-calls gauge, so the gauge and the admission count can never disagree.

export type DenyReason = 'at_capacity' | 'draining';
export type Admission = { ok: true } | { ok: false; reason: DenyReason };

export interface CapacityOptions {
  max: number;
  metrics?: Metrics;
  isDraining?: () => boolean;
  /**
   * An inbound call admitted by the webhook whose media stream never connects (caller hung up while ringing,
   * Twilio gave up) would hold its slot forever; unclaimed slots are released after this long. Default 30 s.
   */
  unclaimedTimeoutMs?: number;
}

interface Slot {
  direction: CallDirection;
  timer: NodeJS.Timeout | undefined;
}

export class CallCapacity {
  readonly max: number;
  private readonly slots = new Map<string, Slot>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly opts: CapacityOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError('max must be a positive integer');
    this.max = opts.max;
  }

  get active(): number {
    return this.slots.size;
  }

  /** Idempotent per callId: Twilio retries a webhook with the same CallSid, which must not take two slots. */
  tryAdmit(callId: string, direction: CallDirection): Admission {
    if (this.slots.has(callId)) return { ok: true };
    const reason: DenyReason | undefined = this.opts.isDraining?.()
      ? 'draining'
      : this.slots.size >= this.max
        ? 'at_capacity'
        : undefined;
    if (reason) {
      this.opts.metrics?.rejected(reason, direction === 'inbound' ? 'webhook' : 'api');
      return { ok: false, reason };
    }
    const timeoutMs = this.opts.unclaimedTimeoutMs ?? 30_000;
    const timer = setTimeout(() => this.release(callId, 'stream_never_connected'), timeoutMs);
    timer.unref();
    this.slots.set(callId, { direction, timer });
    this.opts.metrics?.callStarted(direction);
    return { ok: true };
  }

  /** The call's media stream connected: the slot is now held until release(). Returns false for unknown ids. */
  claim(callId: string): boolean {
    const slot = this.slots.get(callId);
    if (!slot) return false;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    return true;
  }

  /** Idempotent; `reason` is the call's end reason (label of gym_agent_calls_ended_total). */
  release(callId: string, reason: string): boolean {
    const slot = this.slots.get(callId);
    if (!slot) return false;
    clearTimeout(slot.timer);
    this.slots.delete(callId);
    this.opts.metrics?.callEnded(slot.direction, reason);
    if (this.slots.size === 0) {
      for (const wake of this.idleWaiters) wake();
      this.idleWaiters.clear();
    }
    return true;
  }

  /** Resolves when no call holds a slot (at once if none does). Used by the drain. */
  whenIdle(): Promise<void> {
    if (this.slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }
}

export const BUSY_MESSAGES: Record<DenyReason, string> = {
  at_capacity:
    'Hello, thanks for calling. All of our lines are busy right now. Please try again in a few minutes. Goodbye.',
  draining: "Hello, thanks for calling. We're restarting for a moment. Please call back in a minute. Goodbye.",
};

/** TwiML for an inbound call we cannot take: a short spoken apology, then hang up. */
export function busyTwiml(reason: DenyReason): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.say({ voice: 'Polly.Joanna', language: 'en-US' }, BUSY_MESSAGES[reason]);
  vr.hangup();
  return vr.toString();
}

/** The /twilio/voice answer when admission is denied: 200 so Twilio plays it instead of its error message. */
export function busyVoiceResponse(reason: DenyReason): HttpResponse {
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: busyTwiml(reason) };
}

/** The API answer when admission is denied: 503 + Retry-After (seconds). */
export function unavailableResponse(reason: DenyReason, retryAfterS = reason === 'draining' ? 60 : 30): HttpResponse {
  const code = reason === 'draining' ? 'DRAINING' : 'AT_CAPACITY';
  const message =
    reason === 'draining'
      ? 'server is shutting down; retry on another instance'
      : 'maximum number of concurrent calls reached';
  return jsonError(503, code, message, { 'retry-after': String(retryAfterS) });
}
