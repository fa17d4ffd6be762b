import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallResult } from '../../src/call/quality.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { startFakeStack, synthSpeech } from '../../src/fakes/index.js';
import type { ScriptedReply } from '../../src/fakes/openai.js';
import { createLogger } from '../../src/log.js';
import { seedDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';
import { OtlpCollector, type CollectedSpan } from './otlp-collector.js';

// The check: a demo call traced into a local OTLP collector. One outbound call on this machine: the real
// server, the fake Twilio, and the cloud providers' real SDKs (Deepgram, OpenAI, ElevenLabs) against their local
// protocol fakes, exported with OTEL_EXPORTER_OTLP_ENDPOINT. The gym says hello, hears the greeting and answers one
// question; the agent says goodbye and hangs up over Twilio REST. The trace must hold one trace id, the call's root,
// one span per stored agent turn with its latency stages in order and inside it, the provider requests, and no
// personal data.

t.setTimeout(120_000);

const PHONE = '+12015550199';
const GYM = 'Echo Gym';
const CALLER_LINES = ['Hello.', 'We are open six a.m. to ten p.m. every day.'];
const GOODBYE = "Thank you, that's everything I needed. Goodbye!";

function scripted(body: Record<string, unknown>): ScriptedReply {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: string }[]) : [];
  if (messages.filter((m) => m.role === 'user').length >= CALLER_LINES.length)
    return {
      text: GOODBYE,
      toolCalls: [{ name: 'end_call', arguments: '{"reason":"facts-complete"}' }],
      finishReason: 'tool_calls',
    };
  return { text: 'Thanks. What are your opening hours?' };
}

const pcm = (line: string) => {
  const b = synthSpeech(line, { sampleRate: 8000 });
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
};

const within = (c: CollectedSpan, p: CollectedSpan) => c.startNs >= p.startNs && c.endNs <= p.endNs;

t.test('a demo call exported to a local OTLP collector', async (t) => {
  const collector = new OtlpCollector();
  const url = await collector.listen();
  t.teardown(() => collector.close());
  const fakes = await startFakeStack({
    deepgram: { lines: CALLER_LINES },
    openai: { reply: scripted },
    // Short words: the agent's sentences play in a second or two (the test's length is the call's).
    elevenlabs: { synth: (text, sampleRate) => synthSpeech(text, { sampleRate, wordMs: 60, gapMs: 20 }) },
  });
  t.teardown(() => fakes.close());
  const dataDir = await mkdtemp(join(tmpdir(), 'otel-e2e-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await seedDatabase(dataDir);
  const env = await DemoEnvironment.start({
    dataDir,
    log: createLogger(process.env.E2E_LOG === '1' ? 'debug' : 'silent'),
    env: {
      ...fakes.env,
      ASR_PROVIDER: 'deepgram',
      LLM_PROVIDER: 'openai',
      TTS_PROVIDERS: 'elevenlabs',
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=s3cret%21',
    },
  });
  let closed = false;
  t.teardown(() => (closed ? undefined : env.close()));

  env.routing.callees.set(PHONE, async (stream) => {
    let agentFrames = 0;
    stream.onAgentAudio(() => agentFrames++);
    for (const [i, line] of CALLER_LINES.entries()) {
      if (i > 0) {
        await waitFor(() => agentFrames > 0, { timeoutMs: 20_000, what: 'the greeting' });
        await stream.agentIdle(500);
      }
      await stream.say(pcm(line));
    }
  });
  let ended!: (r: CallResult) => void;
  const done = new Promise<CallResult>((r) => (ended = r));
  const callId = await env.placeCall(PHONE, GYM);
  env.routing.watch(callId, { ended: (r) => ended(r) });
  const result = await done;
  t.equal(result.endReason, 'facts-complete', 'the agent ended the call');
  t.ok(await env.server.flush(10_000), 'the call is stored');
  const auth = { authorization: `Bearer ${env.apiToken}` };
  const stored = (await (await fetch(`${env.baseUrl}/v1/calls/${callId}`, { headers: auth })).json()) as {
    transcript: { speaker: string; text: string }[];
  };
  const agentTurns = stored.transcript.filter((l) => l.speaker === 'agent');
  // Closing the server flushes the trace (the drain's shutdown does the same).
  closed = true;
  await env.close();
  await waitFor(() => collector.spans.some((s) => s.name === 'call'), { what: 'the root span', timeoutMs: 10_000 });

  const spans = collector.spans;
  t.same(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace id for the call');
  t.ok(
    collector.requests.every((r) => r.headers['x-collector-key'] === 's3cret!'),
    'OTEL_EXPORTER_OTLP_HEADERS sent',
  );
  const root = spans.find((s) => s.name === 'call');
  if (root === undefined) return t.fail('no root span');
  t.equal(root.parentSpanId, undefined, 'the root has no parent');
  t.match(root.attributes, { 'call.id': callId, 'call.direction': 'outbound', 'call.end_reason': 'facts-complete' });
  t.match(root.resource, {
    'service.name': 'gym-call-agent',
    'service.version': String,
    'service.instance.id': String,
  });
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  t.ok(
    spans.every((s) => s === root || (s.parentSpanId !== undefined && byId.has(s.parentSpanId))),
    'every span hangs in the tree',
  );
  t.ok(
    spans.every((s) => s.startNs <= s.endNs && (s === root || within(s, byId.get(s.parentSpanId ?? '') ?? root))),
    'every span ended, inside its parent',
  );

  const turns = spans.filter((s) => s.name === 'turn').sort((a, b) => Number(a.startNs - b.startNs));
  t.equal(turns.length, agentTurns.length, `one span per stored agent turn (${agentTurns.length})`);
  t.ok(turns.length >= 2, 'the greeting and the goodbye');
  t.ok(
    turns.every((s) => s.parentSpanId === root.spanId),
    'turns are children of the call',
  );
  const childrenOf = (p: CollectedSpan) => spans.filter((s) => s.parentSpanId === p.spanId);
  const stage = (p: CollectedSpan, name: string) => childrenOf(p).find((s) => s.name === name);
  for (const turn of turns) {
    const reason = String(turn.attributes['turn.reason']);
    const asr = stage(turn, 'asr_final');
    const llm = stage(turn, 'llm_first_token');
    const tts = stage(turn, 'tts_first_byte');
    const frame = stage(turn, 'first_frame');
    t.ok(asr && tts && frame, `turn ${reason}: asr_final, tts_first_byte and first_frame`);
    if (!asr || !tts || !frame) continue;
    t.ok(asr.endNs <= frame.endNs, `turn ${reason}: the caller's final came before the agent's first frame`);
    t.ok(tts.endNs <= frame.startNs, `turn ${reason}: first byte, then first frame`);
    if (reason === 'greeting') continue;
    if (!llm) {
      t.fail(`turn ${reason}: no llm_first_token`);
      continue;
    }
    t.ok(llm.endNs <= tts.startNs, `turn ${reason}: first token, then the TTS request`);
    const eot = Number(turn.attributes['turn.end_of_turn_to_first_audio_ms']);
    t.ok(
      Math.abs(eot - Number(frame.endNs - llm.startNs) / 1e6) <= 1,
      `turn ${reason}: the stages add up to ${eot} ms`,
    );
  }
  // The same stamps as the call's own measurement (CallQuality): no second stopwatch.
  const traced = turns.map((s) => s.attributes['turn.end_of_turn_to_first_audio_ms']).filter((v) => v !== undefined);
  t.same(traced, result.serverAddedMs.map(Math.round), 'end_of_turn_to_first_audio as the call measured it');

  const requests = (name: string) => spans.filter((s) => s.name === name);
  const asr = requests('asr.session');
  t.equal(asr.length, 1, 'one recogniser session');
  t.match(asr[0]?.attributes, { 'provider.name': 'deepgram', 'provider.model': 'nova-3', 'provider.status': 'ok' });
  t.equal(asr[0]?.parentSpanId, root.spanId, 'the session belongs to the call');
  const llm = requests('llm.request').filter((s) => s.attributes['provider.status'] === 'ok');
  t.ok(llm.length >= 1, 'LLM requests');
  t.ok(
    llm.every((s) => s.attributes['provider.name'] === 'openai' && s.attributes['provider.model'] === 'gpt-4o-mini'),
    'OpenAI, its model',
  );
  t.ok(
    llm.every((s) => s.events.some((e) => e.name === 'first_token')),
    'each completed chat request has its first token',
  );
  const tts = requests('tts.request');
  t.ok(tts.length >= 2, 'TTS requests');
  t.ok(
    tts.every((s) => turns.some((x) => x.spanId === s.parentSpanId)),
    'each TTS request is part of a turn',
  );
  t.ok(
    tts
      .filter((s) => s.attributes['provider.status'] === 'ok')
      .every((s) => s.attributes['provider.name'] === 'elevenlabs' && s.events.some((e) => e.name === 'first_byte')),
    'ElevenLabs, first byte',
  );
  const hangup = requests('twilio.hangup');
  t.equal(hangup.length, 1, 'the hang-up over Twilio REST');
  t.match(hangup[0]?.attributes, { 'provider.status': 'ok', 'provider.retries': 0 });
  t.notOk(
    spans.some((s) => s.attributes['provider.status'] === 'unfinished'),
    'nothing was cut short at the end of the call',
  );

  // Personal data: the gym's number and name, what either side said.
  const said = [...stored.transcript.map((l) => l.text), ...CALLER_LINES, GOODBYE].filter((x) => x.length > 6);
  const secrets = [PHONE, PHONE.slice(2), GYM, 's3cret', ...said].map((x) => x.toLowerCase());
  const values = spans.flatMap((s) => [
    ...Object.values(s.attributes),
    ...Object.values(s.resource),
    ...s.events.flatMap((e) => [e.name, ...Object.values(e.attributes)]),
  ]);
  const leaked = values.filter((v) => typeof v === 'string' && secrets.some((x) => v.toLowerCase().includes(x)));
  t.same(leaked, [], 'no phone number, gym name, words or exporter header in the trace');
});
