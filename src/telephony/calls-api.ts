import { z } from 'zod';
import { AppError } from '../errors.js';
import { errorResponse, json, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { randomUUID } from 'node:crypto';
import { unavailableResponse } from '../ops/capacity.js';
import type { CallAdmission } from './admission.js';
import { isCallStatus, type CallStore } from './call-store.js';
import { checkDestination, type DestinationPolicy } from './destination.js';

// The outbound-calls API of the original system: POST /v1/calls places a call (GET /v1/calls/:id is the
// database's read API, src/db/routes.ts). Bearer auth, JSON-only bodies and rate limiting are applied by the
// HTTP stack (src/http) for every 'api-token' route.

export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * C0 and C1 controls, and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a name
 * display as something else in the review page, exports and logs ("Trojan Source"). Rejected, not stripped: the
 * client learns its input was not what it looked like.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const createBody = z.object({
  phone_number: z.string().regex(E164, 'must be an E.164 number such as +12015550123'),
  gym_name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((s) => !CONTROL_OR_BIDI.test(s), 'must not contain control characters or bidirectional overrides'),
});

/** What placing a call needs; TwilioRest implements it. */
export interface CallPlacer {
  placeCall(to: string, callId: string): Promise<{ sid: string; status: string }>;
}

export interface CallsApiOptions {
  readonly store: CallStore;
  readonly placer: CallPlacer | undefined;
  readonly admission: CallAdmission;
  /** CALL_ALLOWED_REGIONS and CALL_ALLOWED_NUMBER_TYPES. */
  readonly destinations: DestinationPolicy;
  readonly log: Logger;
}

export function callsRoutes(o: CallsApiOptions): Route[] {
  return [{ method: 'POST', pattern: '/v1/calls', auth: 'api-token', handler: (req) => create(o, req) }];
}

async function create(o: CallsApiOptions, req: HttpRequest): Promise<HttpResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(req.body.toString('utf8'));
  } catch {
    return errorResponse('VALIDATION_FAILED', 'body must be a JSON object: {"phone_number", "gym_name"}');
  }
  const parsed = createBody.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return errorResponse('VALIDATION_FAILED', msg);
  }
  const destination = checkDestination(parsed.data.phone_number, o.destinations);
  if (!destination.ok) return errorResponse('DESTINATION_NOT_ALLOWED', `phone_number ${destination.message}`);
  // Not retryable: nothing changes until the operator sets these and restarts.
  if (o.placer === undefined)
    return errorResponse(
      'TELEPHONY_NOT_CONFIGURED',
      'this server cannot place calls: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and PUBLIC_BASE_URL',
    );
  const callId = randomUUID();
  const admitted = o.admission.tryAdmit(callId, 'outbound');
  if (!admitted.ok) return unavailableResponse(admitted.reason);
  const { phone_number, gym_name } = parsed.data;
  let rec: Awaited<ReturnType<CallsApiOptions['store']['create']>>;
  try {
    rec = await o.store.create({
      callId,
      direction: 'outbound',
      phoneNumber: phone_number,
      gymName: gym_name,
      status: 'queued',
    });
  } catch (e) {
    // Nothing was placed: give the slot back at once instead of holding it until the stream timeout.
    o.admission.release(callId, 'failed');
    throw e;
  }
  let placed: { sid: string; status: string };
  try {
    placed = await o.placer.placeCall(phone_number, rec.callId);
  } catch (e) {
    o.admission.release(callId, 'failed');
    await o.store.update(rec.callId, { status: 'failed', endedAt: new Date() });
    o.log.error({ err: e, callId: rec.callId }, 'placing the call failed');
    throw e instanceof AppError ? e : new AppError('PROVIDER_FAILED', 'placing the call failed', { cause: e });
  }
  // A status callback may already have moved the record on; keep the later status.
  const cur = await o.store.get(rec.callId);
  const status =
    cur !== undefined && cur.status !== 'queued' ? cur.status : isCallStatus(placed.status) ? placed.status : 'queued';
  await o.store.update(rec.callId, { twilioCallSid: placed.sid, status });
  o.log.info({ callId: rec.callId }, 'outbound call placed');
  return json(201, { call_id: rec.callId, twilio_call_sid: placed.sid, status });
}
