import t from 'tap';
import { createRequire } from 'node:module';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { NO_CALL_TRACE } from '../../src/tracing/call-trace.js';
import { parseOtlpHeaders, tracingSettings } from '../../src/tracing/settings.js';
import { NO_TRACING, startTracing } from '../../src/tracing/tracing.js';

// Tracing is configured by the OpenTelemetry standard variables, validated in src/config; unset, it is off and the
// call path costs nothing: no SDK module is loaded and every call gets the no-op trace with its providers as they are.

t.test('off without an endpoint: NO_TRACING, and the SDK is not even loaded', async (t) => {
  const tracing = await startTracing(tracingSettings(loadConfig({})), { log: createLogger('silent'), instanceId: 'i' });
  t.equal(tracing, NO_TRACING);
  t.equal(tracing.call({ callId: 'c', direction: 'inbound' }), NO_CALL_TRACE);
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@opentelemetry'));
  t.same(loaded, [], 'no @opentelemetry module in this process');
  await tracing.shutdown();
});

t.test('the no-op trace hands the providers back as they are and ignores every stamp', async (t) => {
  const asr = { name: 'a' } as never;
  const llm = { name: 'l' } as never;
  const tts = { name: 't' } as never;
  t.equal(NO_CALL_TRACE.asr(asr), asr);
  t.equal(NO_CALL_TRACE.llm(llm), llm);
  t.equal(NO_CALL_TRACE.tts(tts), tts);
  t.equal(NO_CALL_TRACE.hangup(undefined), undefined);
  t.equal(NO_CALL_TRACE.recording, false);
  NO_CALL_TRACE.replyRequested(1);
  NO_CALL_TRACE.firstFrame('u', 2);
  NO_CALL_TRACE.end({ reason: 'caller-hangup' });
  t.ok(Object.isFrozen(NO_CALL_TRACE));
});

t.test('where traces go: the base endpoint plus /v1/traces, or the traces endpoint as given', async (t) => {
  const c = (env: Record<string, string>) => tracingSettings(loadConfig(env));
  t.match(c({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), {
    url: 'http://collector:4318/v1/traces',
    serviceName: 'gym-call-agent',
    headers: {},
  });
  t.equal(c({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/base/' })?.url, 'https://otel.example/base/v1/traces');
  t.equal(
    c({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/custom' })?.url,
    'http://b/custom',
  );
  t.equal(c({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }), undefined, 'disabled');
  t.equal(c({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), undefined, 'blank is unset');
  t.equal(c({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SERVICE_NAME: 'agent-eu' })?.serviceName, 'agent-eu');
});

t.test('headers: name=value pairs, percent-decoded; a bad one is named without its value', async (t) => {
  t.same(parseOtlpHeaders('api-key=abc%3D%3D, X-Tenant = gyms ,,'), { 'api-key': 'abc==', 'x-tenant': 'gyms' });
  t.same(parseOtlpHeaders(''), {});
  t.match(parseOtlpHeaders('novalue'), /entry 1 must be name=value/);
  t.match(parseOtlpHeaders('bad name=x'), /entry 1/);
  t.match(parseOtlpHeaders('k=%E0%A4%A'), /value of k is not valid percent-encoding/);
  const err = t.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'key=%zzsecret' })) as Error;
  t.match(err.message, /OTEL_EXPORTER_OTLP_HEADERS/);
  t.notMatch(err.message, /secret/, 'the value is never in the error');
  t.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }), /OTEL_EXPORTER_OTLP_ENDPOINT/);
});
