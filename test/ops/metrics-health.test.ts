import t from 'tap';
import { createMetrics, LabelGuard } from '../../src/ops/metrics.js';
import {
  addonCheck,
  databaseCheck,
  healthRoutes,
  migrationsCheck,
  notDrainingCheck,
  type ReadinessCheck,
} from '../../src/ops/health.js';
import type { HttpRequest, Route } from '../../src/http/types.js';

const req = (path: string): HttpRequest => ({
  method: 'GET',
  path,
  query: new URLSearchParams(),
  headers: {},
  body: Buffer.alloc(0),
  remoteIp: '127.0.0.1',
});

function route(routes: Route[], pattern: string): Route {
  const r = routes.find((x) => x.pattern === pattern);
  if (!r) throw new Error(`no route ${pattern}`);
  return r;
}

t.test('metrics: every metric of the issue is exported with the values recorded', async (t) => {
  const m = createMetrics({ processMetrics: false });
  t.teardown(() => m.close());
  m.callStarted('inbound');
  m.callStarted('outbound');
  m.callEnded('inbound', 'goodbye');
  m.observeTurn('end_of_turn_to_first_audio', 420);
  m.observeTurn('asr_final', 150);
  m.observeTurn('llm_first_token', 350);
  m.observeTurn('tts_first_byte', 200);
  m.observeTurn('tts_first_byte', -5); // dropped: a clock bug must not poison the histogram
  m.providerError('tts', 'elevenlabs', 'PROVIDER_FAILED');
  m.providerFallback('tts', 'elevenlabs', 'openai', 'first-byte-timeout');
  m.bargeIn('interrupt');
  m.bargeIn('false');
  const out = m.timeDsp('resample', () => 42);
  t.equal(out, 42, 'timeDsp returns the wrapped result');
  m.rejected('at_capacity', 'webhook');

  const { contentType, body } = await m.render();
  t.match(contentType, /text\/plain/);
  t.match(body, /^gym_agent_active_calls 1$/m);
  t.match(body, /^gym_agent_calls_ended_total\{direction="inbound",reason="goodbye"\} 1$/m);
  t.match(body, /^gym_agent_calls_started_total\{direction="outbound"\} 1$/m);
  for (const stage of ['end_of_turn_to_first_audio', 'asr_final', 'llm_first_token', 'tts_first_byte']) {
    t.match(body, new RegExp(`^gym_agent_turn_latency_seconds_count\\{stage="${stage}"\\} 1$`, 'm'), stage);
  }
  t.match(body, /^gym_agent_turn_latency_seconds_sum\{stage="end_of_turn_to_first_audio"\} 0\.42$/m);
  t.match(body, /^gym_agent_provider_errors_total\{modality="tts",provider="elevenlabs",code="provider_failed"\} 1$/m);
  t.match(
    body,
    /^gym_agent_provider_fallbacks_total\{modality="tts",from="elevenlabs",to="openai",reason="first_byte_timeout"\} 1$/m,
  );
  t.match(body, /^gym_agent_barge_ins_total\{outcome="false"\} 1$/m);
  t.match(body, /^gym_agent_dsp_seconds_count\{op="resample"\} 1$/m);
  t.match(body, /^gym_agent_rejections_total\{reason="at_capacity",surface="webhook"\} 1$/m);
  t.match(body, /^gym_agent_event_loop_lag_p99_seconds \d/m);
});

t.test('metrics: process metrics are included by default', async (t) => {
  const m = createMetrics();
  t.teardown(() => m.close());
  const { body } = await m.render();
  t.match(body, /process_cpu_user_seconds_total/);
  t.match(body, /nodejs_eventloop_lag_seconds/);
});

t.test('label guard bounds cardinality and strips odd characters', async (t) => {
  const g = new LabelGuard(3);
  t.equal(g.clean('Caller Hung-Up!'), 'caller_hung_up');
  t.equal(g.clean(''), 'unknown');
  t.equal(g.clean('b'), 'b');
  t.equal(g.clean('c'), 'c');
  t.equal(g.clean('d'), 'other', 'a fourth distinct value folds into other');
  t.equal(g.clean('b'), 'b', 'known values still pass');
});

t.test('/healthz is 200 regardless of readiness checks', async (t) => {
  const routes = healthRoutes({ checks: [{ name: 'db', run: () => ({ ok: false }) }] });
  const res = await route(routes, '/healthz').handler(req('/healthz'), {});
  t.equal(res.status, 200);
  t.equal(JSON.parse(String(res.body)).status, 'ok');
  t.equal(res.headers?.['cache-control'], 'no-store');
  t.notOk(
    routes.some((r) => r.pattern === '/metrics'),
    'no /metrics route without a Metrics object',
  );
  t.ok(routes.every((r) => r.auth === 'none'));
});

t.test('/readyz: all checks ok → 200 with details', async (t) => {
  const checks: ReadinessCheck[] = [
    databaseCheck(async () => 1),
    migrationsCheck(async () => []),
    addonCheck(() => 'avx2'),
    notDrainingCheck(() => false),
  ];
  const res = await route(healthRoutes({ checks }), '/readyz').handler(req('/readyz'), {});
  t.equal(res.status, 200);
  const body = JSON.parse(String(res.body));
  t.equal(body.status, 'ready');
  t.same(
    body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
    [
      ['database', true],
      ['migrations', true],
      ['dsp-addon', true],
      ['not-draining', true],
    ],
  );
  t.equal(body.checks[2].detail, 'avx2');
});

t.test('/readyz: each failing check makes it 503 and says why', async (t) => {
  const cases: [string, ReadinessCheck, RegExp][] = [
    ['db down', databaseCheck(async () => Promise.reject(new Error('connect ECONNREFUSED'))), /ECONNREFUSED/],
    ['pending', migrationsCheck(async () => ['002_turns', '003_facts']), /2 pending: 002_turns, 003_facts/],
    [
      'addon',
      addonCheck(() => {
        throw new Error('ADDON_LOAD_FAILED: build/Release/dsp.node missing');
      }),
      /dsp\.node missing/,
    ],
    ['draining', notDrainingCheck(() => true), /draining/],
    ['hung', { name: 'hung', run: () => new Promise(() => undefined) }, /no answer within 50 ms/],
  ];
  for (const [label, check, why] of cases) {
    const res = await route(
      healthRoutes({ checks: [databaseCheck(async () => 1), check], checkTimeoutMs: 50 }),
      '/readyz',
    ).handler(req('/readyz'), {});
    t.equal(res.status, 503, label);
    const body = JSON.parse(String(res.body));
    t.equal(body.status, 'not-ready', label);
    t.equal(body.checks[0].ok, true, `${label}: healthy check still reported ok`);
    t.equal(body.checks[1].ok, false, label);
    t.match(body.checks[1].detail, why, label);
  }
});

t.test('/readyz flips to 503 the instant draining starts, without running checks', async (t) => {
  let draining = false;
  let ran = 0;
  const routes = healthRoutes({
    checks: [{ name: 'db', run: () => (ran++, { ok: true }) }],
    isDraining: () => draining,
  });
  t.equal((await route(routes, '/readyz').handler(req('/readyz'), {})).status, 200);
  draining = true;
  const res = await route(routes, '/readyz').handler(req('/readyz'), {});
  t.equal(res.status, 503);
  t.equal(JSON.parse(String(res.body)).status, 'draining');
  t.equal(ran, 1, 'checks not run while draining');
});

t.test('/metrics serves the registry in Prometheus text format', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  metrics.callStarted('inbound');
  const res = await route(healthRoutes({ checks: [], metrics }), '/metrics').handler(req('/metrics'), {});
  t.equal(res.status, 200);
  t.match(res.headers?.['content-type'], /text\/plain; version=0\.0\.4/);
  t.match(String(res.body), /^# TYPE gym_agent_active_calls gauge$/m);
  t.match(String(res.body), /^gym_agent_active_calls 1$/m);
});

t.test('instrumentDsp: same output, DSP time sampled into the histogram', async (t) => {
  const { loadDsp } = await import('../../src/dsp/index.js');
  const { instrumentDsp } = await import('../../src/ops/dsp-timing.js');
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  const raw = loadDsp();
  const every = instrumentDsp(raw, metrics, 1);
  const sampled = instrumentDsp(raw, metrics, 4);
  const pcm = Int16Array.from({ length: 480 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
  t.same(every.ulawEncode(pcm), raw.ulawEncode(pcm), 'identical μ-law');
  t.same(every.ulawDecode(raw.ulawEncode(pcm)), raw.ulawDecode(raw.ulawEncode(pcm)));
  t.same(every.frameFeatures(pcm, 160), raw.frameFeatures(pcm, 160));
  const a = every.createResampler(24000, 8000);
  const b = raw.createResampler(24000, 8000);
  t.equal(a.fromHz, 24000);
  t.same(a.push(pcm), b.push(pcm), 'identical resampling');
  t.same(a.flush(), b.flush());
  t.equal(every.kernels(), raw.kernels());
  for (let i = 0; i < 8; i++) sampled.ulawEncode(pcm);
  const { body } = await metrics.render();
  t.match(body, /^gym_agent_dsp_seconds_count\{op="ulaw_encode"\} 3$/m, '1 unsampled + 2 of 8 sampled');
  t.match(body, /^gym_agent_dsp_seconds_count\{op="resample"\} 1$/m);
  t.match(body, /^gym_agent_dsp_seconds_count\{op="frame_features"\} 1$/m);
  t.throws(() => instrumentDsp(raw, metrics, 0), RangeError);
});
