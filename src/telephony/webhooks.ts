import type { CallMode } from '../../machines/events.js';
import type { HttpRequest, HttpResponse, Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { randomUUID } from 'node:crypto';
import { busyVoiceResponse } from '../ops/capacity.js';
import type { CallAdmission } from './admission.js';
import { FINAL_STATUSES, isCallStatus, statusRank, type CallRecord, type CallStore } from './call-store.js';
import { MEDIA_STREAM_PATH } from './server.js';
import { formParams, publicWsUrl } from './signature.js';
import { STREAM_TOKEN_PARAM, type StreamTokens } from './stream-token.js';
import { connectStreamTwiml, hangupTwiml } from './twiml.js';
import { DEFAULT_LANGUAGE, type Language } from '../language/index.js';
import { unheardTwiml, type UnheardAction } from './unheard.js';

// Twilio's webhooks. The server has already verified X-Twilio-Signature (auth: 'twilio-signature') before these
// run, so a forged request never reaches them.

export interface WebhookOptions {
  readonly store: CallStore;
  readonly admission: CallAdmission;
  readonly publicBaseUrl: string;
  /** Mints the token that binds the media stream to this call (stream-token.ts; the server verifies it). */
  readonly streamTokens: StreamTokens;
  readonly log: Logger;
  /** Called after a status callback changed a record (metrics, the call session's bookkeeping). */
  readonly onStatus?: ((call: CallRecord) => void) | undefined;
  /** Our number `to` (E.164) as phone_numbers sets it: its gym and mode (src/frontdesk/store.ts); none: unknown. */
  readonly numbers?: ((to: string) => Promise<CalledNumber | undefined>) | undefined;
  /** CALL_LANGUAGE: the language of a call whose number names none, and of the apology a caller we cannot take hears. */
  readonly language?: Language | undefined;
  /**
   * Whether the recogniser hears a language (src/language/support.ts). An inbound call in one it does not is not
   * held: the caller hears an apology and the staff's phone or the end of the call (unheard.ts). Unset: every one.
   */
  readonly hears?: ((language: Language) => boolean) | undefined;
  /** Such a call was turned away (metrics: language, mode and what was done; nothing of the caller). */
  readonly onUnheard?: ((language: Language, mode: CallMode, action: UnheardAction) => void) | undefined;
}

/** What a call to one of our numbers is for. */
export interface CalledNumber {
  readonly number: string;
  readonly gymId: number;
  readonly gymName: string;
  readonly mode: CallMode;
  /** The gym's language when it is one calls are held in (gyms.language): its own line speaks it. */
  readonly language?: Language | undefined;
  /** A front-desk number's staff number (E.164), where a caller asking for a person is put through. */
  readonly staffNumber?: string | undefined;
}

const xml = (body: string): HttpResponse => ({ status: 200, headers: { 'content-type': 'text/xml' }, body });

/** AMD results that mean nobody will talk to us. */
const MACHINE = /^(machine|fax)/;

export function twilioRoutes(o: WebhookOptions): Route[] {
  return [
    { method: 'POST', pattern: '/twilio/voice', auth: 'twilio-signature', handler: (req) => voice(o, req) },
    { method: 'POST', pattern: '/twilio/status', auth: 'twilio-signature', handler: (req) => status(o, req) },
  ];
}

async function findCall(o: WebhookOptions, req: HttpRequest, sid: string | undefined): Promise<CallRecord | undefined> {
  const callId = req.query.get('callId');
  if (callId !== null) return o.store.get(callId);
  return sid === undefined ? undefined : o.store.findBySid(sid);
}

async function voice(o: WebhookOptions, req: HttpRequest): Promise<HttpResponse> {
  const p = formParams(req.body);
  const outbound = (p.Direction ?? '').startsWith('outbound');
  const callSid = p.CallSid;
  if (callSid === undefined || callSid === '') {
    o.log.warn('voice webhook without a CallSid; hanging up');
    return xml(hangupTwiml());
  }
  let call = await findCall(o, req, callSid);
  if (call === undefined && (outbound || req.query.get('callId') !== null)) {
    o.log.warn({ callSid }, 'answered outbound call has no record; hanging up');
    return xml(hangupTwiml());
  }
  // A replayed webhook (validly signed, so it once came from Twilio) must not bring a finished call back, nor
  // give a call's stream to another Twilio call.
  if (call !== undefined && (FINAL_STATUSES.has(call.status) || (call.twilioCallSid ?? callSid) !== callSid)) {
    o.log.warn(
      { callId: call.callId, status: call.status },
      'voice webhook for a finished or another call; hanging up',
    );
    return xml(hangupTwiml());
  }
  // An inbound call (new, or its webhook posted again): the number called says what it is for and in which language.
  const inbound = call === undefined || call.direction === 'inbound';
  const called = inbound && p.To !== undefined ? await o.numbers?.(p.To) : undefined;
  // A front-desk call is its number's gym's: its callers are the public. An interview is the caller's, as any inbound
  // call: whoever rings an interview-mode number must not state its gym's facts (the front desk would repeat them to
  // its customers). The gym calling from its own phone is that gym anyway: gyms are keyed by their number.
  const desk = called?.mode === 'front-desk' ? called : undefined;
  // A new inbound call in a language the recogniser does not hear is never held in words nobody on our side
  // understands (a Spanish gym's line on the offline stack): an apology in its language, then the staff or goodbye.
  const language = call?.language ?? called?.language ?? o.language ?? DEFAULT_LANGUAGE;
  if (call === undefined && o.hears !== undefined && !o.hears(language)) {
    const mode = called?.mode ?? 'interview';
    const { twiml, action } = unheardTwiml(language, mode, desk?.staffNumber);
    // No caller's number and no called number in the log: the language, the mode and what was done.
    o.log.warn({ language, mode, action }, 'inbound call in a language the recogniser does not hear; not held');
    o.onUnheard?.(language, mode, action);
    return xml(twiml);
  }
  const callId = call?.callId ?? randomUUID();
  const admitted = o.admission.awaitStream(callId, call?.direction ?? 'inbound');
  if (!admitted.ok) {
    o.log.warn({ reason: admitted.reason, callId }, 'refusing call');
    if (call !== undefined) await o.store.update(call.callId, { status: 'canceled', endedAt: new Date() });
    return inbound ? busyVoiceResponse(admitted.reason, called?.language ?? o.language) : xml(hangupTwiml());
  }
  if (call === undefined) {
    call = await o.store.create({
      callId,
      direction: 'inbound',
      phoneNumber: p.From ?? '',
      gymName: desk?.gymName ?? '',
      status: 'in-progress',
      twilioCallSid: callSid,
      ...(called?.language === undefined ? {} : { language: called.language }),
      ...(called === undefined ? {} : { mode: called.mode }),
      ...(desk === undefined ? {} : { gymId: desk.gymId }),
    });
  } else {
    call =
      (await o.store.update(call.callId, {
        status: 'in-progress',
        twilioCallSid: callSid,
        ...(p.AnsweredBy ? { answeredBy: p.AnsweredBy } : {}),
      })) ?? call;
  }
  if (p.AnsweredBy !== undefined && MACHINE.test(p.AnsweredBy)) {
    o.log.info({ callId: call.callId, answeredBy: p.AnsweredBy }, 'answering machine; hanging up');
    o.admission.release(call.callId, 'machine');
    return xml(hangupTwiml());
  }
  // Parameters arrive in the stream's start message; the gym name is not personal data, the number stays out.
  // The token binds them, this CallSid and account to the stream (stream-gate.ts checks it at `start`).
  const parameters: Record<string, string> = { callId: call.callId, direction: call.direction };
  if (call.gymName !== '') parameters.gymName = call.gymName;
  if (called !== undefined) {
    parameters.mode = called.mode;
    parameters.called = called.number;
  }
  if (desk !== undefined) parameters.gymId = String(desk.gymId);
  if (call.language !== undefined) parameters.language = call.language;
  parameters[STREAM_TOKEN_PARAM] = o.streamTokens.mint({ callSid, accountSid: p.AccountSid ?? '', parameters });
  return xml(connectStreamTwiml(publicWsUrl(o.publicBaseUrl, MEDIA_STREAM_PATH), parameters));
}

async function status(o: WebhookOptions, req: HttpRequest): Promise<HttpResponse> {
  const p = formParams(req.body);
  const call = await findCall(o, req, p.CallSid);
  const s = p.CallStatus ?? '';
  if (call === undefined || !isCallStatus(s)) {
    o.log.warn({ callSid: p.CallSid, callStatus: s }, 'status callback for unknown call or status');
    return { status: 204 };
  }
  // Callbacks may arrive out of order; a call never moves backwards and a final status is final.
  if (statusRank(s) < statusRank(call.status) || FINAL_STATUSES.has(call.status)) {
    if (p.AnsweredBy && call.answeredBy === null) await o.store.update(call.callId, { answeredBy: p.AnsweredBy });
    return { status: 204 };
  }
  const updated = await o.store.update(call.callId, {
    status: s,
    ...(call.twilioCallSid === null && p.CallSid ? { twilioCallSid: p.CallSid } : {}),
    ...(p.AnsweredBy ? { answeredBy: p.AnsweredBy } : {}),
    ...(FINAL_STATUSES.has(s) ? { endedAt: new Date() } : {}),
  });
  if (FINAL_STATUSES.has(s)) o.admission.release(call.callId, s);
  if (updated !== undefined) o.onStatus?.(updated);
  return { status: 204 };
}
