import type pg from 'pg';
import { ERROR_CODES } from '../errors.js';
import { json, jsonError, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { describeDbError, isRetryableDbError } from './errors.js';
import { callDetail, callSummary, gymDetail } from './read-model.js';
import { listCalls } from './repositories/calls.js';
import { listGyms } from './repositories/gyms.js';
import { isValidCallId } from './recorder.js';

// The read API over the database: a call with its transcript and facts, the gyms with their latest facts
// and history, and a filtered call list. Mounted by the server under the API token.

export interface DbRoutesOptions {
  pool: pg.Pool;
  log?: Logger;
}

function notFound(what: string): HttpResponse {
  return jsonError(ERROR_CODES.NOT_FOUND.http, 'NOT_FOUND', `no such ${what}`);
}

function badArg(msg: string): HttpResponse {
  return jsonError(ERROR_CODES.BAD_ARGUMENT.http, 'BAD_ARGUMENT', msg);
}

/** Database down → 503 with Retry-After; anything else → 500. Never the error's detail (row values). */
async function guarded(log: Logger | undefined, fn: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await fn();
  } catch (e) {
    if (isRetryableDbError(e))
      return jsonError(503, 'DB_UNAVAILABLE', 'the database is unreachable; try again shortly', { 'retry-after': '5' });
    log?.error({ err: describeDbError(e) }, 'read API query failed');
    return jsonError(500, 'INTERNAL', 'internal error');
  }
}

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number | string {
  const v = q.get(name);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) return `${name} must be an integer from ${min} to ${max}`;
  return n;
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
          return d ? json(200, d) : notFound('call');
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
    {
      method: 'GET',
      pattern: '/v1/gyms',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const limit = intParam(req.query, 'limit', 100, 1, 1000);
          const offset = intParam(req.query, 'offset', 0, 0, 10_000_000);
          if (typeof limit === 'string') return badArg(limit);
          if (typeof offset === 'string') return badArg(offset);
          const gyms = await listGyms(pool, { limit, offset });
          return json(200, {
            gyms: gyms.map((g) => ({
              gym_id: g.id,
              name: g.name,
              phone: g.phone,
              timezone: g.timezone,
              calls: g.calls,
              last_call_at: g.last_call_at === null ? null : g.last_call_at.toISOString(),
            })),
          });
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/gyms/:id',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = Number(p.id);
          if (!/^\d{1,15}$/.test(p.id ?? '') || !Number.isSafeInteger(id)) return notFound('gym');
          const g = await gymDetail(pool, id);
          return g ? json(200, g) : notFound('gym');
        }),
    },
  ];
}
