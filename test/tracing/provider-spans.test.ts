import t from 'tap';
import type { AsrProvider, AsrStreamEvent } from '../../src/providers/asr/types.js';
import type { LlmChunk, LlmProvider } from '../../src/providers/llm/types.js';
import { ProviderError } from '../../src/providers/retry.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import {
  tracedAsr,
  tracedHangup,
  tracedKeypad,
  tracedLlm,
  tracedTts,
  type RequestSource,
} from '../../src/tracing/provider-spans.js';
import { RequestSpan, type Attributes } from '../../src/tracing/records.js';
import { DEEPGRAM_CAPABILITIES } from '../../src/providers/asr/deepgram.js';
import { attemptFailed, drain, INPUT } from './fakes.js';

// Each request of a call's providers as a span record: name, model, how it ended, retries and fail-overs from the
// provider's own metrics, sizes instead of content. No OpenTelemetry here: the records alone.

function source() {
  const started: { span: RequestSpan; scope: string }[] = [];
  const src: RequestSource = {
    request: (name: string, attributes: Attributes, scope: 'turn' | 'call') => {
      const span = new RequestSpan(name, attributes, () => undefined);
      started.push({ span, scope });
      return span;
    },
  };
  const only = () => {
    if (started.length !== 1) throw new Error(`${started.length} requests`);
    return started[0]!;
  };
  return { src, started, only };
}

const failure = (status: number) =>
  new ProviderError('fake', 'PROVIDER_FAILED', `HTTP ${status}`, { status, retryable: status >= 500 });

function llm(script: (input: Parameters<LlmProvider['respond']>[0], signal: AbortSignal) => AsyncIterable<LlmChunk>) {
  return { name: 'openai', model: 'gpt-x', capabilities: { streaming: true, tools: true }, respond: script };
}

t.test('an LLM request: retried once, then its first token and tokens; ok', async (t) => {
  const { src, only } = source();
  const traced = tracedLlm(
    llm(async function* (input) {
      input.onMetric?.(attemptFailed('llm', 'openai', 503));
      input.onMetric?.({ kind: 'llm-first-token', provider: 'openai', ms: 120 });
      yield { type: 'text', delta: 'We open at six.' };
      input.onUsage?.({ inputTokens: 500, outputTokens: 7 });
      yield { type: 'done', finishReason: 'stop' };
    }),
    src,
  );
  let usage = 0;
  await drain(traced.respond({ ...INPUT, onUsage: () => usage++ }, new AbortController().signal));
  const { span, scope } = only();
  t.equal(scope, 'turn', 'a reply belongs to the agent turn');
  t.equal(usage, 1, 'the cost meter still hears the usage');
  t.match(span.record.attributes, {
    'provider.name': 'openai',
    'provider.model': 'gpt-x',
    'llm.reason': 'reply',
    'llm.speculative': false,
    'llm.input_tokens': 500,
    'llm.output_tokens': 7,
    'provider.retries': 1,
    'provider.status': 'ok',
  });
  t.same(
    span.record.events.map((e) => e.name),
    ['attempt_failed', 'first_token'],
  );
  t.match(span.record.events[0]?.attributes, { 'http.response.status_code': 503, retryable: true });
});

t.test('an LLM request that fails: error type and status; the failed last attempt is not a retry', async (t) => {
  const { src, only } = source();
  const traced = tracedLlm(
    llm(async function* (input) {
      input.onMetric?.(attemptFailed('llm', 'openai', 500));
      input.onMetric?.(attemptFailed('llm', 'openai', 500));
      yield* [];
      throw failure(500);
    }),
    src,
  );
  await t.rejects(drain(traced.respond(INPUT, new AbortController().signal)));
  const { span } = only();
  t.match(span.record.attributes, {
    'provider.status': 'error',
    'provider.retries': 1,
    'http.response.status_code': 500,
  });
  t.equal(span.record.error, 'PROVIDER_FAILED');
});

t.test('an LLM reply cut off (barge-in) is aborted; one the reader left after all of it arrived is ok', async (t) => {
  const { src, started } = source();
  const traced = tracedLlm(
    llm(async function* (input, signal) {
      yield { type: 'text', delta: 'Thanks.' };
      // As OpenAiLlm: chunks after an abort are not read.
      if (signal.aborted) return;
      input.onUsage?.({ inputTokens: 1, outputTokens: 1 });
      yield { type: 'end-call', reason: 'facts-complete' };
      yield { type: 'done', finishReason: 'stop' };
    }),
    src,
  );
  const cut = new AbortController();
  for await (const c of traced.respond({ ...INPUT, speculative: true } as typeof INPUT, cut.signal)) {
    if (c.type === 'text') cut.abort();
  }
  const left = traced.respond(INPUT, new AbortController().signal)[Symbol.asyncIterator]();
  await left.next();
  await left.next();
  await left.return?.(undefined);
  t.same(
    started.map((s) => s.span.record.attributes['provider.status']),
    ['aborted', 'ok'],
  );
  t.equal(started[0]?.span.record.attributes['llm.speculative'], true);
  const unfinished = tracedLlm(
    llm(async function* () {
      yield { type: 'text', delta: 'Thanks.' };
    }),
    src,
  ).respond(INPUT, new AbortController().signal);
  const notYet = unfinished[Symbol.asyncIterator]();
  await notYet.next();
  await notYet.return?.(undefined);
  t.equal(started[2]?.span.record.attributes['provider.status'], 'aborted', 'left before the response was whole');
});

t.test("the wrap-up's facts pass belongs to the call, not to a turn", async (t) => {
  const { src, only } = source();
  const traced = tracedLlm(
    {
      ...llm(async function* () {}),
      extractFacts: async (input) => {
        input.onUsage?.({ inputTokens: 3, outputTokens: 2 });
        return { facts: undefined, invalid: [] };
      },
    },
    src,
  );
  await traced.extractFacts?.({ ...INPUT, extractFrom: 0 }, new AbortController().signal);
  t.match(only(), { scope: 'call' });
  t.match(only().span.record.attributes, { 'llm.reason': 'wrap-up', 'provider.status': 'ok' });
});

const pcm = async function* () {
  yield new Uint8Array(100);
  yield new Uint8Array(60);
};

t.test('a TTS request: the voice that spoke, its fail-over, bytes; never the text', async (t) => {
  const { src, only } = source();
  let voice: unknown;
  const tts: TtsProvider = {
    name: 'elevenlabs>openai-tts',
    capabilities: { sampleRate: 24000, streaming: true },
    synthesize: async (_text, _signal, request) => {
      voice = request?.voice;
      request?.onMetric?.({
        kind: 'provider-error',
        modality: 'tts',
        provider: 'elevenlabs',
        code: 'PROVIDER_TIMEOUT',
        status: undefined,
        retryable: true,
      });
      request?.onMetric?.({
        kind: 'tts-fallback',
        provider: 'elevenlabs',
        to: 'openai-tts',
        reason: 'PROVIDER_TIMEOUT',
        midStream: false,
      });
      request?.onMetric?.({ kind: 'tts-first-byte', provider: 'openai-tts', ms: 90 });
      return { sampleRate: 24000, provider: 'openai-tts', model: 'tts-1-hd', chunks: pcm() };
    },
  };
  const text = 'We are open from six in the morning.';
  const audio = await tracedTts(tts, src).synthesize(text, new AbortController().signal, {
    voice: { openai: 'coral' },
  });
  await drain(audio.chunks);
  t.same(voice, { openai: 'coral' }, "the call's voice still reaches the provider");
  const { span, scope } = only();
  t.equal(scope, 'turn');
  t.match(span.record.attributes, {
    'provider.chain': 'elevenlabs>openai-tts',
    'provider.name': 'openai-tts',
    'provider.model': 'tts-1-hd',
    'provider.fallback': true,
    'provider.retries': 1,
    'tts.characters': text.length,
    'tts.bytes': 160,
    'provider.status': 'ok',
  });
  t.same(
    span.record.events.map((e) => e.name),
    ['attempt_failed', 'fallback', 'first_byte'],
  );
  t.notOk(JSON.stringify(span.record).includes('six'), 'the text is not in the span');
});

t.test('a TTS request ends when its audio is dropped (barge-in) or when it fails', async (t) => {
  const { src, started } = source();
  const ok: TtsProvider = {
    name: 'flite:kal16',
    capabilities: { sampleRate: 16000, streaming: true },
    synthesize: async () => ({ sampleRate: 16000, provider: 'flite:kal16', chunks: pcm() }),
  };
  const dropped = new AbortController();
  await tracedTts(ok, src).synthesize('Hello.', dropped.signal);
  dropped.abort();
  const failing: TtsProvider = { ...ok, synthesize: () => Promise.reject(failure(401)) };
  await t.rejects(tracedTts(failing, src).synthesize('Hello.', new AbortController().signal));
  t.same(
    started.map((s) => s.span.record.attributes['provider.status']),
    ['aborted', 'error'],
  );
  t.equal(started[1]?.span.record.attributes['http.response.status_code'], 401);
});

t.test('a recogniser session: from open to close, its finals counted, reconnects as events', async (t) => {
  const { src, only } = source();
  let emit!: (e: AsrStreamEvent) => void;
  let closed = 0;
  const asr: AsrProvider = {
    name: 'deepgram',
    model: 'nova-3',
    capabilities: DEEPGRAM_CAPABILITIES,
    open: async (o) => {
      emit = o.onEvent;
      o.onMetric?.({ kind: 'asr-reconnect', provider: 'deepgram', replayedMs: 400 });
      return {
        push: () => undefined,
        finalize: () => undefined,
        hurry: () => void hurried++,
        close: async () => void closed++,
      };
    },
  };
  let hurried = 0;
  const events: AsrStreamEvent[] = [];
  const stream = await tracedAsr(asr, src).open({ onEvent: (e) => events.push(e) });
  stream.hurry?.();
  t.equal(hurried, 1, "the call machine's hurry reaches the recogniser through the span");
  emit({ type: 'final', text: 'we open at six', confidence: 0.9, speechFinal: true, startMs: 0, endMs: 900 });
  emit({ type: 'final', text: '', confidence: 0, speechFinal: true, startMs: 900, endMs: 900 });
  stream.push(new Uint8Array(160));
  await stream.close();
  t.equal(events.length, 2, 'events still reach the call');
  t.equal(closed, 1, 'the stream itself closed');
  const { span, scope } = only();
  t.equal(scope, 'call', 'the whole call long');
  t.match(span.record.attributes, {
    'provider.name': 'deepgram',
    'provider.model': 'nova-3',
    'asr.finals': 1,
    'provider.status': 'ok',
  });
  t.same(
    span.record.events.map((e) => e.name),
    ['reconnect', 'open'],
  );
});

t.test('the hang-up: its retries; keys pressed: how many, never which', async (t) => {
  const { src, started } = source();
  const rest = {
    hangUp: async (_sid: string, onRetry?: () => void) => {
      onRetry?.();
      onRetry?.();
      return 'completed';
    },
  };
  let heard = 0;
  await tracedHangup(rest, src).hangUp('CA123', () => heard++);
  t.equal(heard, 2, 'the caller hears the retries too');
  const keypad = { mode: 'twilio' as const, pressKeys: async () => undefined };
  // Keys with * and #: no span id or timestamp in the record can contain them by chance ("1234" once did).
  await tracedKeypad(keypad, src).pressKeys('*12#34');
  t.match(started[0], {
    scope: 'call',
    span: { record: { attributes: { 'provider.retries': 2, 'provider.status': 'ok' } } },
  });
  t.match(started[1], {
    scope: 'turn',
    span: { record: { attributes: { 'keypad.mode': 'twilio', 'keypad.keys': 6 } } },
  });
  const record = JSON.stringify(started[1]?.span.record);
  t.notOk(record.includes('*12#34') || record.includes('12#3'), 'the keys themselves are not recorded');
});
