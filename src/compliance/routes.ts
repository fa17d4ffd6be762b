import type pg from 'pg';
import { z } from 'zod';
import { badArg, guarded, notFound, pageParams } from '../db/routes.js';
import { isResponse, parseBody } from '../gyms/routes.js';
import { errorResponse, json, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { CONTROL_OR_BIDI } from '../telephony/calls-api.js';
import { isRegion } from '../telephony/destination.js';
import {
  addSuppression,
  getSuppression,
  importSuppressions,
  listSuppressions,
  removeSuppression,
  suppressionNumber,
} from './suppressions.js';

// /v1/suppressions: the do-not-call list. GET lists it (or one number), POST adds a number or imports a file's
// numbers, DELETE lifts one. Under the API token. Numbers may be written nationally with a region ("region": "US").

export interface SuppressionRoutesOptions {
  readonly pool: pg.Pool;
  readonly now?: () => Date;
  readonly log?: Logger;
}

const region = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine(isRegion, 'must be an ISO 3166 region code such as US or GB')
  .default('US');
// Plain text: `gym-agent suppressions list` prints it to an operator's terminal, where escape sequences would act.
const reason = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((s) => !CONTROL_OR_BIDI.test(s), 'must not contain control characters or bidirectional overrides')
  .optional();

const addBody = z.union([
  z.object({ phone: z.string().min(1).max(40), reason, region }).strict(),
  z
    .object({
      format: z.enum(['csv', 'json', 'text']),
      content: z.string().min(1, 'must not be empty'),
      reason,
      region,
    })
    .strict(),
]);
const removeBody = z.object({ reason, region }).strict();
const ADD_SHAPE =
  '{"phone": "+12015550123", "reason"?} or {"format": "csv"|"json"|"text", "content": "...", "reason"?}';

export function suppressionRoutes(o: SuppressionRoutesOptions): Route[] {
  const { pool, log } = o;
  const now = o.now ?? (() => new Date());
  return [
    {
      method: 'GET',
      pattern: '/v1/suppressions',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const page = pageParams(req.query);
          if (typeof page === 'string') return badArg(page);
          return json(200, await listSuppressions(pool, page));
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/suppressions/:phone',
      auth: 'api-token',
      handler: (req, p) =>
        guarded(log, async () => {
          const r = region.safeParse(req.query.get('region') ?? undefined);
          if (!r.success) return badArg('region must be an ISO 3166 region code such as US or GB');
          const phone = suppressionNumber(p.phone ?? '', r.data);
          if (phone === undefined) return badArg('not a valid phone number');
          const s = await getSuppression(pool, phone);
          return s ? json(200, s) : notFound('suppression');
        }),
    },
    {
      method: 'POST',
      pattern: '/v1/suppressions',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const body = parseBody(req, addBody, ADD_SHAPE);
          if (isResponse(body)) return body;
          if ('content' in body) {
            const r = await importSuppressions(pool, body.content, {
              format: body.format,
              region: body.region,
              reason: body.reason,
              now,
            });
            if (!r.ok) return errorResponse('VALIDATION_FAILED', r.message);
            log?.info({ added: r.added, rejected: r.rejected }, 'suppressions imported');
            return json(200, r);
          }
          const phone = suppressionNumber(body.phone, body.region);
          if (phone === undefined)
            return errorResponse('VALIDATION_FAILED', `phone: not a valid number in region ${body.region}`);
          const added = await addSuppression(pool, { phone, source: 'operator', reason: body.reason, at: now() });
          return json(added ? 201 : 200, { ...(await getSuppression(pool, phone)), added });
        }),
    },
    {
      method: 'DELETE',
      pattern: '/v1/suppressions/:phone',
      auth: 'api-token',
      handler: (req, p) =>
        guarded(log, async () => {
          const body =
            req.body.length === 0
              ? { region: 'US' as const, reason: undefined }
              : parseBody(req, removeBody, '{"reason"?, "region"?}');
          if (isResponse(body)) return body;
          const phone = suppressionNumber(p.phone ?? '', body.region);
          if (phone === undefined) return badArg('not a valid phone number');
          const removed = await removeSuppression(pool, phone, { source: 'operator', reason: body.reason, at: now() });
          return removed ? json(200, { phone, removed: true }) : notFound('suppression');
        }),
    },
  ];
}
