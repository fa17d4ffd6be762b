import type pg from 'pg';
import { z } from 'zod';
import { isRegion, type DestinationPolicy } from '../telephony/destination.js';
import { badArg, guarded, notFound, pageParams } from '../db/routes.js';
import { errorResponse, json, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { importGyms } from './import.js';
import { listGymSummaries, gymWithFreshness } from './store.js';
import { BRAND_VOICE_SHAPE, brandVoiceSchema } from '../voices/brand.js';
import { changeGymVoice } from '../voices/store.js';

// /v1/gyms: import a list (POST /v1/gyms/import), the gyms (GET /v1/gyms), one gym with its facts, their history
// and freshness (GET /v1/gyms/:id), and its brand voice (PUT /v1/gyms/:id/voice, src/voices/). Under the API token like the rest of /v1; bodies are JSON (the HTTP stack
// refuses others and caps them at 64 KiB: larger lists go through `gym-agent gyms import FILE`).

export interface GymsRoutesOptions {
  readonly pool: pg.Pool;
  readonly destinations: DestinationPolicy;
  /** CALL_DEFAULT_TIMEZONE. */
  readonly defaultTimeZone: string;
  /** FACTS_MAX_AGE_DAYS. */
  readonly factsMaxAgeDays: number;
  readonly now?: () => Date;
  readonly log?: Logger;
}

const region = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine(isRegion, 'must be an ISO 3166 region code such as US or GB')
  .default('US');

const importBody = z.union([
  z.object({ format: z.enum(['csv', 'json']), content: z.string().min(1, 'must not be empty'), region }).strict(),
  z.object({ gyms: z.array(z.unknown()).min(1, 'must list at least one gym'), region }).strict(),
]);

/** The request's JSON body checked against `schema`, or the 400 that says what is wrong. */
export function parseBody<T>(req: HttpRequest, schema: z.ZodType<T>, shape: string): T | HttpResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(req.body.toString('utf8'));
  } catch {
    return errorResponse('VALIDATION_FAILED', `body must be a JSON object: ${shape}`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return errorResponse('VALIDATION_FAILED', `${msg} (expected ${shape})`);
}

/** A row id from a path (bigint ids as decimal digits), or undefined: such a path names nothing (404). */
export function rowId(raw: string | undefined): number | undefined {
  const id = Number(raw);
  return /^\d{1,15}$/.test(raw ?? '') && Number.isSafeInteger(id) ? id : undefined;
}

export const isResponse = (v: unknown): v is HttpResponse =>
  typeof v === 'object' && v !== null && 'status' in v && typeof (v as { status: unknown }).status === 'number';

export function gymsRoutes(o: GymsRoutesOptions): Route[] {
  const { pool, log } = o;
  const now = o.now ?? (() => new Date());
  return [
    {
      method: 'POST',
      pattern: '/v1/gyms/import',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const body = parseBody(
            req,
            importBody,
            '{"format": "csv"|"json", "content": "...", "region"?} or {"gyms": [{"name", "phone", ...}], "region"?}',
          );
          if (isResponse(body)) return body;
          // {"gyms": [...]} is itself a JSON gym list (parseGymFile reads the object's "gyms"): the body goes as
          // sent. Serialising the parsed items again would recurse through whatever a row nests, and a body of
          // nested brackets under 64 KiB overflows the stack.
          const [format, content] =
            'gyms' in body ? (['json', req.body.toString('utf8')] as const) : [body.format, body.content];
          const r = await importGyms(pool, content, {
            format,
            region: body.region,
            destinations: o.destinations,
            defaultTimeZone: o.defaultTimeZone,
            via: 'api',
            now,
          });
          if (!r.ok) return errorResponse('VALIDATION_FAILED', r.message);
          log?.info(
            {
              importId: r.report.import_id,
              accepted: r.report.accepted,
              merged: r.report.merged,
              rejected: r.report.rejected,
            },
            'gyms imported',
          );
          return json(200, r.report);
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/gyms',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const page = pageParams(req.query);
          if (typeof page === 'string') return badArg(page);
          return json(200, await listGymSummaries(pool, page));
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/gyms/:id',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = rowId(p.id);
          if (id === undefined) return notFound('gym');
          const g = await gymWithFreshness(pool, id, { asOf: now(), maxAgeDays: o.factsMaxAgeDays });
          return g ? json(200, g) : notFound('gym');
        }),
    },
    {
      method: 'PUT',
      pattern: '/v1/gyms/:id/voice',
      auth: 'api-token',
      handler: (req, p) =>
        guarded(log, async () => {
          const id = rowId(p.id);
          if (id === undefined) return notFound('gym');
          const voice = parseBody(req, brandVoiceSchema.nullable(), `${BRAND_VOICE_SHAPE} or null`);
          if (isResponse(voice)) return voice;
          const r = await changeGymVoice(pool, id, voice);
          if (r === 'not-found') return notFound('gym');
          if (typeof r === 'string') return errorResponse('VALIDATION_FAILED', r);
          log?.info({ gymId: id, voice: voice === null ? 'none' : Object.keys(voice).join(',') }, 'gym voice set');
          return json(200, { gym_id: id, voice });
        }),
    },
  ];
}
