import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConversationBrief } from '../providers/llm/types.js';
import type { DenyReason } from '../ops/capacity.js';
import type { CallAdmission } from './admission.js';
import { isCallStatus, type CallStatus, type CallStore } from './call-store.js';
import { checkDestination, type DestinationPolicy } from './destination.js';
import { DEFAULT_LANGUAGE, type Language } from '../language/index.js';

// Placing one outbound call: the one path POST /v1/calls (calls-api.ts) and the campaign engine
// (src/campaigns/engine.ts) share. Destination rules, a slot of this process's MAX_CONCURRENT_CALLS, the call's
// record committed before Twilio is asked (a status callback must find it), then the placement itself.

/** What placing a call needs; TwilioRest implements it. */
export interface CallPlacer {
  placeCall(to: string, callId: string): Promise<{ sid: string; status: string }>;
}

export interface OutboundDeps {
  readonly store: CallStore;
  readonly placer: CallPlacer | undefined;
  readonly admission: CallAdmission;
  /** CALL_ALLOWED_REGIONS and CALL_ALLOWED_NUMBER_TYPES. */
  readonly destinations: DestinationPolicy;
  /**
   * Is the number on the do-not-call list (src/compliance/suppressions.ts)? A listed number is never dialled. The
   * server always passes it (main.ts); only tests of the calling path without a database leave it out.
   */
  readonly suppressed?: ((e164: string) => Promise<boolean>) | undefined;
  /** CALL_LANGUAGE: the language of a call whose request names none; default English. */
  readonly language?: Language | undefined;
  /**
   * Whether this server's recogniser can hear the language (src/language/support.ts); a call in one it cannot is
   * refused rather than held in words nobody understands. Default: every language.
   */
  readonly hears?: ((language: Language) => boolean) | undefined;
  readonly log: Logger;
}

export interface OutboundRequest {
  /** E.164; checked against the destination rules here. */
  readonly phoneNumber: string;
  readonly gymName: string;
  /** Chosen by the caller when it must be known first (the campaign engine records it before dialling). */
  readonly callId?: string;
  /**
   * Last word before Twilio is asked, with the record committed: false = do not place (a campaign whose claim on the
   * gym was lost meanwhile). The record is then closed as `canceled`.
   */
  readonly beforePlace?: (callId: string) => Promise<boolean>;
  /** What the call asks and confirms (a campaign's follow-up); none: every topic. */
  readonly brief?: ConversationBrief | undefined;
  /** The language to hold the call in (the gym's or the campaign's); none: OutboundDeps.language. */
  readonly language?: Language | undefined;
}

export type OutboundResult =
  | { readonly ok: true; readonly callId: string; readonly sid: string; readonly status: CallStatus }
  | { readonly ok: false; readonly reason: 'destination'; readonly message: string }
  | { readonly ok: false; readonly reason: 'suppressed' }
  | { readonly ok: false; readonly reason: 'not-configured' }
  | { readonly ok: false; readonly reason: 'language'; readonly language: Language }
  | { readonly ok: false; readonly reason: DenyReason }
  | { readonly ok: false; readonly reason: 'withdrawn'; readonly callId: string };

/** Places the call. Throws (AppError PROVIDER_FAILED) when Twilio refuses it; the record is then `failed` and ended. */
export async function placeOutbound(o: OutboundDeps, req: OutboundRequest): Promise<OutboundResult> {
  const destination = checkDestination(req.phoneNumber, o.destinations);
  if (!destination.ok) return { ok: false, reason: 'destination', message: destination.message };
  if (o.suppressed !== undefined && (await o.suppressed(req.phoneNumber))) return { ok: false, reason: 'suppressed' };
  // Not retryable: nothing changes until the operator sets the Twilio settings and restarts.
  if (o.placer === undefined) return { ok: false, reason: 'not-configured' };
  const language = req.language ?? o.language ?? DEFAULT_LANGUAGE;
  if (o.hears !== undefined && !o.hears(language)) return { ok: false, reason: 'language', language };
  const callId = req.callId ?? randomUUID();
  const admitted = o.admission.tryAdmit(callId, 'outbound');
  if (!admitted.ok) return { ok: false, reason: admitted.reason };
  try {
    await o.store.create({
      callId,
      direction: 'outbound',
      phoneNumber: req.phoneNumber,
      gymName: req.gymName,
      status: 'queued',
      brief: req.brief,
      language,
    });
  } catch (e) {
    // Nothing was placed: give the slot back at once instead of holding it until the stream timeout.
    o.admission.release(callId, 'failed');
    throw e;
  }
  if (req.beforePlace !== undefined && !(await req.beforePlace(callId).catch(() => false))) {
    o.admission.release(callId, 'failed');
    await o.store.update(callId, { status: 'canceled', endedAt: new Date() });
    return { ok: false, reason: 'withdrawn', callId };
  }
  let placed: { sid: string; status: string };
  try {
    placed = await o.placer.placeCall(req.phoneNumber, callId);
  } catch (e) {
    o.admission.release(callId, 'failed');
    await o.store.update(callId, { status: 'failed', endedAt: new Date() });
    o.log.error({ err: e, callId }, 'placing the call failed');
    throw e instanceof AppError ? e : new AppError('PROVIDER_FAILED', 'placing the call failed', { cause: e });
  }
  // A status callback may already have moved the record on; keep the later status.
  const cur = await o.store.get(callId);
  const status =
    cur !== undefined && cur.status !== 'queued' ? cur.status : isCallStatus(placed.status) ? placed.status : 'queued';
  await o.store.update(callId, { twilioCallSid: placed.sid, status });
  o.log.info({ callId }, 'outbound call placed');
  return { ok: true, callId, sid: placed.sid, status };
}
