import t from 'tap';
import { json, type Route } from '../../src/http/types.js';
import { isJsonMediaType, RequestPolicy } from '../../src/http/request-policy.js';
import { signRequest } from '../../src/telephony/signature.js';
import { AUTH_TOKEN, PUBLIC_BASE, startServer } from '../telephony/helpers.js';
import { send, sendRaw } from './wire.js';

// Issue 14, security 5: a web page must not be able to make a visitor's browser place calls (cross-site POSTs), nor
// read /review through DNS rebinding (unknown Host names); Twilio's webhooks keep working.

let placed = 0;
let webhooks = 0;
const routes: Route[] = [
  { method: 'POST', pattern: '/v1/calls', auth: 'api-token', handler: async () => (placed++, json(201, {})) },
  { method: 'GET', pattern: '/review', auth: 'none', handler: async () => json(200, { transcripts: [] }) },
  {
    method: 'POST',
    pattern: '/twilio/voice',
    auth: 'twilio-signature',
    handler: async () => (webhooks++, { status: 200, body: '<Response/>' }),
  },
];
const PUBLIC_HOST = new URL(PUBLIC_BASE).host;

t.test('open API on loopback (no API_TOKEN): browser-made requests are refused', async (t) => {
  const ts = await startServer({ routes });
  t.teardown(() => ts.close());
  const local = `127.0.0.1:${ts.port}`;
  const post = (headers: Record<string, string>, body = '{"phone_number":"+12015550123","gym_name":"G"}') =>
    send(ts.port, { method: 'POST', path: '/v1/calls', headers: { host: local, ...headers }, body });

  // What a <form> or a no-cors fetch from any page can send without a preflight.
  const text = await post({ 'content-type': 'text/plain;charset=UTF-8' });
  t.same([text.status, JSON.parse(text.body).error.code], [415, 'UNSUPPORTED_MEDIA_TYPE'], 'text/plain → 415');
  const form = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'phone_number=%2B12015550123');
  t.equal(form.status, 415, 'form → 415');
  t.equal((await post({ 'content-type': 'multipart/form-data; boundary=x' })).status, 415, 'multipart → 415');
  t.equal((await post({})).status, 415, 'a body without a content type → 415');

  const crossSite = await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' });
  t.same([crossSite.status, JSON.parse(crossSite.body).error.code], [403, 'CROSS_SITE_REQUEST']);
  t.equal((await post({ 'content-type': 'application/json', 'sec-fetch-site': 'same-site' })).status, 403);
  t.equal(
    (await post({ 'content-type': 'application/json', origin: 'https://evil.example' })).status,
    403,
    'a foreign Origin (browsers without Fetch Metadata) → 403',
  );
  t.equal((await post({ 'content-type': 'application/json', origin: 'null' })).status, 403, 'sandboxed page → 403');
  t.equal(placed, 0, 'none of them reached the handler');

  t.equal((await post({ 'content-type': 'application/json' })).status, 201, 'curl / the CLI: no browser headers');
  t.equal(
    (await post({ 'content-type': 'application/json; charset=utf-8', 'sec-fetch-site': 'same-origin' })).status,
    201,
  );
  t.equal((await post({ 'content-type': 'application/json', origin: `http://${local}` })).status, 201, 'same origin');
  t.equal(placed, 3);

  const review = (headers: Record<string, string>) =>
    send(ts.port, { path: '/review', headers: { host: local, ...headers } });
  t.equal(
    (await review({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' })).status,
    403,
    'a script on another site reading /review → 403',
  );
  t.equal(
    (await review({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }))
      .status,
    200,
    'a link to /review followed from a chat message still opens',
  );
  t.equal(
    (await review({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' })).status,
    403,
    'framed by another site → 403',
  );
});

t.test('unknown Host names are refused (DNS rebinding); known ones and IP literals are served', async (t) => {
  const ts = await startServer({ routes });
  t.teardown(() => ts.close());
  const get = (host: string) => send(ts.port, { path: '/review', headers: { host } });
  const rebound = await get(`attacker.example:${ts.port}`);
  t.same([rebound.status, JSON.parse(rebound.body).error.code], [421, 'HOST_NOT_ALLOWED'], 'rebinding → 421');
  t.equal((await get('localhost.attacker.example')).status, 421);
  t.equal((await get('agent.example.test.attacker.example')).status, 421, 'a suffix is not the host');
  t.equal((await get('bad host')).status, 421, 'malformed');
  for (const host of [
    `127.0.0.1:${ts.port}`,
    `localhost:${ts.port}`,
    `[::1]:${ts.port}`,
    '10.42.0.7:8080',
    PUBLIC_HOST,
  ])
    t.equal((await get(host)).status, 200, host);
  t.equal((await get('AGENT.example.test.')).status, 200, 'case and the trailing dot of an FQDN do not matter');
  // uWS itself drops a request with no Host line at all; an empty one reaches us.
  const emptyHost = await sendRaw(ts.port, 'GET /review HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n');
  t.match(emptyHost.reply, /^HTTP\/1\.1 421 /, 'empty Host');
});

t.test('Twilio webhooks still work: signed, form body, Host of PUBLIC_BASE_URL', async (t) => {
  const ts = await startServer({ routes });
  t.teardown(() => ts.close());
  const params = { CallSid: 'CA' + '1'.repeat(32), From: '+12015550123' };
  const body = new URLSearchParams(params).toString();
  const hook = (host: string, signature = signRequest(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/voice`, params)) =>
    send(ts.port, {
      method: 'POST',
      path: '/twilio/voice',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body,
    });
  t.equal((await hook(PUBLIC_HOST)).status, 200, 'form body accepted on a webhook');
  t.equal((await hook(PUBLIC_HOST, 'forged')).status, 403);
  t.equal((await hook('attacker.example')).status, 421, 'the Host check applies to webhooks too');
  t.equal(webhooks, 1);
});

t.test('RequestPolicy: ALLOWED_HOSTS, media types', async (t) => {
  const p = new RequestPolicy({ publicBaseUrl: 'https://agent.example.com/base', allowedHosts: ['agent.lan'] });
  t.ok(p.hostAllowed('agent.lan:8080'));
  t.ok(p.hostAllowed('agent.example.com'));
  t.notOk(p.hostAllowed('other.lan'));
  t.notOk(p.hostAllowed(undefined));
  t.notOk(p.hostAllowed('agent.lan@evil.example'));
  t.ok(isJsonMediaType('application/json'));
  t.ok(isJsonMediaType('Application/JSON; charset=utf-8'));
  t.ok(isJsonMediaType('application/merge-patch+json'));
  t.notOk(isJsonMediaType('text/plain'));
  t.notOk(isJsonMediaType('application/jsonp'));
  t.notOk(isJsonMediaType('text/json'));
});
