import twilio from 'twilio';
import { jsonError, type HttpResponse } from '../http/types.js';
import type { CallDirection } from '../../machines/events.js';
import type { Metrics } from './metrics.js';
import type { Language } from '../language/index.js';

// Admission control for calls. A call takes a slot when it is admitted (inbound: the /twilio/voice webhook;
// outbound: POST /v1/calls) and gives it back, exactly once, when it ends. Beyond MAX_CONCURRENT_CALLS, or while
// draining, inbound callers hear a polite "busy" message and the API answers 503 with Retry-After. Only admitted
// calls ever hold a slot: a media stream can claim the slot of its call, never create one for itself (except the
// slot of a call another replica admitted: `adopt`). This module also owns the started/ended counters and the
// active-calls gauge, counted once per call across replicas: by the replica whose stream owns the call, or, for a
// call no stream ever owned, by the replica that settled it (`settleWithoutStream`).

export type DenyReason = 'at_capacity' | 'draining';
export type Admission = { ok: true } | { ok: false; reason: DenyReason };
/** claim(): the slot is now this stream's; the call already has a stream; this process never admitted the call. */
export type Claim = 'claimed' | 'busy' | 'unknown';

export interface CapacityOptions {
  max: number;
  metrics?: Metrics;
  isDraining?: () => boolean;
  /**
   * How long an admitted call waits for its media stream after the voice webhook answered (a caller who hung up
   * while it rang, Twilio giving up) before its slot is released as `stream_never_connected`. Default 30 s.
   */
  unclaimedTimeoutMs?: number;
  /** The same for an outbound call placed by the API, which rings (and may meet a voicemail check) first. Default 120 s. */
  ringingTimeoutMs?: number;
  /**
   * Decides, once across every replica on the database, that no media stream will own this call (the call store's
   * conditional UPDATE); true when this process decided it. Absent: this process is the only one.
   */
  settleWithoutStream?: (callId: string) => Promise<boolean>;
}

/** reserved: admitted, waiting for its stream; claiming: a stream is proving it owns the call; live: it does. */
type SlotState = 'reserved' | 'claiming' | 'live';

interface Slot {
  direction: CallDirection;
  state: SlotState;
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

  /** The calls holding a slot here (their leases are renewed while they do: src/db/call-leases.ts). */
  callIds(): string[] {
    return [...this.slots.keys()];
  }

  /**
   * Idempotent per callId: Twilio retries a webhook with the same CallSid, which must not take two slots. An
   * outbound call (POST /v1/calls) waits for its answer first, an inbound one for its stream.
   */
  tryAdmit(callId: string, direction: CallDirection): Admission {
    return this.reserve(callId, direction, false);
  }

  /** The voice webhook answered with a stream (the call may have been admitted before): it has this long to come. */
  awaitStream(callId: string, direction: CallDirection): Admission {
    return this.reserve(callId, direction, true);
  }

  /** A media stream of this call started: it may take the slot only if no other stream has. */
  claim(callId: string): Claim {
    const slot = this.slots.get(callId);
    if (!slot) return 'unknown';
    if (slot.state !== 'reserved') return 'busy';
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.state = 'claiming';
    return 'claimed';
  }

  /** A stream of a call another replica admitted (claim() said 'unknown') reached this one: it needs a slot here. */
  adopt(callId: string, direction: CallDirection): Admission {
    const reason = this.denial(direction);
    if (reason) return { ok: false, reason };
    this.slots.set(callId, { direction, state: 'claiming', timer: undefined });
    return { ok: true };
  }

  /** The claiming stream owns the call (it won the store's conditional claim): count the call as started here. */
  confirm(callId: string): boolean {
    const slot = this.slots.get(callId);
    if (slot?.state !== 'claiming') return false;
    slot.state = 'live';
    this.opts.metrics?.callStarted(slot.direction);
    return true;
  }

  /** The claiming stream lost (another stream or replica owns the call, or it is over): free the slot, count nothing. */
  abandon(callId: string): void {
    if (this.slots.get(callId)?.state === 'claiming') this.free(callId);
  }

  /**
   * Idempotent; `reason` is the call's end reason (label of gym_agent_calls_ended_total). A live call is counted
   * as ended here; a call that never had a stream is counted (started and ended) only by the replica that settles it.
   */
  release(callId: string, reason: string): boolean {
    const slot = this.slots.get(callId);
    if (!slot) return false;
    this.free(callId);
    const metrics = this.opts.metrics;
    if (slot.state === 'live') metrics?.callEnded(slot.direction, reason);
    else if (slot.state === 'reserved') {
      const count = (won: boolean) => {
        if (!won) return;
        metrics?.callStarted(slot.direction);
        metrics?.callEnded(slot.direction, reason);
      };
      const settle = this.opts.settleWithoutStream;
      // A store that cannot answer (database down) leaves this process as the best judge: count it here.
      if (settle === undefined) count(true);
      else settle(callId).then(count, () => count(true));
    }
    return true;
  }

  /** Resolves when no call holds a slot (at once if none does). Used by the drain. */
  whenIdle(): Promise<void> {
    if (this.slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  private reserve(callId: string, direction: CallDirection, answered: boolean): Admission {
    const streamWait = this.opts.unclaimedTimeoutMs ?? 30_000;
    const slot = this.slots.get(callId);
    if (slot !== undefined) {
      if (answered && slot.state === 'reserved') this.arm(callId, slot, streamWait);
      return { ok: true };
    }
    const reason = this.denial(direction);
    if (reason) return { ok: false, reason };
    const fresh: Slot = { direction, state: 'reserved', timer: undefined };
    this.slots.set(callId, fresh);
    const ringing = direction === 'outbound' && !answered;
    this.arm(callId, fresh, ringing ? (this.opts.ringingTimeoutMs ?? 120_000) : streamWait);
    return { ok: true };
  }

  private denial(direction: CallDirection): DenyReason | undefined {
    const reason: DenyReason | undefined = this.opts.isDraining?.()
      ? 'draining'
      : this.slots.size >= this.max
        ? 'at_capacity'
        : undefined;
    if (reason) this.opts.metrics?.rejected(reason, direction === 'inbound' ? 'webhook' : 'api');
    return reason;
  }

  private arm(callId: string, slot: Slot, ms: number): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.release(callId, 'stream_never_connected'), ms);
    slot.timer.unref();
  }

  private free(callId: string): void {
    clearTimeout(this.slots.get(callId)?.timer);
    this.slots.delete(callId);
    if (this.slots.size === 0) {
      for (const wake of this.idleWaiters) wake();
      this.idleWaiters.clear();
    }
  }
}

/** What a caller we cannot take hears, in the language of calls without one of their own (CALL_LANGUAGE). */
export const BUSY_MESSAGES: Readonly<Record<Language, Record<DenyReason, string>>> = {
  en: {
    at_capacity:
      'Hello, thanks for calling. All of our lines are busy right now. Please try again in a few minutes. Goodbye.',
    draining: "Hello, thanks for calling. We're restarting for a moment. Please call back in a minute. Goodbye.",
  },
  es: {
    at_capacity:
      'Hola, gracias por llamar. Todas nuestras líneas están ocupadas. Por favor, llame de nuevo en unos minutos. Adiós.',
    draining:
      'Hola, gracias por llamar. Estamos reiniciando un momento. Por favor, llame de nuevo en un minuto. Adiós.',
  },
};
// Twilio's <Say> voices (Amazon Polly) for each language.
const BUSY_VOICES = {
  en: { voice: 'Polly.Joanna', language: 'en-US' },
  es: { voice: 'Polly.Mia', language: 'es-MX' },
} as const;

/** TwiML for an inbound call we cannot take: a short spoken apology, then hang up. */
export function busyTwiml(reason: DenyReason, language: Language = 'en'): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.say(BUSY_VOICES[language], BUSY_MESSAGES[language][reason]);
  vr.hangup();
  return vr.toString();
}

/** The /twilio/voice answer when admission is denied: 200 so Twilio plays it instead of its error message. */
export function busyVoiceResponse(reason: DenyReason, language: Language = 'en'): HttpResponse {
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: busyTwiml(reason, language) };
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
