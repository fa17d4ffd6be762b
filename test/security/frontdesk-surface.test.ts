// The front desk's HTTP surface (/v1/numbers, /v1/messages: docs/front-desk.md) probed as an attacker would, over
// the real HTTP stack on 127.0.0.1, as issue17-surface.test.ts does for issue 17's: every route needs the API token
// (none, a wrong one, one in the query string, the review page's Basic sign-in), and a bad body is a 400 that names
// the field and changes nothing.
import t, { type Test } from 'tap';
import { withPglite } from '../db/helpers/backends.js';
import { serveApi, token } from './serve.js';
import { deskRoutes } from '../../src/frontdesk/routes.js';
import { createLogger } from '../../src/log.js';
import type pg from 'pg';

const log = createLogger('silent');

const serve = (t: Test, pool: pg.Pool) => serveApi(t, deskRoutes({ pool, log }));

const ROUTES = [
  ['GET', '/v1/numbers'],
  ['GET', '/v1/numbers/%2B12015550100'],
  ['PUT', '/v1/numbers/%2B12015550100'],
  ['DELETE', '/v1/numbers/%2B12015550100'],
  ['GET', '/v1/messages'],
  ['GET', '/v1/messages?gym_id=1'],
] as const;

t.test('the front desk routes on the embedded database', async (t) => {
  const { backend } = await withPglite(t);
  const pool = backend.pool;
  const gym = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('Desk Gym', '+12015550180', 'America/New_York') RETURNING id",
  );
  const gymId = Number(gym.rows[0]?.id);
  await pool.query("INSERT INTO phone_numbers (number, gym_id, mode, staff_number) VALUES ($1, $2, 'front-desk', $3)", [
    '+12015550100',
    gymId,
    '+12015550199',
  ]);
  const state = async () =>
    (await pool.query('SELECT number, gym_id, mode, staff_number, updated_at FROM phone_numbers ORDER BY number')).rows;
  const before = await state();

  t.test('without the token, every route is 401 and changes nothing', async (t) => {
    const req = await serve(t, pool);
    for (const [method, path] of ROUTES) {
      const body = method === 'PUT' ? { gym_id: gymId, mode: 'interview' } : undefined;
      const r = await req(method, path, body, { authorization: '' });
      t.equal(r.status, 401, `${method} ${path}: no token`);
      t.notMatch(r.text, /Desk Gym|12015550199/, 'and says nothing of the numbers');
    }
    t.same(await state(), before, 'no number changed or removed');
  });

  t.test('a wrong token, the token in the query string or as Basic: 401', async (t) => {
    // A wrong credential counts against this client (10 before the lock-out): one server, fewer than ten tries.
    const req = await serve(t, pool);
    const basic = `Basic ${Buffer.from(`review:${token}`).toString('base64')}`;
    const change = { gym_id: gymId, mode: 'interview' };
    const tries = [
      ['PUT', '/v1/numbers/%2B12015550100', { authorization: `Bearer ${token.slice(0, -1)}x` }],
      ['DELETE', '/v1/numbers/%2B12015550100', { authorization: `Bearer ${token}${token}` }],
      ['GET', '/v1/messages', { authorization: 'Bearer wrong' }],
      ['PUT', '/v1/numbers/%2B12015550100', { authorization: basic }],
      ['GET', '/v1/messages', { authorization: basic }],
    ] as const;
    for (const [method, path, headers] of tries) {
      const r = await req(method, path, method === 'PUT' ? change : undefined, headers);
      t.equal(
        r.status,
        401,
        `${method} ${path}: ${headers.authorization.split(' ')[0]} ${headers.authorization.length}`,
      );
    }
    for (const q of ['token', 'access_token', 'api_token']) {
      const sep = (p: string) => (p.includes('?') ? '&' : '?');
      for (const [method, path] of [ROUTES[0], ROUTES[4], ROUTES[3]] as const) {
        const r = await req(method, `${path}${sep(path)}${q}=${token}`, undefined, { authorization: '' });
        t.equal(r.status, 401, `${method} ${path} with ?${q}=: a token in a URL (logs, history) is not accepted`);
      }
    }
    t.same(await state(), before, 'nothing changed');
  });

  t.test('bad input to PUT /v1/numbers/{number}: 400 naming the field, nothing changed', async (t) => {
    const req = await serve(t, pool);
    const ours = '/v1/numbers/%2B12015550100';
    const cases: [string, string, unknown, RegExp][] = [
      ['no gym', ours, { mode: 'front-desk' }, /gym_id/],
      ['gym_id a string', ours, { gym_id: String(gymId), mode: 'front-desk' }, /gym_id/],
      ['gym_id negative', ours, { gym_id: -1, mode: 'front-desk' }, /gym_id/],
      ['gym_id fractional', ours, { gym_id: 1.5, mode: 'front-desk' }, /gym_id/],
      ['a gym that does not exist', ours, { gym_id: gymId + 1000, mode: 'front-desk' }, /gym_id/],
      ['an unknown mode', ours, { gym_id: gymId, mode: 'sales' }, /mode/],
      ['no mode', ours, { gym_id: gymId }, /mode/],
      [
        'a staff number of words',
        ours,
        { gym_id: gymId, mode: 'front-desk', staff_number: 'call Bob' },
        /staff_number/,
      ],
      [
        'the staff number is the number',
        ours,
        { gym_id: gymId, mode: 'front-desk', staff_number: '+12015550100' },
        /staff_number/,
      ],
      [
        'a staff number too long',
        ours,
        { gym_id: gymId, mode: 'front-desk', staff_number: '1'.repeat(41) },
        /staff_number/,
      ],
      ['an extra field', ours, { gym_id: gymId, mode: 'front-desk', gym_name: '<script>' }, /gym_name|unrecognized/i],
      ['not JSON', ours, '{"gym_id": ', /body must be a JSON object/],
      ['an array', ours, [gymId, 'front-desk'], /body/],
      ['null', ours, 'null', /body/],
      ['a path that is not E.164', '/v1/numbers/12015550100', { gym_id: gymId, mode: 'interview' }, /E\.164/],
      ['a path of words', '/v1/numbers/front%20desk', { gym_id: gymId, mode: 'interview' }, /E\.164/],
    ];
    for (const [name, path, body, field] of cases) {
      const r = await req('PUT', path, body);
      t.equal(r.status, 400, `${name}: 400`);
      t.match(r.json, { error: { code: /^(VALIDATION_FAILED|BAD_ARGUMENT)$/, message: field } }, `${name}: names it`);
    }
    t.same(await state(), before, 'no number added, changed or removed');
    // The same bad path on the other verbs: 400, not a look-up of words.
    t.equal((await req('GET', '/v1/numbers/front%20desk')).status, 400);
    t.equal((await req('DELETE', '/v1/numbers/12015550100')).status, 400);
    // There is no POST: numbers are PUT at their own path.
    const post = await req('POST', '/v1/numbers', { number: '+12015550101', gym_id: gymId, mode: 'interview' });
    t.ok(post.status === 404 || post.status === 405, `POST /v1/numbers: ${post.status}`);
    t.same(await state(), before, 'still nothing changed');
    // And the good request still works.
    const ok = await req('PUT', ours, { gym_id: gymId, mode: 'interview', staff_number: null });
    t.equal(ok.status, 200);
    t.match(ok.json, { number: '+12015550100', mode: 'interview', staff_number: null });
  });

  t.test('bad paging of the lists: 400 naming the parameter', async (t) => {
    const req = await serve(t, pool);
    for (const [path, field] of [
      ['/v1/numbers?limit=0', /limit/],
      ['/v1/numbers?limit=100000', /limit/],
      ['/v1/numbers?offset=-1', /offset/],
      ['/v1/messages?gym_id=abc', /gym_id/],
      ['/v1/messages?gym_id=0', /gym_id/],
    ] as const) {
      const r = await req('GET', path);
      t.equal(r.status, 400, path);
      t.match(r.json, { error: { code: 'BAD_ARGUMENT', message: field } }, path);
    }
  });
});
