import t from 'tap';
import type pg from 'pg';
import { createLogger } from '../../src/log.js';
import { LoginThrottle } from '../../src/http/auth.js';
import { Dispatcher } from '../../src/http/dispatch.js';
import { RateLimiter, withRateLimit } from '../../src/http/rate-limit.js';
import { RequestPolicy } from '../../src/http/request-policy.js';
import { json, type HttpRequest, type Route } from '../../src/http/types.js';
import { reviewRoutes } from '../../src/review/routes.js';
import { startServer } from '../telephony/helpers.js';
import { send } from './wire.js';

// Issue 14, security 7: wrong tokens are limited per client IP (behind the proxy: the address TRUST_PROXY_HOPS
// picks), on the API and on /review's sign-in alike, and /review itself is rate-limited.

const TOKEN = 't'.repeat(40);
const api: Route = { method: 'GET', pattern: '/v1/things', auth: 'api-token', handler: async () => json(200, {}) };
/** The review page's queries answer with no rows: these tests are about signing in. */
const emptyPool = { query: async () => ({ rows: [] }) } as unknown as pg.Pool;

t.test('wrong bearer tokens: ten, then 429 with Retry-After even for the right one', async (t) => {
  const ts = await startServer({ routes: [api], apiToken: TOKEN });
  t.teardown(() => ts.close());
  const get = (token?: string) =>
    send(ts.port, {
      path: '/v1/things',
      headers: { host: `127.0.0.1:${ts.port}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  for (let i = 0; i < 10; i++) t.equal((await get(`guess-${i}`)).status, 401, `guess ${i + 1}`);
  const locked = await get('guess-10');
  t.equal(locked.status, 429, 'the eleventh guess is refused');
  t.equal(JSON.parse(locked.body).error.code, 'RATE_LIMITED');
  t.ok(Number(locked.headers['retry-after']) >= 1, 'Retry-After');
  t.equal((await get(TOKEN)).status, 429, 'a right guess in the lock-out is not even compared');
  t.equal((await get()).status, 401, 'no credentials: not a guess, just the challenge');
});

t.test('the throttle is per client: behind the proxy the X-Forwarded-For entry TRUST_PROXY_HOPS picks', async (t) => {
  const logins = new LoginThrottle({ trustedHops: 1 });
  const d = new Dispatcher({
    routes: [api],
    apiToken: TOKEN,
    policy: new RequestPolicy({}),
    logins,
    log: createLogger('silent'),
  });
  const req = (client: string, token: string): HttpRequest => ({
    method: 'GET',
    path: '/v1/things',
    query: new URLSearchParams(),
    headers: { host: 'localhost', authorization: `Bearer ${token}`, 'x-forwarded-for': `6.6.6.6, ${client}` },
    body: Buffer.alloc(0),
    remoteIp: '10.42.0.1', // the ingress: every request comes from it
  });
  for (let i = 0; i < 10; i++) await d.handle(req('203.0.113.9', 'wrong'));
  t.equal((await d.handle(req('203.0.113.9', TOKEN))).status, 429, 'the guessing client is locked out');
  t.equal((await d.handle(req('198.51.100.7', TOKEN))).status, 200, 'another client behind the same proxy is not');
});

t.test('/review sign-in shares the count; /review is rate-limited', async (t) => {
  const logins = new LoginThrottle({ trustedHops: 0 });
  const routes = withRateLimit(reviewRoutes({ pool: emptyPool, apiToken: TOKEN, logins }), {
    limiter: new RateLimiter({ perMinute: 60, burst: 13 }),
  });
  const d = new Dispatcher({
    routes: [...routes, api],
    apiToken: TOKEN,
    policy: new RequestPolicy({}),
    logins,
    log: createLogger('silent'),
  });
  const basic = (password: string) => `Basic ${Buffer.from(`me:${password}`).toString('base64')}`;
  const req = (authorization?: string): HttpRequest => ({
    method: 'GET',
    path: '/review',
    query: new URLSearchParams(),
    headers: { host: 'localhost', ...(authorization ? { authorization } : {}) },
    body: Buffer.alloc(0),
    remoteIp: '192.0.2.5',
  });
  t.equal((await d.handle(req())).status, 401, 'first visit: the browser is asked to sign in');
  t.equal((await d.handle(req(basic(TOKEN)))).status, 200, 'the token as the password');
  for (let i = 0; i < 10; i++) t.equal((await d.handle(req(basic(`pw-${i}`)))).status, 401);
  const locked = await d.handle(req(basic(TOKEN)));
  t.equal(locked.status, 429, 'locked out after ten wrong passwords');
  t.match(String(locked.body), /Too many attempts/);
  t.ok(Number(locked.headers?.['retry-after']) >= 1);
  const viaApi = await d.handle({ ...req(`Bearer ${TOKEN}`), path: '/v1/things' });
  t.equal(viaApi.status, 429, 'and on the API: one count for both sign-in surfaces');
  const limited = await d.handle(req());
  t.equal(limited.status, 429, 'the fourteenth request in a burst of 13: /review is rate-limited');
  t.match(String(limited.body), /RATE_LIMITED/);
});
