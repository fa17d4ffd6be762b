import type pg from 'pg';
import { badArg, guarded, pageParams } from '../db/routes.js';
import { json, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { costByCampaign, costByGym, type SumPage } from './store.js';

// GET /v1/costs/gyms and /v1/costs/campaigns: the priced calls summed per gym and per campaign (optionally one,
// ?id=N), behind the API token like the rest of /v1. Paged like /v1/gyms (?limit up to 1000, ?offset): every gym
// ever called has a sum, and the answer is built whole in memory.

const ID = /^[1-9]\d{0,15}$/;

export function costRoutes(o: { pool: pg.Pool; log?: Logger | undefined }): Route[] {
  const route = (pattern: string, sum: (id: number | undefined, page: SumPage) => Promise<unknown[]>): Route => ({
    method: 'GET',
    pattern,
    auth: 'api-token',
    handler: (req) =>
      guarded(o.log, async () => {
        const raw = req.query.get('id');
        if (raw !== null && !ID.test(raw)) return badArg('id must be a positive integer');
        const page = pageParams(req.query);
        if (typeof page === 'string') return badArg(page);
        return json(200, { sums: await sum(raw === null ? undefined : Number(raw), page) });
      }),
  });
  return [
    route('/v1/costs/gyms', (id, page) => costByGym(o.pool, id, page)),
    route('/v1/costs/campaigns', (id, page) => costByCampaign(o.pool, id, page)),
  ];
}
