// Campaign lists read by key (issue 17): GET /v1/campaigns and GET /v1/campaigns/:id/gyms through the dispatcher
// with the API token. Following `next` yields every row exactly once, in order, and says null on the last page
// (a full one too); a campaign created while a client pages is not repeated; the state filter; each bad parameter
// is a 400 that names it; the CLI follows pages past the largest one; migration 011's indexes serve the gym pages.
import t from 'tap';
import { LoginThrottle } from '../../src/http/auth.js';
import { Dispatcher } from '../../src/http/dispatch.js';
import { RequestPolicy } from '../../src/http/request-policy.js';
import { campaignPolicy, campaignRoutes } from '../../src/campaigns/routes.js';
import { campaignGymsPage, createCampaign } from '../../src/campaigns/store.js';
import { createLogger } from '../../src/log.js';
import type { Queryable } from '../../src/db/sql.js';
import { withPglite } from '../db/helpers/backends.js';
import { runCampaignCli } from './cli-run.js';

const TOKEN = 'campaign-pages-token-0123456789abcdef';
const { backend } = await withPglite(t);
const pool = backend.pool;
const dispatcher = new Dispatcher({
  routes: campaignRoutes({ pool, factsMaxAgeDays: 90, log: createLogger('silent') }),
  apiToken: TOKEN,
  policy: new RequestPolicy({}),
  logins: new LoginThrottle({ trustedHops: 0 }),
  log: createLogger('silent'),
});

/** GET `pathAndQuery` as a client would (`next` is such a path), with the API token unless told otherwise. */
async function get(pathAndQuery: string, token: string | null = TOKEN) {
  const u = new URL(pathAndQuery, 'http://localhost');
  const res = await dispatcher.handle({
    method: 'GET',
    path: u.pathname,
    query: u.searchParams,
    headers: { host: 'localhost', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: Buffer.alloc(0),
    remoteIp: '127.0.0.1',
  });
  return { status: res.status, json: JSON.parse(String(res.body)) as Record<string, unknown> };
}

/** Every page from `first` on, by its `next`: the rows of each page, and each `next` that was not null. */
async function follow<T>(first: string, key: 'campaigns' | 'gyms'): Promise<{ pages: T[][]; links: string[] }> {
  const pages: T[][] = [];
  const links: string[] = [];
  for (let at: string | null = first; at !== null && pages.length < 100;) {
    const r = await get(at);
    if (r.status !== 200) throw new Error(`${at}: ${r.status} ${JSON.stringify(r.json)}`);
    pages.push(r.json[key] as T[]);
    at = r.json.next as string | null;
    if (at !== null) links.push(at);
  }
  return { pages, links };
}

/** `n` gyms named "`name` 1".. with numbers of `areaCode`, in id order. */
async function gyms(n: number, name: string, areaCode: string): Promise<number[]> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO gyms (name, phone, timezone)
     SELECT $2 || ' ' || i, '+1' || $3 || '555' || lpad(i::text, 4, '0'), 'America/New_York'
       FROM generate_series(1, $1::int) i ORDER BY i RETURNING id`,
    [n, name, areaCode],
  );
  return r.rows.map((x) => Number(x.id));
}

const policy = campaignPolicy({}, 90);
if (!policy.ok) throw new Error(policy.message);
const campaign = (name: string, gymIds: number[]) =>
  createCampaign(pool, { name, policy: policy.policy, gymIds, now: new Date('2026-12-07T12:00:00Z') });

// 24 gyms: every third done, every fourth of the rest scheduled, the others pending.
const ids = await gyms(24, 'Paged', '202');
const paged = await campaign('paged', ids);
const done = ids.filter((_, i) => i % 3 === 0);
await pool.query(
  `UPDATE campaign_gyms SET state = 'done', final_state = 'completed', attempts = 1, last_outcome = 'completed'
    WHERE campaign_id = $1 AND gym_id = ANY($2::bigint[])`,
  [paged.id, done],
);
await pool.query(
  `UPDATE campaign_gyms SET state = 'scheduled', next_at = '2026-12-08T15:00:00Z'
    WHERE campaign_id = $1 AND state = 'pending' AND gym_id % 4 = 0`,
  [paged.id],
);
const gymsPath = `/v1/campaigns/${paged.id}/gyms`;

t.test('the API token is required on both lists', async (t) => {
  for (const path of ['/v1/campaigns', gymsPath]) {
    for (const token of [null, 'wrong-token']) {
      const r = await get(path, token);
      t.equal(r.status, 401, `${path} with ${token ?? 'no token'}`);
      t.equal((r.json.error as { code: string }).code, 'UNAUTHORIZED');
    }
    t.equal((await get(path)).status, 200, `${path} with the token`);
  }
});

t.test("a campaign's gyms: every gym once, in the order added, whatever the page size", async (t) => {
  for (const limit of [5, 6, 24, 100]) {
    const { pages, links } = await follow<{ gymId: number }>(`${gymsPath}?limit=${limit}`, 'gyms');
    const seen = pages.flat().map((g) => g.gymId);
    t.same(seen, ids, `limit ${limit}: all 24 in order, none twice`);
    t.equal(pages.length, Math.ceil(24 / limit), `limit ${limit}: no empty page after a full last one`);
    t.ok(
      pages.every((p) => p.length <= limit && p.length > 0),
      `limit ${limit}: no page over the limit, none empty`,
    );
    t.ok(
      links.every((l) => l.startsWith(`${gymsPath}?limit=${limit}&after=`)),
      'next keeps the limit and adds the cursor',
    );
  }
  const first = await get(gymsPath);
  t.equal((first.json.gyms as unknown[]).length, 24, 'the default page (100) holds them all');
  t.equal(first.json.next, null, 'and says there is no next');
});

t.test('the state filter pages through that state only, and keeps itself in next', async (t) => {
  const { pages, links } = await follow<{ gymId: number; state: string }>(`${gymsPath}?state=done&limit=3`, 'gyms');
  t.same(
    pages.flat().map((g) => g.gymId),
    done,
  );
  t.ok(pages.flat().every((g) => g.state === 'done'));
  t.equal(pages.length, 3, '8 done gyms, 3 a page');
  t.ok(links.every((l) => l.includes('state=done')));
  const scheduled = await follow<{ state: string; nextAt: string }>(`${gymsPath}?state=scheduled`, 'gyms');
  t.ok(scheduled.pages.flat().length > 0, 'some gyms are scheduled');
  t.ok(scheduled.pages.flat().every((g) => g.state === 'scheduled' && g.nextAt === '2026-12-08T15:00:00.000Z'));
  const none = await get(`${gymsPath}?state=dialling`);
  t.same(none.json, { gyms: [], next: null }, 'a state no gym is in: an empty last page, not a 404');
  t.equal((await get('/v1/campaigns/987654/gyms')).status, 404);
  t.equal((await get('/v1/campaigns/987654/gyms?state=done')).status, 404);
});

t.test("the status is the campaign's progress, without its gyms", async (t) => {
  const r = await get(`/v1/campaigns/${paged.id}`);
  t.equal(r.status, 200);
  t.equal(r.json.gyms, 24);
  t.notOk('gyms_detail' in r.json, 'the gyms are GET /v1/campaigns/:id/gyms');
});

t.test('campaigns: newest first, each once, even when one is created between pages', async (t) => {
  for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) await campaign(name, ids.slice(0, 2));
  const all = await follow<{ id: number }>('/v1/campaigns?limit=2', 'campaigns');
  const seen = all.pages.flat().map((c) => c.id);
  t.equal(seen.length, 6, 'paged and c1..c5');
  t.same(
    seen,
    [...seen].sort((a, b) => b - a),
    'newest first',
  );
  t.equal(all.pages.length, 3, 'three full pages; the third says there is no next');
  t.match(all.links[0], /^\/v1\/campaigns\?limit=2&before=\d+$/);

  const first = await get('/v1/campaigns?limit=2');
  const newer = await campaign('created while paging', ids.slice(0, 2));
  const rest = await follow<{ id: number }>(first.json.next as string, 'campaigns');
  const again = [...(first.json.campaigns as { id: number }[]), ...rest.pages.flat()].map((c) => c.id);
  t.same(again, seen, 'the same six, none twice (an offset would repeat one)');
  t.notOk(again.includes(newer.id), 'the new one is on the first page of a new listing');
  t.equal(((await get('/v1/campaigns?limit=1')).json.campaigns as { id: number }[])[0]?.id, newer.id);
});

t.test('bad parameters are a 400 that says what is wrong', async (t) => {
  const bad = async (path: string, message: RegExp) => {
    const r = await get(path);
    t.equal(r.status, 400, path);
    const e = r.json.error as { code: string; message: string };
    t.equal(e.code, 'BAD_ARGUMENT', path);
    t.match(e.message, message, path);
  };
  for (const base of ['/v1/campaigns', gymsPath]) {
    await bad(`${base}?limit=0`, /limit must be an integer from 1 to 500/);
    await bad(`${base}?limit=501`, /limit must be an integer from 1 to 500/);
    await bad(`${base}?limit=ten`, /limit must be an integer from 1 to 500/);
    await bad(`${base}?limit=2&limit=3`, /limit must be given once/);
    await bad(`${base}?offset=100`, /unknown parameter "offset"/);
  }
  await bad('/v1/campaigns?before=0', /before must be an integer from 1/);
  await bad('/v1/campaigns?before=x', /before must be an integer from 1/);
  await bad('/v1/campaigns?state=done', /unknown parameter "state": this list takes limit, before$/);
  await bad(`${gymsPath}?after=-3`, /after must be an integer from 1/);
  await bad(`${gymsPath}?before=3`, /unknown parameter "before": this list takes limit, after, state$/);
  await bad(
    `${gymsPath}?state=finished`,
    /state must be one of pending, scheduled, dialling, done, failed, suppressed/,
  );
  t.equal((await get(`${gymsPath}?limit=&after=&state=`)).status, 200, 'empty values are the defaults');
});

t.test('the CLI follows the pages: a campaign past the largest page, every campaign', async (t) => {
  const big = await campaign('big', await gyms(1_203, 'Big', '303'));
  await pool.query(
    `INSERT INTO campaigns (name, topics, max_concurrent, max_attempts, policy, created_at, updated_at)
     SELECT 'bulk ' || i, ARRAY['hours'], 1, 1, '{}', now(), now() FROM generate_series(1, 500) i`,
  );
  const [bigGyms, doneGyms, list, badState, unknown] = await runCampaignCli(backend.url, [
    ['gyms', String(big.id)],
    ['gyms', String(paged.id), '--state', 'done', '--json'],
    ['list'],
    ['gyms', String(paged.id), '--state', 'finished'],
    ['gyms', '987654'],
  ]);
  t.same([bigGyms?.code, doneGyms?.code, list?.code, badState?.code, unknown?.code], [0, 0, 0, 2, 2]);
  t.match(badState?.text, /--state must be one of pending, scheduled/);
  t.match(unknown?.text, /no campaign 987654/);
  const lines = (bigGyms?.text ?? '').trimEnd().split('\n');
  t.equal(lines.length, 1_203, 'every gym of the big campaign, past two full pages of 500');
  t.equal(new Set(lines.map((l) => l.trim().split(/\s+/)[0])).size, 1_203, 'each gym once');
  t.match(lines[0], /^\s+\d+\s+pending\s+0 dials\s+-\s+-\s+Big 1$/);
  t.same(
    (JSON.parse(doneGyms?.text ?? '') as { gymId: number }[]).map((g) => g.gymId),
    done,
  );
  t.equal(
    (list?.text ?? '').trimEnd().split('\n').length,
    508,
    'paged, c1..c5, the one created while paging, big, 500',
  );
});

t.test("migration 011's indexes serve the gym pages, filtered or not", async (t) => {
  const big = Number((await pool.query<{ id: string }>("SELECT id FROM campaigns WHERE name = 'big'")).rows[0]?.id);
  // As in a database that has run campaigns for a while, this one's rows are a fraction of the table's.
  const bigGyms = (
    await pool.query<{ gym_id: string }>('SELECT gym_id FROM campaign_gyms WHERE campaign_id = $1', [big])
  ).rows;
  for (const name of ['later 1', 'later 2', 'later 3'])
    await campaign(
      name,
      bigGyms.map((r) => Number(r.gym_id)),
    );
  // One gym in ten done: the campaign's own order would read nine rows past each.
  await pool.query(
    "UPDATE campaign_gyms SET state = 'done', final_state = 'completed' WHERE campaign_id = $1 AND gym_id % 10 = 0",
    [big],
  );
  await pool.query('ANALYZE campaign_gyms');
  // The store's own SQL, planned: every query it sends is explained instead of run.
  const plans: string[] = [];
  const explain = {
    query: async (sql: string, params?: unknown[]) => {
      const r = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
      if (plan.includes('campaign_gyms')) plans.push(plan);
      return { ...r, rows: [] };
    },
  } as unknown as Queryable;
  // The first page and one from the middle of the campaign's 1,203 gyms.
  const middle = await campaignGymsPage(pool, big, { limit: 600 });
  for (const after of [undefined, middle?.cursor ?? 0]) {
    plans.length = 0;
    await campaignGymsPage(explain, big, { limit: 100, after });
    await campaignGymsPage(explain, big, { limit: 100, after, state: 'done' });
    t.equal(plans.length, 2, 'both page queries planned');
    const [all = '', inState = ''] = plans;
    t.match(all, /Index (Only )?Scan using campaign_gyms_page_idx/, all);
    t.notMatch(all, /Sort/, 'no sort of the whole campaign');
    // The planner may read the state's rows after the cursor through a bitmap and sort them: still that state's only.
    t.match(inState, /Index (Only )?Scan (using|on) campaign_gyms_state_page_idx/, inState);
  }
});
