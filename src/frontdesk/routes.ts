import type pg from 'pg';
import { badArg, guarded, intParam, notFound, pageParams } from '../db/routes.js';
import { isResponse, parseBody } from '../gyms/routes.js';
import { errorResponse, json, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import {
  e164,
  getNumber,
  ourNumber,
  listMessages,
  listNumbers,
  numberSettingsSchema,
  removeNumber,
  setNumber,
} from './store.js';

// /v1/numbers: our Twilio numbers, the gym each answers for and its mode (interview or front desk) with the staff
// number transfers go to; /v1/messages: the messages front-desk callers left. Under the API token like all of /v1.

export interface DeskRoutesOptions {
  readonly pool: pg.Pool;
  readonly log?: Logger | undefined;
}

const SHAPE = '{"gym_id": 1, "mode": "interview"|"front-desk", "staff_number"?: "+15551230000"|null}';

const BAD_NUMBER = 'the number must be in E.164, such as +15551230000 (URL-encode the + as %2B)';

export function deskRoutes(o: DeskRoutesOptions): Route[] {
  const { pool, log } = o;
  return [
    {
      method: 'GET',
      pattern: '/v1/numbers',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const page = pageParams(req.query);
          if (typeof page === 'string') return badArg(page);
          return json(200, await listNumbers(pool, page));
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/numbers/:number',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const n = ourNumber(p.number);
          if (n === undefined) return badArg(BAD_NUMBER);
          const row = await getNumber(pool, n);
          return row ? json(200, row) : notFound('number');
        }),
    },
    {
      method: 'PUT',
      pattern: '/v1/numbers/:number',
      auth: 'api-token',
      handler: (req, p) =>
        guarded(log, async () => {
          const n = ourNumber(p.number);
          if (n === undefined) return badArg(BAD_NUMBER);
          const body = parseBody(req, numberSettingsSchema, SHAPE);
          if (isResponse(body)) return body;
          const raw = body.staff_number ?? null;
          const staff = raw === null ? null : e164(raw);
          if (raw !== null && staff === undefined)
            return errorResponse('VALIDATION_FAILED', `staff_number: "${raw}" is not a valid E.164 number`);
          if (staff === n) return errorResponse('VALIDATION_FAILED', 'staff_number: must not be the number itself');
          const r = await setNumber(pool, n, { gymId: body.gym_id, mode: body.mode, staffNumber: staff ?? null });
          if (!r.ok) return errorResponse('VALIDATION_FAILED', `gym_id: ${r.problem}`);
          log?.info({ mode: r.number.mode, gymId: r.number.gym_id }, 'phone number set');
          return json(r.created ? 201 : 200, r.number);
        }),
    },
    {
      method: 'DELETE',
      pattern: '/v1/numbers/:number',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const n = ourNumber(p.number);
          if (n === undefined) return badArg(BAD_NUMBER);
          return (await removeNumber(pool, n)) ? { status: 204 } : notFound('number');
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/messages',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const page = pageParams(req.query);
          if (typeof page === 'string') return badArg(page);
          const gymId = intParam(req.query, 'gym_id', -1, 1, Number.MAX_SAFE_INTEGER);
          if (typeof gymId === 'string') return badArg(gymId);
          return json(200, await listMessages(pool, { ...page, gymId: gymId > 0 ? gymId : undefined }));
        }),
    },
  ];
}
