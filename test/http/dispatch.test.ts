import t from 'tap';
import { AppError } from '../../src/errors.js';
import { json, type Route } from '../../src/http/types.js';
import { startServer } from '../telephony/helpers.js';

const routes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/things/:id',
    auth: 'api-token',
    handler: async (req, p) => json(200, { id: p.id, q: req.query.get('q') }),
  },
  {
    method: 'POST',
    pattern: '/v1/echo',
    auth: 'api-token',
    handler: async (req) => json(200, { bytes: req.body.length }),
  },
  {
    method: 'GET',
    pattern: '/v1/fails',
    auth: 'api-token',
    handler: async () => {
      throw new Error('secret detail');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/busy',
    auth: 'api-token',
    handler: async () => {
      throw new AppError('DB_UNAVAILABLE', 'database unreachable');
    },
  },
  { method: 'GET', pattern: '/healthz', auth: 'none', handler: async () => json(200, { ok: true }) },
];

t.test('routes over uWS: params, query, body, auth, JSON errors', async (t) => {
  const token = 'tok-0123456789abcdef0123456789abcdef';
  const ts = await startServer({ routes, apiToken: token });
  t.teardown(() => ts.close());
  const base = `http://127.0.0.1:${ts.port}`;
  const auth = { authorization: `Bearer ${token}` };
  const jsonAuth = { ...auth, 'content-type': 'application/json' };
  const get = async (path: string, headers: Record<string, string> = auth) => {
    const r = await fetch(base + path, { headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
  };
  t.same((await get('/v1/things/a%20b?q=1')).body, { id: 'a b', q: '1' }, 'decoded params and query');
  t.same((await get('/healthz', {})).body, { ok: true }, "auth 'none' needs no token");
  const noTok = await get('/v1/things/x', {});
  t.equal(noTok.status, 401);
  t.equal(noTok.headers.get('www-authenticate'), 'Bearer');
  const nope = await get('/nope');
  t.same([nope.status, nope.body], [404, { error: { code: 'NOT_FOUND', message: 'no such route' } }]);
  const wrongMethod = await fetch(base + '/v1/echo', { headers: auth });
  t.equal(wrongMethod.status, 405);
  t.equal(wrongMethod.headers.get('allow'), 'POST');
  const failed = await get('/v1/fails');
  t.same(
    failed.body,
    { error: { code: 'INTERNAL', message: 'internal error' } },
    'unexpected errors do not leak details',
  );
  t.equal(failed.status, 500);
  const busy = await get('/v1/busy');
  t.same([busy.status, busy.body], [503, { error: { code: 'DB_UNAVAILABLE', message: 'database unreachable' } }]);
  const post = await fetch(base + '/v1/echo', { method: 'POST', headers: jsonAuth, body: Buffer.alloc(60_000, 1) });
  t.same(await post.json(), { bytes: 60_000 }, 'body read completely across chunks');
  const big = await fetch(base + '/v1/echo', {
    method: 'POST',
    headers: jsonAuth,
    body: Buffer.alloc(70_000, 1),
  }).catch((e: unknown) => e);
  t.ok(big instanceof Error || (big as Response).status === 413, 'over 64 KiB → 413 (or the connection is closed)');
});
