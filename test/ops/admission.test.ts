import t from 'tap';
import { RateLimiter, clientIp, withRateLimit } from '../../src/http/rate-limit.js';
import { CallCapacity, busyTwiml, busyVoiceResponse, unavailableResponse } from '../../src/ops/capacity.js';
import { createMetrics } from '../../src/ops/metrics.js';
import type { HttpRequest, Route } from '../../src/http/types.js';

const req = (path: string, remoteIp = '10.0.0.1', headers: Record<string, string> = {}): HttpRequest => ({
  method: 'POST',
  path,
  query: new URLSearchParams(),
  headers,
  body: Buffer.alloc(0),
  remoteIp,
});

t.test('token bucket: burst, refusal with Retry-After, refill over time, per key', async (t) => {
  let now = 0;
  const rl = new RateLimiter({ perMinute: 60, burst: 3, now: () => now });
  t.same(
    [1, 2, 3].map(() => rl.take('a').allowed),
    [true, true, true],
  );
  const refused = rl.take('a');
  t.equal(refused.allowed, false);
  t.equal(refused.retryAfterS, 1, 'one token per second → retry after 1 s');
  t.equal(rl.take('b').allowed, true, 'another client has its own bucket');
  now += 1000;
  t.equal(rl.take('a').allowed, true, 'refilled one token after 1 s');
  t.equal(rl.take('a').allowed, false);
  now += 60_000;
  t.same(
    [1, 2, 3, 4].map(() => rl.take('a').allowed),
    [true, true, true, false],
    'refill caps at burst',
  );
});

t.test('token bucket: slow rate gives a long Retry-After', async (t) => {
  const rl = new RateLimiter({ perMinute: 2, burst: 1, now: () => 0 });
  t.ok(rl.take('x').allowed);
  t.equal(rl.take('x').retryAfterS, 30);
});

t.test('token bucket: memory stays bounded', async (t) => {
  let now = 0;
  const rl = new RateLimiter({ perMinute: 600, burst: 10, maxClients: 100, now: () => now });
  for (let i = 0; i < 1000; i++) rl.take(`ip-${i}`);
  t.ok(rl.trackedClients <= 100, `hard cap holds (${rl.trackedClients})`);
  now += 5_000; // 10 tokens at 10/s: every bucket is full again
  rl.take('late');
  t.equal(rl.trackedClients, 1, 'idle full buckets are forgotten');
  t.throws(() => new RateLimiter({ perMinute: 0 }), RangeError);
});

t.test('client IP: socket peer unless proxies are trusted', async (t) => {
  const r = { remoteIp: '10.42.0.7', headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' } };
  t.equal(clientIp(r, 0), '10.42.0.7');
  t.equal(clientIp(r, 1), '203.0.113.9', 'Traefik appended the real peer: rightmost entry');
  t.equal(clientIp(r, 2), '6.6.6.6');
  t.equal(clientIp(r, 5), '6.6.6.6', 'more hops than entries → leftmost');
  t.equal(clientIp({ remoteIp: '10.42.0.7', headers: {} }, 1), '10.42.0.7');
});

t.test('withRateLimit limits /v1 and /twilio, leaves health alone', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  let calls = 0;
  const mk = (pattern: string): Route => ({
    method: 'POST',
    pattern,
    auth: 'none',
    handler: async () => (calls++, { status: 200 }),
  });
  const routes = withRateLimit([mk('/v1/calls'), mk('/twilio/voice'), mk('/healthz'), mk('/v1x')], {
    limiter: new RateLimiter({ perMinute: 60, burst: 1, now: () => 0 }),
    trustedHops: 1,
    metrics,
  });
  const [api, hook, health, v1x] = routes as [Route, Route, Route, Route];
  t.equal((await api.handler(req('/v1/calls', '10.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), {})).status, 200);
  const res = await api.handler(req('/v1/calls', '10.0.0.2', { 'x-forwarded-for': '198.51.100.1' }), {});
  t.equal(res.status, 429, 'same client behind the proxy is limited');
  t.equal(res.headers?.['retry-after'], '1');
  t.equal(JSON.parse(String(res.body)).error.code, 'RATE_LIMITED');
  t.equal(
    (await hook.handler(req('/twilio/voice', '10.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), {})).status,
    429,
  );
  t.equal((await api.handler(req('/v1/calls', '10.0.0.1', { 'x-forwarded-for': '198.51.100.2' }), {})).status, 200);
  for (let i = 0; i < 5; i++) t.equal((await health.handler(req('/healthz'), {})).status, 200);
  for (let i = 0; i < 3; i++) t.equal((await v1x.handler(req('/v1x'), {})).status, 200, '/v1x is not under /v1');
  t.equal(calls, 2 + 5 + 3, 'refused requests never reach the handler');
  const { body } = await metrics.render();
  t.match(body, /gym_agent_rejections_total\{reason="rate_limited",surface="api"\} 1/);
  t.match(body, /gym_agent_rejections_total\{reason="rate_limited",surface="webhook"\} 1/);
});

t.test('capacity: admits up to max, idempotent per call, releases, owns the gauge', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  const cap = new CallCapacity({ max: 2, metrics });
  t.same(cap.tryAdmit('c1', 'inbound'), { ok: true });
  t.same(cap.tryAdmit('c1', 'inbound'), { ok: true }, 'webhook retry does not take a second slot');
  t.same(cap.tryAdmit('c2', 'outbound'), { ok: true });
  t.same(cap.tryAdmit('c3', 'inbound'), { ok: false, reason: 'at_capacity' });
  t.equal(cap.active, 2);
  t.equal(cap.claim('c1'), 'claimed');
  t.equal(cap.claim('c1'), 'busy', 'a second stream for the same call');
  t.equal(cap.claim('nope'), 'unknown', 'a stream cannot claim a call nobody admitted');
  t.ok(cap.confirm('c1'), 'the stream owns the call: counted as started');
  t.ok(cap.release('c1', 'goodbye'));
  t.notOk(cap.release('c1', 'goodbye'), 'release is idempotent');
  t.same(cap.tryAdmit('c3', 'inbound'), { ok: true });
  cap.release('c2', 'no-answer'); // never had a stream: counted started and ended here (no store to settle with)
  t.equal(cap.claim('c3'), 'claimed');
  cap.abandon('c3'); // its stream lost the store's claim: another stream or replica owns it; nothing counted
  t.equal(cap.active, 0);
  const { body } = await metrics.render();
  t.match(body, /^gym_agent_active_calls 0$/m);
  t.match(body, /gym_agent_calls_started_total\{direction="inbound"\} 1/);
  t.match(body, /gym_agent_calls_ended_total\{direction="inbound",reason="goodbye"\} 1/);
  t.match(body, /gym_agent_calls_ended_total\{direction="outbound",reason="no_answer"\} 1/);
  t.match(body, /gym_agent_rejections_total\{reason="at_capacity",surface="webhook"\} 1/);
  t.throws(() => new CallCapacity({ max: 0 }), RangeError);
});

t.test('capacity: a call that never had a stream is counted only by the replica that settles it', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  const settled = new Set<string>();
  const settle = async (id: string) => !settled.has(id) && settled.add(id) !== undefined;
  const here = new CallCapacity({ max: 2, metrics, settleWithoutStream: settle });
  const there = new CallCapacity({ max: 2, settleWithoutStream: settle });
  there.tryAdmit('x', 'inbound');
  there.release('x', 'stream_never_connected'); // the other replica settled it first
  here.tryAdmit('x', 'inbound');
  here.release('x', 'stream_never_connected');
  here.tryAdmit('y', 'inbound');
  here.release('y', 'busy');
  await new Promise((r) => setImmediate(r));
  const { body } = await metrics.render();
  t.notMatch(body, /reason="stream_never_connected"/, 'x was counted by the replica that settled it, not here');
  t.match(body, /gym_agent_calls_ended_total\{direction="inbound",reason="busy"\} 1/);
  t.match(body, /^gym_agent_active_calls 0$/m);
});

t.test('capacity: refuses everything while draining; whenIdle resolves on the last release', async (t) => {
  let draining = false;
  const cap = new CallCapacity({ max: 5, isDraining: () => draining });
  cap.tryAdmit('a', 'inbound');
  cap.tryAdmit('b', 'outbound');
  draining = true;
  t.same(cap.tryAdmit('c', 'inbound'), { ok: false, reason: 'draining' });
  t.same(cap.tryAdmit('a', 'inbound'), { ok: true }, 'an already admitted call keeps its slot');
  let idle = false;
  const p = cap.whenIdle().then(() => (idle = true));
  cap.release('a', 'goodbye');
  await new Promise((r) => setImmediate(r));
  t.equal(idle, false, 'one call still live');
  cap.release('b', 'goodbye');
  await p;
  t.equal(idle, true);
  await cap.whenIdle(); // resolves at once when idle
});

t.test('capacity: an admitted call whose stream never connects frees its slot', async (t) => {
  const cap = new CallCapacity({ max: 1, unclaimedTimeoutMs: 20 });
  cap.tryAdmit('ghost', 'inbound');
  cap.tryAdmit('real', 'inbound');
  t.equal(cap.active, 1);
  await new Promise((r) => setTimeout(r, 60));
  t.equal(cap.active, 0, 'ghost released');
  t.same(cap.tryAdmit('real', 'inbound'), { ok: true });
  cap.claim('real');
  await new Promise((r) => setTimeout(r, 60));
  t.equal(cap.active, 1, 'a claimed call is not timed out');
  cap.release('real', 'goodbye');
});

t.test('capacity: an outbound call waits for its answer, then for its stream', async (t) => {
  const cap = new CallCapacity({ max: 1, unclaimedTimeoutMs: 20, ringingTimeoutMs: 200 });
  cap.tryAdmit('out', 'outbound'); // POST /v1/calls: it rings first
  await new Promise((r) => setTimeout(r, 60));
  t.equal(cap.active, 1, 'still ringing: the slot is held');
  t.same(cap.awaitStream('out', 'outbound'), { ok: true }, 'answered: the voice webhook sends it its stream');
  await new Promise((r) => setTimeout(r, 60));
  t.equal(cap.active, 0, 'no stream within the stream wait: released');
});

t.test('busy TwiML is produced by the twilio helper, spoken, then hangs up', async (t) => {
  const xml = busyTwiml('at_capacity');
  t.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say voice="Polly\.Joanna" language="en-US">/);
  t.match(xml, /All of our lines are busy right now/);
  t.match(xml, /<\/Say><Hangup\/><\/Response>$/);
  t.notMatch(xml, /<Connect>|<Stream/, 'no media stream is opened for a busy call');
  t.match(busyTwiml('draining'), /restarting/);
  t.match(busyTwiml('at_capacity', 'es'), /<Say voice="Polly\.Mia" language="es-MX">Hola, gracias por llamar\. Todas/);
  const res = busyVoiceResponse('at_capacity');
  t.equal(res.status, 200, 'Twilio must get 200, or it plays its own application-error message');
  t.equal(res.headers?.['content-type'], 'text/xml');
});

t.test('API answer at capacity / draining: 503 + Retry-After + catalogue code', async (t) => {
  const cap = unavailableResponse('at_capacity');
  t.equal(cap.status, 503);
  t.equal(cap.headers?.['retry-after'], '30');
  t.equal(JSON.parse(String(cap.body)).error.code, 'AT_CAPACITY');
  const dr = unavailableResponse('draining', 5);
  t.equal(dr.headers?.['retry-after'], '5');
  t.equal(JSON.parse(String(dr.body)).error.code, 'DRAINING');
});
