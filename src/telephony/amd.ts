import { ANSWERED_BY } from '../../machines/events.js';
import type { HttpRequest, HttpResponse, Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { FINAL_STATUSES, type CallStore } from './call-store.js';
import { isAnsweredBy, type LiveCalls } from './live-calls.js';
import { formParams } from './signature.js';
import { AMD_PATH } from './twilio-rest.js';

// Twilio's asynchronous answering-machine detection (AMD=async): placeCall asks for MachineDetection=
// DetectMessageEnd with AsyncAmd=true, the call connects at once, and Twilio posts its verdict here a few seconds
// later (for a machine, at the end of its greeting). Every request is checked like the voice webhook: the
// dispatcher verifies X-Twilio-Signature over the public URL and form before this runs ('twilio-signature'); then the
// verdict must belong to a call of ours that is still live (its stored CallSid is this one, on our account), be one
// of Twilio's values, and be the first for the call (the store's once-only write: copies delivered to two replicas,
// or a replay, count once). Only then does the call's handler hear it, as the machine's AMD.RESULT: here at once
// when the call's stream runs in this process; otherwise the replica running it learns of it from the notification
// the store's write sends in the same statement (PgCallStore.recordAmd, call-events.ts) and reads it back.

export interface AmdRouteOptions {
  readonly store: Pick<CallStore, 'get' | 'update' | 'recordAmd'>;
  readonly liveCalls: LiveCalls;
  /** TWILIO_ACCOUNT_SID: callbacks of any other account are refused. */
  readonly accountSid: string | undefined;
  readonly log: Logger;
}

const SID = /^CA[0-9a-f]{32}$/;
const badRequest = (message: string): HttpResponse => ({
  status: 400,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { code: 'BAD_REQUEST', message } }),
});

export function amdRoutes(o: AmdRouteOptions): Route[] {
  return [{ method: 'POST', pattern: AMD_PATH, auth: 'twilio-signature', handler: (req) => amdResult(o, req) }];
}

async function amdResult(o: AmdRouteOptions, req: HttpRequest): Promise<HttpResponse> {
  const p = formParams(req.body);
  const callId = req.query.get('callId') ?? '';
  const callSid = p.CallSid ?? '';
  if (!SID.test(callSid) || callId === '') return badRequest('CallSid and the callId of the callback URL are required');
  if (!isAnsweredBy(p.AnsweredBy)) return badRequest(`AnsweredBy must be one of ${ANSWERED_BY.join(', ')}`);
  if (o.accountSid !== undefined && p.AccountSid !== o.accountSid) {
    o.log.warn({ callId }, 'AMD callback of another Twilio account; ignored');
    return { status: 204 };
  }
  const answeredBy = p.AnsweredBy;
  const call = await o.store.get(callId);
  if (
    call === undefined ||
    call.twilioCallSid !== callSid ||
    FINAL_STATUSES.has(call.status) ||
    call.endedAt !== null
  ) {
    o.log.warn({ callId, answeredBy }, 'AMD callback for an unknown, another or a finished call; ignored');
    return { status: 204 };
  }
  const ms = Number(p.MachineDetectionDuration);
  const detectionMs = Number.isInteger(ms) && ms >= 0 && ms < 600_000 ? ms : null;
  if (!(await o.store.recordAmd(callId, callSid, answeredBy, detectionMs))) {
    o.log.info({ callId, answeredBy }, 'AMD verdict already recorded (a copy or a replay); not delivered again');
    return { status: 204 };
  }
  await o.store.update(callId, { answeredBy });
  const where = o.liveCalls.deliver(callId, answeredBy);
  o.log.info({ callId, answeredBy, detectionMs, where }, 'answering-machine verdict');
  return { status: 204 };
}
