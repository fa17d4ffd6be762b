import { getCost } from '../costs/store.js';
import type pg from 'pg';
import { ERROR_CODES } from '../errors.js';
import { json, jsonError, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { describeDbError, isRetryableDbError } from './errors.js';
import { callDetail, callSummary } from './read-model.js';
import { listCalls } from './repositories/calls.js';
import { isValidCallId } from './recorder.js';

// The read API over the database: a call with its transcript and facts, and a filtered call list. Mounted by the
// server under the API token. The gyms' routes (/v1/gyms) are src/gyms/routes.ts's.

export interface DbRoutesOptions {
  pool: pg.Pool;
  log?: Logger;
}

export function notFound(what: string): HttpResponse {
  return jsonError(ERROR_CODES.NOT_FOUND.http, 'NOT_FOUND', `no such ${what}`);
}

export function badArg(msg: string): HttpResponse {
  return jsonError(ERROR_CODES.BAD_ARGUMENT.http, 'BAD_ARGUMENT', msg);
}

/** Database down → 503 with Retry-After; anything else → 500. Never the error's detail (row values). */
export async function guarded(log: Logger | undefined, fn: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await fn();
  } catch (e) {
    if (isRetryableDbError(e))
      return jsonError(503, 'DB_UNAVAILABLE', 'the database is unreachable; try again shortly', { 'retry-after': '5' });
    log?.error({ err: describeDbError(e) }, 'read API query failed');
    return jsonError(500, 'INTERNAL', 'internal error');
  }
}

export function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number | string {
  const v = q.get(name);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) return `${name} must be an integer from ${min} to ${max}`;
  return n;
}

/** `?limit` (1-1000, default `defLimit`) and `?offset` of a paged list, or the message of the first bad one. */
export function pageParams(q: URLSearchParams, defLimit = 100): { limit: number; offset: number } | string {
  const limit = intParam(q, 'limit', defLimit, 1, 1000);
  if (typeof limit === 'string') return limit;
  const offset = intParam(q, 'offset', 0, 0, 10_000_000);
  if (typeof offset === 'string') return offset;
  return { limit, offset };
}

export function dateParam(q: URLSearchParams, name: string): Date | undefined | string {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return `${name} must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z`;
  return d;
}

export function dbRoutes(o: DbRoutesOptions): Route[] {
  const { pool, log } = o;
  return [
    {
      method: 'GET',
      pattern: '/v1/calls/:id',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = p.id ?? '';
          if (!isValidCallId(id)) return notFound('call');
          const d = await callDetail(pool, id);
          if (!d) return notFound('call');
          // The cost once the call was priced (src/costs/); calls without one keep their body as it was.
          const cost = await getCost(pool, id);
          return json(200, cost === undefined ? d : { ...d, cost });
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/calls',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const q = req.query;
          const limit = intParam(q, 'limit', 50, 1, 1000);
          const offset = intParam(q, 'offset', 0, 0, 10_000_000);
          const gymId = intParam(q, 'gym_id', -1, 1, Number.MAX_SAFE_INTEGER);
          const since = dateParam(q, 'since');
          const until = dateParam(q, 'until');
          for (const v of [limit, offset, gymId, since, until]) if (typeof v === 'string') return badArg(v);
          const calls = await listCalls(pool, {
            limit: limit as number,
            offset: offset as number,
            ...(q.get('status') ? { status: q.get('status') as string } : {}),
            ...(q.get('outcome') ? { outcome: q.get('outcome') as string } : {}),
            ...(q.get('gym') ? { gymName: q.get('gym') as string } : {}),
            ...((gymId as number) > 0 ? { gymId: gymId as number } : {}),
            ...(since ? { since: since as Date } : {}),
            ...(until ? { until: until as Date } : {}),
          });
          return json(200, { calls: calls.map((c) => ({ ...callSummary(c), turns: c.turns })) });
        }),
    },
  ];
}
