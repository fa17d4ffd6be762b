// Issue 17's HTTP surface (gyms import, the do-not-call list, campaigns, costs) probed as an attacker would, over
// the real HTTP stack on 127.0.0.1: what a hostile or careless request gets back, and that nothing else is hurt.
import t, { type Test } from 'tap';
import { withPostgres, withPglite } from '../db/helpers/backends.js';
import { serveApi, token } from './serve.js';
import { suppressionRoutes } from '../../src/compliance/routes.js';
import { gymsRoutes } from '../../src/gyms/routes.js';
import { campaignRoutes } from '../../src/campaigns/routes.js';
import { costRoutes } from '../../src/costs/routes.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import type pg from 'pg';

const destinations = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };
const log = createLogger('silent');

const serve = (t: Test, pool: pg.Pool) =>
  serveApi(t, [
    ...suppressionRoutes({ pool, log }),
    ...gymsRoutes({ pool, destinations, defaultTimeZone: 'America/New_York', factsMaxAgeDays: 90, log }),
    ...campaignRoutes({ pool, factsMaxAgeDays: 90, log }),
    ...costRoutes({ pool, log }),
  ]);

t.test('the new routes on the embedded database', async (t) => {
  const { backend } = await withPglite(t);
  const req = await serve(t, backend.pool);

  t.test("every route needs the API's bearer token; the review page's Basic sign-in is not one", async (t) => {
    // A wrong credential counts against this client (10 before the lock-out): Basic is tried on a few routes only.
    const basicTried = new Set(['/v1/gyms/import', '/v1/suppressions', '/v1/campaigns/1/pause', '/v1/costs/gyms']);
    const basic = `Basic ${Buffer.from(`review:${token}`).toString('base64')}`;
    for (const [method, path] of [
      ['GET', '/v1/gyms'],
      ['GET', '/v1/gyms/1'],
      ['POST', '/v1/gyms/import'],
      ['GET', '/v1/suppressions'],
      ['GET', '/v1/suppressions/%2B12015550123'],
      ['POST', '/v1/suppressions'],
      ['DELETE', '/v1/suppressions/%2B12015550123'],
      ['GET', '/v1/campaigns'],
      ['POST', '/v1/campaigns'],
      ['GET', '/v1/campaigns/1'],
      ['GET', '/v1/campaigns/1/gyms'],
      ['POST', '/v1/campaigns/1/pause'],
      ['POST', '/v1/campaigns/1/resume'],
      ['POST', '/v1/campaigns/1/cancel'],
      ['GET', '/v1/costs/gyms'],
      ['GET', '/v1/costs/campaigns'],
    ] as const) {
      const body = method === 'POST' ? {} : undefined;
      t.equal((await req(method, path, body, { authorization: '' })).status, 401, `${method} ${path}: no token`);
      if (basicTried.delete(path))
        t.equal((await req(method, path, body, { authorization: basic })).status, 401, `${method} ${path}: Basic`);
    }
  });

  t.test('a gym list nested deep is a rejected row, not a server error', async (t) => {
    const depth = 20_000; // JSON.stringify of this overflows the stack; the body is under 64 KiB
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const r = await req(
      'POST',
      '/v1/gyms/import',
      `{"gyms": [${nested}, {"name": "Deep Gym", "phone": "+12015550140"}]}`,
    );
    t.equal(r.status, 200);
    t.match(r.json, { rows: 2, accepted: 1, rejected: 1, report: [{ line: 1, status: 'rejected' }, { line: 2 }] });
    t.equal((await req('GET', '/v1/gyms')).status, 200, 'the server answers the next request');
  });

  t.test("an import's report names a few ignored columns, not every one a header can hold", async (t) => {
    const header = ['name', 'phone', ...Array.from({ length: 3000 }, (_, i) => `c${i}`)].join(',');
    const r = await req('POST', '/v1/gyms/import', {
      format: 'csv',
      content: `${header}\nWide Gym,+12015550141${','.repeat(3000)}\n`,
    });
    t.equal(r.status, 200);
    t.equal(r.json.accepted, 1);
    t.ok((r.json.ignored_columns as unknown[]).length <= 20, 'at most 20 named');
  });

  t.test("a suppression's reason is plain text (the CLI prints it to an operator's terminal)", async (t) => {
    for (const reason of ['\u001b[2J\u001b[31mhacked', 'ok\u202eevil', 'line\nbreak']) {
      const r = await req('POST', '/v1/suppressions', { phone: '+12015550142', reason });
      t.equal(r.status, 400, JSON.stringify(reason));
      t.match(r.json, { error: { code: 'VALIDATION_FAILED', message: /reason/ } });
      const file = await req('POST', '/v1/suppressions', { format: 'text', content: '+12015550143\n', reason });
      t.equal(file.status, 400, `import with ${JSON.stringify(reason)}`);
    }
    t.equal((await req('GET', '/v1/suppressions')).json.total, 0, 'nothing listed');
    t.equal((await req('POST', '/v1/suppressions', { phone: '+12015550142', reason: 'asked by email' })).status, 201);
  });

  t.test('cost sums are paged like every other list', async (t) => {
    const pool = backend.pool;
    await pool.query(
      `INSERT INTO gyms (name, phone, timezone) SELECT 'Cost Gym ' || i, '+1202555' || lpad(i::text, 4, '0'),
              'America/New_York' FROM generate_series(1, 30) i`,
    );
    await pool.query(
      `INSERT INTO calls (id, direction, phone_number, gym_id, status, status_at, created_at)
       SELECT 'cost-' || g.id, 'outbound', g.phone, g.id, 'completed', now(), now() FROM gyms g WHERE g.name LIKE 'Cost Gym %'`,
    );
    await pool.query(
      `INSERT INTO call_costs (call_id, twilio_minutes, asr_seconds, llm_input_tokens, llm_output_tokens,
         tts_characters, providers, twilio_usd, asr_usd, llm_usd, tts_usd, total_usd, recorded_at)
       SELECT id, 1, 1, 1, 1, 1, '{}', 0.01, 0, 0, 0, 0.01, now() FROM calls WHERE id LIKE 'cost-%'`,
    );
    const first = await req('GET', '/v1/costs/gyms?limit=10');
    t.equal(first.status, 200);
    t.equal((first.json.sums as unknown[]).length, 10);
    const rest = await req('GET', '/v1/costs/gyms?limit=1000&offset=10');
    t.equal((rest.json.sums as unknown[]).length, 20);
    t.equal((await req('GET', '/v1/costs/gyms?limit=100000')).status, 400, 'a limit has a ceiling');
    t.equal((await req('GET', '/v1/costs/campaigns?offset=-1')).status, 400);
    const one = await req('GET', `/v1/costs/gyms?id=${(first.json.sums as { key: string }[])[0]?.key}`);
    t.equal((one.json.sums as unknown[]).length, 1, '?id= still picks one');
  });
});

t.test('two requests creating one campaign name at once on PostgreSQL: one made, the other a conflict', async (t) => {
  const pgs = await withPostgres(t);
  if (pgs === undefined) return;
  const pool = pgs.backend.pool;
  await pgs.backend.reset();
  const req = await serve(t, pool);
  const gym = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('Race Gym', '+12025550150', 'America/New_York') RETURNING id",
  );
  const gymIds = [Number(gym.rows[0]?.id)];
  for (let round = 0; round < 5; round++) {
    const name = `race ${round}`;
    const rs = await Promise.all(
      Array.from({ length: 6 }, () => req('POST', '/v1/campaigns', { name, gym_ids: gymIds })),
    );
    const statuses = rs.map((r) => r.status).sort();
    t.same(statuses, [201, 409, 409, 409, 409, 409], `round ${round}: ${statuses.join(' ')}`);
  }
});
