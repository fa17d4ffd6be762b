// The review site's campaign pages (/review/campaigns, /review/campaigns/:id): sign-in as on the call pages, the
// seeded campaign's progress, outcome counts and cost, each gym's state, dials, last outcome in its local time, next
// call, facts and cost, links to recorded calls only, escaping of a hostile gym name, 400/404 and paging by key.
import t from 'tap';
import type pg from 'pg';
import { campaignPolicy } from '../../src/campaigns/routes.js';
import { createCampaign } from '../../src/campaigns/store.js';
import { insertCost } from '../../src/costs/store.js';
import { recordFacts } from '../../src/db/repositories/facts.js';
import { reviewRoutes } from '../../src/review/routes.js';
import { withPglite } from '../db/helpers/backends.js';
import { serveRoutes } from '../db/helpers/http-adapter.js';

const XSS = '<script>alert("gym")</script>';
const NOW = new Date('2026-12-08T12:00:00Z');
const token = 'campaign-review-token-0123456789abcdef';
const basic = { authorization: `Basic ${Buffer.from(`review:${token}`).toString('base64')}` };

const { backend } = await withPglite(t);
const pool = backend.pool;

async function gym(db: pg.Pool, name: string, phone: string): Promise<number> {
  const r = await db.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ($1, $2, 'America/New_York') RETURNING id",
    [name, phone],
  );
  return Number(r.rows[0]?.id);
}

/** One settled dial of a campaign's gym, as the engine (src/campaigns/queue.ts, settle.ts) leaves it. */
async function dial(campaignId: number, gymId: number, seq: number, callId: string, outcome: string, local: string) {
  await pool.query(
    `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time,
       time_zone, outcome, settled_at)
     SELECT id, $1, $2, $3, $4, $5, $6, 'America/New_York', $7, $5 FROM campaign_gyms
      WHERE campaign_id = $1 AND gym_id = $2`,
    [campaignId, gymId, seq, callId, NOW, local, outcome],
  );
}

const iron = await gym(pool, 'Iron Temple', '+12025550101');
const hostile = await gym(pool, XSS, '+12025550102');
const policy = campaignPolicy({ topics: ['pricing'] }, 90);
if (!policy.ok) throw new Error(policy.message);
const campaign = await createCampaign(pool, {
  name: `Spring ${XSS}`,
  policy: policy.policy,
  gymIds: [iron, hostile],
  now: NOW,
});

// Iron Temple: one recorded call that stated the price, priced; done. The hostile gym: busy once, due again.
await pool.query(
  `INSERT INTO calls (id, gym_id, direction, status, status_at, created_at)
   VALUES ('call-iron-1', $1, 'outbound', 'completed', $2, $2)`,
  [iron, NOW],
);
await recordFacts(
  pool,
  'call-iron-1',
  { hours: {}, pricing: [{ plan: 'Monthly', amountMinor: 4000, currency: 'USD', period: 'month' }], classes: [] },
  NOW,
);
await insertCost(
  pool,
  'call-iron-1',
  {
    twilioMinutes: 2,
    asrSeconds: 60,
    llmInputTokens: 1000,
    llmOutputTokens: 100,
    ttsCharacters: 500,
    usd: { twilio: 0.028, asr: 0.0043, llm: 0.001, tts: 0.0075 },
    totalUsd: 0.0408,
    providers: { asr: 'offline', llm: 'offline', tts: ['offline'] },
    unpriced: [],
  },
  NOW,
);
await dial(campaign.id, iron, 1, 'call-iron-1', 'completed', '2026-12-08T07:00');
await dial(campaign.id, hostile, 1, 'call-hostile-1', 'busy', '2026-12-08T07:05');
await pool.query(
  `UPDATE campaign_gyms SET state = 'done', final_state = 'completed', attempts = 1, last_outcome = 'completed'
    WHERE campaign_id = $1 AND gym_id = $2`,
  [campaign.id, iron],
);
await pool.query(
  `UPDATE campaign_gyms SET state = 'scheduled', attempts = 1, last_outcome = 'busy',
          next_at = '2026-12-08T15:20:00Z' WHERE campaign_id = $1 AND gym_id = $2`,
  [campaign.id, hostile],
);

const srv = await serveRoutes(
  reviewRoutes({ pool, apiToken: token, pageSize: 1 }, { maxAgeDays: 90, clock: { now: () => NOW } }),
);
t.teardown(srv.close);
const get = (path: string, headers: Record<string, string> = basic) => fetch(`${srv.url}${path}`, { headers });

t.test('sign-in is required on both pages', async (t) => {
  for (const path of ['/review/campaigns', `/review/campaigns/${campaign.id}`]) {
    const r = await get(path, {});
    t.equal(r.status, 401, path);
    t.match(r.headers.get('www-authenticate') ?? '', /^Basic /);
    const wrong = await get(path, { authorization: 'Basic ' + Buffer.from('x:wrong').toString('base64') });
    t.equal(wrong.status, 401);
    t.notOk((await wrong.text()).includes('Spring'), 'nothing of the campaign without the token');
  }
  t.equal((await get('/review/campaigns', { authorization: `Bearer ${token}` })).status, 200, 'bearer works too');
});

t.test('the list: name, status, progress, outcome counts, cost; linked from the index', async (t) => {
  const index = await (await get('/review')).text();
  t.match(index, /href="\/review\/campaigns"/);
  const r = await get('/review/campaigns');
  t.equal(r.status, 200);
  t.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const body = await r.text();
  t.notOk(body.includes('<script>'), 'the hostile campaign name is escaped');
  t.ok(body.includes('Spring &lt;script&gt;alert(&quot;gym&quot;)&lt;/script&gt;'));
  t.match(body, new RegExp(`href="/review/campaigns/${campaign.id}"`));
  t.match(body, /<span class="status">active<\/span>/);
  t.match(body, /<progress max="2" value="1"/);
  t.match(body, /1 \/ 2 \(50%\)/);
  t.match(body, /busy 1 · completed 1/);
  t.match(body, /\$0\.0408/);
});

t.test('one campaign: its gyms, a page at a time, escaped, with local times, facts, cost and call links', async (t) => {
  const first = await (await get(`/review/campaigns/${campaign.id}`)).text();
  t.match(first, /Iron Temple/);
  t.notOk(first.includes('alert(&quot;gym&quot;)&lt;/script&gt;</td>'), 'page size 1: the second gym is on page 2');
  t.match(first, /completed<br \/><small>2026-12-08 07:00 America\/New_York<\/small>/);
  t.match(first, /<td>complete<\/td>/, 'the campaign asks pricing only, and it is known');
  t.match(first, /\$0\.0408/);
  t.match(first, /href="\/review\/calls\/call-iron-1">#1<\/a>/);
  const more = new RegExp(`href="(/review/campaigns/${campaign.id}\\?after=\\d+)">More gyms`).exec(first);
  t.ok(more, 'a link to the next page, by key');
  t.notOk(first.includes('First gyms'), 'the first page links to no first page');
  t.notOk(first.includes('<script>'));

  const second = await (await get(more?.[1] ?? '')).text();
  t.notOk(second.includes('<script>'), 'the hostile gym name is escaped');
  t.ok(second.includes('&lt;script&gt;alert(&quot;gym&quot;)&lt;/script&gt;<br /><small>gym'));
  t.match(second, /<span class="status">scheduled<\/span>/);
  t.match(second, /busy<br \/><small>2026-12-08 07:05 America\/New_York/);
  t.match(second, /2026-12-08 10:20 America\/New_York/, 'the next call in the gym local time');
  t.match(second, /missing: pricing/);
  t.notOk(second.includes('/review/calls/call-hostile-1'), 'no link to a call with no record');
  t.match(second, /#1\s*busy/);
  t.match(second, /\$0\.0000/);
  t.match(second, new RegExp(`href="/review/campaigns/${campaign.id}">First gyms`));
  t.notOk(second.includes('More gyms'), 'the last page links to no next');
});

t.test('facts are judged by the given clock and FACTS_MAX_AGE_DAYS', async (t) => {
  const later = new Date(NOW.getTime() + 31 * 86_400_000);
  const other = await serveRoutes(
    reviewRoutes({ pool, apiToken: token, pageSize: 1 }, { maxAgeDays: 30, clock: { now: () => later } }),
  );
  t.teardown(other.close);
  const body = await (await fetch(`${other.url}/review/campaigns/${campaign.id}`, { headers: basic })).text();
  t.match(body, /<td>stale: pricing<\/td>/, 'the price stated 31 days ago is stale at 30 days');
});

t.test('ids and cursors are checked; unknown is 404, malformed is 400', async (t) => {
  t.equal((await get('/review/campaigns/987654')).status, 404);
  for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999', '%3Cscript%3E']) {
    const r = await get(`/review/campaigns/${bad}`);
    t.equal(r.status, 400, bad);
    t.notOk((await r.text()).includes('<script>'));
  }
  for (const bad of ['-1', '0', 'x', '1.5']) {
    const list = await get(`/review/campaigns?before=${bad}`);
    t.equal(list.status, 400, `before=${bad}`);
    t.match(await list.text(), /&quot;before&quot; must be a positive whole number/);
    t.equal((await get(`/review/campaigns/${campaign.id}?after=${bad}`)).status, 400, `after=${bad}`);
  }
  const oldest = await get(`/review/campaigns?before=${campaign.id}`);
  t.equal(oldest.status, 200, 'nothing older: an empty page');
  t.match(await oldest.text(), /No campaigns on this page[\s\S]*href="\/review\/campaigns">Newest campaigns/);
  const past = await get(`/review/campaigns/${campaign.id}?after=987654`);
  t.equal(past.status, 200);
  t.match(await past.text(), /No gyms on this page/);
});
