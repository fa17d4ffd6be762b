import t from 'tap';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { AgentTurnLedger, CallerTurnLedger } from '../../machines/events.js';
import { AppError } from '../../src/errors.js';
import type { LlmChunk, LlmProvider } from '../../src/providers/llm/types.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import { SpanCallTrace } from '../../src/tracing/span-call-trace.js';
import { drain, INPUT } from './fakes.js';

// A call's trace from the stamps and events a session gives it, into an in-memory exporter: the turn and its stages,
// where requests go, and that nothing stays open however the call ends (hung up mid-turn, failed, work that never
// finishes).

const now = () => performance.now();
const ns = (hr: [number, number]) => BigInt(hr[0]) * 1_000_000_000n + BigInt(hr[1]);
const start = (s: ReadableSpan) => ns(s.startTime);
const end = (s: ReadableSpan) => ns(s.endTime);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

function setup(graceMs = 2000) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const done: SpanCallTrace[] = [];
  const trace = new SpanCallTrace(
    provider.getTracer('test'),
    { callId: 'call-1', direction: 'outbound', gymId: '7' },
    (x) => done.push(x),
    graceMs,
  );
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const childrenOf = (p: ReadableSpan) => spans().filter((s) => parentOf(s) === p.spanContext().spanId);
  return { trace, done, spans, named, childrenOf };
}

/** An LLM that answers one sentence, telling the request's sink its first token; or hangs after it (`hang`). */
function llmSaying(text: string, o: { hang?: AbortSignal } = {}): LlmProvider {
  return {
    name: 'fake-llm',
    model: 'fake-model',
    capabilities: { streaming: true, tools: false },
    async *respond(input, signal): AsyncIterable<LlmChunk> {
      input.onMetric?.({ kind: 'llm-first-token', provider: 'fake-llm', ms: 1 });
      yield { type: 'text', delta: text };
      if (o.hang) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      if (signal.aborted) return;
      input.onUsage?.({ inputTokens: 10, outputTokens: 3 });
      yield { type: 'done', finishReason: 'stop' };
    },
  };
}

const TTS: TtsProvider = {
  name: 'fake-tts',
  capabilities: { sampleRate: 8000, streaming: true },
  async synthesize(_text, _signal, request) {
    request?.onMetric?.({ kind: 'tts-first-byte', provider: 'fake-tts', ms: 1 });
    return {
      sampleRate: 8000,
      provider: 'fake-tts',
      model: 'voice-1',
      chunks: (async function* () {
        yield new Uint8Array(160);
        yield new Uint8Array(160);
      })(),
    };
  },
};

const callerTurn = (seq: number): CallerTurnLedger => ({
  type: 'ledger.callerTurn',
  callId: 'call-1',
  seq,
  text: 'we open at six',
  confidence: 0.9,
  startMs: 0,
  endMs: 1000,
  endpoint: 'semantic',
});

const agentTurn = (seq: number, ids: string[], reason: AgentTurnLedger['reason'] = 'reply'): AgentTurnLedger => ({
  type: 'ledger.agentTurn',
  callId: 'call-1',
  seq,
  reason,
  text: 'Thanks. What do you charge?',
  heardText: 'Thanks. What do you charge?',
  interrupted: false,
  startMs: 0,
  endMs: 1,
  utterances: ids.map((utteranceId) => ({
    utteranceId,
    text: 'x',
    heardText: 'x',
    status: 'played',
    startMs: 0,
    endMs: 1,
  })),
});

t.test('a reply turn: its stages from the stamps, its requests inside it, in order', async (t) => {
  const { trace, done, named, childrenOf } = setup();
  const llm = trace.llm(llmSaying('Thanks.'));
  const tts = trace.tts(TTS);
  // Her last word's audio arrived after the call began (the stage's start is the final less its latency).
  await new Promise((r) => setTimeout(r, 30));
  trace.asrFinal(now(), 15);
  trace.emitted(callerTurn(1));
  trace.replyRequested(now());
  const reply = llm.respond(INPUT, new AbortController().signal)[Symbol.asyncIterator]();
  await reply.next();
  trace.llmFirstChunk(now());
  trace.synthRequested('u1', now());
  const audio = await tts.synthesize('Thanks.', new AbortController().signal);
  trace.synthResolved('u1', now());
  const chunks = audio.chunks[Symbol.asyncIterator]();
  await chunks.next();
  trace.firstFrame('u1', now());
  await drain({ [Symbol.asyncIterator]: () => chunks });
  await drain({ [Symbol.asyncIterator]: () => reply });
  trace.emitted(agentTurn(2, ['u1']));
  trace.end({ reason: 'facts-complete' });

  t.equal(done.length, 1, 'the call is done: nothing of it is held');
  const [root] = named('call');
  const [turn] = named('turn');
  if (!root || !turn) return t.fail('call and turn spans');
  t.match(root.attributes, { 'call.id': 'call-1', 'call.direction': 'outbound', 'gym.id': '7' });
  t.equal(parentOf(turn), root.spanContext().spanId);
  t.match(turn.attributes, { 'turn.seq': 2, 'turn.reason': 'reply', 'turn.caller_endpoint': 'semantic' });
  const kids = childrenOf(turn);
  const stage = (n: string) => kids.find((s) => s.name === n);
  const order = ['asr_final', 'llm_first_token', 'tts_first_byte', 'first_frame'].map(stage);
  t.ok(
    order.every((s) => s !== undefined),
    'all four stages',
  );
  const [asr, llmStage, ttsStage, frame] = order as ReadableSpan[];
  t.equal(Number(end(asr!) - start(asr!)) / 1e6, 15, 'asr_final: the recogniser’s latency, ending at its final');
  t.ok(end(asr!) <= start(llmStage!), 'the final, then the end of turn');
  t.ok(end(llmStage!) <= start(ttsStage!) && end(ttsStage!) === start(frame!), 'then TTS, then the first frame');
  const eot = Number(turn.attributes['turn.end_of_turn_to_first_audio_ms']);
  t.ok(Math.abs(eot - Number(end(frame!) - start(llmStage!)) / 1e6) <= 1, 'end of turn to first audio = the stages');
  const llmSpan = kids.find((s) => s.name === 'llm.request');
  t.match(llmSpan?.attributes, {
    'provider.name': 'fake-llm',
    'provider.model': 'fake-model',
    'provider.status': 'ok',
    'provider.retries': 0,
    'llm.input_tokens': 10,
  });
  t.same(
    llmSpan?.events.map((e) => e.name),
    ['first_token'],
  );
  t.match(kids.find((s) => s.name === 'tts.request')?.attributes, {
    'provider.name': 'fake-tts',
    'provider.model': 'voice-1',
    'tts.bytes': 320,
    'provider.status': 'ok',
  });
  t.ok(
    kids.every((s) => start(s) >= start(turn) && end(s) <= end(turn)),
    'every child inside the turn',
  );
  t.ok(start(turn) >= start(root) && end(turn) <= end(root), 'the turn inside the call');
});

t.test('a greeting: no LLM stage; the hello it answers is its recogniser stage', async (t) => {
  const { trace, named, childrenOf } = setup();
  trace.asrFinal(now(), 0);
  trace.emitted(callerTurn(1));
  trace.synthRequested('g1', now());
  trace.synthResolved('g1', now());
  trace.firstFrame('g1', now());
  trace.emitted(agentTurn(2, ['g1', 'g2'], 'greeting'));
  trace.end({ reason: 'caller-hangup' });
  const [turn] = named('turn');
  if (!turn) return t.fail('no turn');
  t.same(
    childrenOf(turn)
      .map((s) => s.name)
      .sort(),
    ['asr_final', 'first_frame', 'tts_first_byte'],
  );
  t.equal(turn.attributes['turn.end_of_turn_to_first_audio_ms'], undefined, 'no end of turn: nothing asked for');
});

t.test('hung up mid-turn: the turn is written once its requests stop, and the call after them', async (t) => {
  const { trace, done, spans, named } = setup();
  const ac = new AbortController();
  const llm = trace.llm(llmSaying('Thanks.', { hang: ac.signal }));
  trace.replyRequested(now());
  const reply = drain(llm.respond(INPUT, ac.signal));
  await new Promise((r) => setImmediate(r));
  const ttsAbort = new AbortController();
  await trace.tts(TTS).synthesize('Thanks.', ttsAbort.signal); // never played
  trace.synthRequested('u1', now());
  // The machine closes the open turn at the hang-up (interrupted), then the call ends; stopping its actors aborts.
  trace.emitted({ ...agentTurn(2, ['u1']), interrupted: true });
  trace.end({ reason: 'caller-hangup' });
  t.equal(spans().length, 0, 'nothing written while the turn’s requests run');
  ac.abort();
  ttsAbort.abort();
  await reply;
  t.equal(done.length, 1, 'done');
  t.same(
    spans()
      .map((s) => s.name)
      .sort(),
    ['call', 'llm.request', 'tts.request', 'turn'],
  );
  t.same(
    spans()
      .filter((s) => s.name.includes('.'))
      .map((s) => s.attributes['provider.status']),
    ['aborted', 'aborted'],
  );
  t.equal(named('turn')[0]?.attributes['turn.interrupted'], true);
});

t.test('work that never ends is cut at the grace and marked unfinished; nothing stays open', async (t) => {
  const { trace, done, named } = setup(30);
  await trace.tts(TTS).synthesize('Never read.', new AbortController().signal);
  trace.end({ reason: 'error', error: new AppError('PROVIDER_FAILED', 'the LLM failed') });
  t.equal(done.length, 0, 'a grace for running work');
  await new Promise((r) => setTimeout(r, 60));
  t.equal(done.length, 1, 'then the call is written anyway');
  t.equal(named('tts.request')[0]?.attributes['provider.status'], 'unfinished');
  const [root] = named('call');
  t.equal(root?.status.code, 2, 'a failed call is an error');
  t.equal(root?.attributes['error.type'], 'PROVIDER_FAILED', 'by its code, not its message');
  t.equal(parentOf(named('tts.request')[0]!), root?.spanContext().spanId, 'a turn never spoken: under the call');
  t.equal(named('turn').length, 0, 'and no turn span for it');
});

t.test('after the end: stamps, events and requests are no-ops, and end() is idempotent', async (t) => {
  const { trace, spans } = setup();
  trace.end({ reason: 'caller-hangup' });
  const n = spans().length;
  trace.replyRequested(now());
  trace.emitted(agentTurn(2, ['u1']));
  await drain(trace.llm(llmSaying('late')).respond(INPUT, new AbortController().signal));
  trace.end({ reason: 'caller-hangup' });
  trace.abort();
  t.equal(spans().length, n, 'nothing more written');
});

t.test('abort (the server stops) writes a live call at once', async (t) => {
  const { trace, done, named } = setup();
  await trace.tts(TTS).synthesize('Still running.', new AbortController().signal);
  trace.abort();
  t.equal(done.length, 1);
  t.equal(named('call')[0]?.attributes['call.end_reason'], 'server-shutdown');
});
