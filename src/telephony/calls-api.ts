import { z } from 'zod';
import { AppError } from '../errors.js';
import { json, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { randomUUID } from 'node:crypto';
import { unavailableResponse } from '../ops/capacity.js';
import type { CallAdmission } from './admission.js';
import { isCallStatus, type CallRecord, type CallStore } from './call-store.js';
import { errorResponse } from './http-dispatch.js';

// The outbound-calls API of the original system: POST /v1/calls places a call, GET /v1/calls/:id reads it back.
// Bearer auth and rate limiting are applied by the server for every 'api-token' route.

export const E164 = /^\+[1-9]\d{6,14}$/;

const createBody = z.object({
  phone_number: z.string().regex(E164, 'must be an E.164 number such as +15551234567'),
  gym_name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

/** What placing a call needs; TwilioRest implements it. */
export interface CallPlacer {
  placeCall(to: string, callId: string): Promise<{ sid: string; status: string }>;
}

export interface CallsApiOptions {
  readonly store: CallStore;
  readonly placer: CallPlacer | undefined;
  readonly admission: CallAdmission;
  readonly log: Logger;
}

export function callsRoutes(o: CallsApiOptions): Route[] {
  return [
    { method: 'POST', pattern: '/v1/calls', auth: 'api-token', handler: (req) => create(o, req) },
    { method: 'GET', pattern: '/v1/calls/:id', auth: 'api-token', handler: (_req, p) => read(o, p.id ?? '') },
  ];
}

export function callView(c: CallRecord) {
  return {
    call_id: c.callId,
    twilio_call_sid: c.twilioCallSid,
    status: c.status,
    direction: c.direction,
    phone_number: c.phoneNumber,
    gym_name: c.gymName,
    answered_by: c.answeredBy,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    ended_at: c.endedAt === null ? null : c.endedAt.toISOString(),
  };
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
  if (o.placer === undefined)
    return errorResponse(
      'PROVIDER_FAILED',
      'outbound calls need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and PUBLIC_BASE_URL',
      503,
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

async function read(o: CallsApiOptions, id: string): Promise<HttpResponse> {
  const c = await o.store.get(id);
  if (c === undefined) return errorResponse('NOT_FOUND', 'no call with that id');
  return json(200, callView(c));
}
