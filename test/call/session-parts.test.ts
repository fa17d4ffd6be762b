import t from 'tap';
import { assign, createActor, setup, type EventObject } from 'xstate';
import { questionTopics } from '../../machines/text.js';
import type { CallEmitted } from '../../machines/events.js';
import { CallDirectory } from '../../src/call/call-directory.js';
import { LedgerSwitch } from '../../src/call/ledger-switch.js';
import type { CallLedger } from '../../src/db/recorder.js';
import { CallSummaryCollector } from '../../src/ops/call-summary.js';
import { CallQuality, topicsAskedIn } from '../../src/call/quality.js';
import { replyActor } from '../../src/call/reply-actor.js';
import { stateString } from '../../src/call/state-string.js';
import { emptyFacts, type Topic } from '../../src/facts/model.js';
import { detectTopics } from '../../src/facts/topics.js';
import { createLogger } from '../../src/log.js';
import type { ConversationInput, LlmChunk, LlmProvider } from '../../src/providers/llm/types.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { speakingIn } from '../../src/call/voice-language.js';
import type { Language } from '../../src/language/index.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';

const log = createLogger('silent');

t.test('topicsAskedIn: only sentences that ask', async (t) => {
  t.same(topicsAskedIn('Thanks. What are your opening hours?'), ['hours']);
  t.same(topicsAskedIn('Got it: open six to ten. How much is a membership?'), ['pricing']);
  t.same(topicsAskedIn("Thank you, that's everything about your hours and classes."), []);
});

t.test('one topic lexicon: the machine, the quality check and the receptionist hear the same topics', async (t) => {
  const lines: [string, Topic[]][] = [
    ['Which membership plans do you have?', ['pricing']],
    ['What times are you open on Sundays?', ['hours']],
    ['Do you run any group fitness sessions?', ['classes']],
    ['And how much is the joining fee, and which classes are included?', ['pricing', 'classes']],
  ];
  for (const [line, topics] of lines) {
    t.same(questionTopics(line), topics, `machine: ${line}`);
    t.same(topicsAskedIn(line), topics, `quality: ${line}`);
    t.same(detectTopics(line).topics, topics, `receptionist: ${line}`);
  }
});

t.test('CallQuality counts a question about an answered topic as repeated', async (t) => {
  let now = 0;
  const q = new CallQuality('c1', () => now);
  const agent = (text: string, seq: number) => ({
    type: 'ledger.agentTurn' as const,
    callId: 'c1',
    seq,
    reason: 'reply' as const,
    text,
    heardText: text,
    interrupted: false,
    startMs: now,
    endMs: now,
    utterances: [],
  });
  q.emitted(agent('What are your opening hours?', 0));
  q.emitted({
    type: 'ledger.callerTurn',
    callId: 'c1',
    seq: 1,
    text: 'six to ten',
    confidence: 1,
    startMs: 1000,
    endMs: 2000,
    endpoint: 'short',
  });
  q.emitted({
    type: 'ledger.facts',
    callId: 'c1',
    facts: { ...emptyFacts(), hours: { mon: { opens: '06:00', closes: '22:00' } } },
    added: {},
  });
  q.replyRequested();
  now = 2600;
  t.type(q.firstAudio(), 'number', 'server-added time measured for the requested reply');
  q.emitted(agent('Thanks. What are your opening hours on weekends?', 2));
  q.emitted(agent('How much is a membership?', 3));
  const r = q.result('facts-complete', undefined, undefined);
  t.equal(r.metrics.repeatedQuestions, 1);
  t.same(r.responseGapsMs, [600], 'caller end of speech (2000) → first agent audio (2600)');
  t.equal(r.transcript.length, 4);
  t.equal(r.serverOwnMs.length, 1);
});

t.test('stateString flattens parallel states', async (t) => {
  t.equal(stateString('ended'), 'ended');
  t.equal(stateString({ live: { caller: 'silent', turn: 'listening' } }), 'live(caller.silent | turn.listening)');
});

t.test('CallDirectory answers peek() with the latest record of a call it has seen', async (t) => {
  const dir = new CallDirectory(new MemoryCallStore());
  const rec = await dir.create({
    direction: 'outbound',
    phoneNumber: '+15550100001',
    gymName: 'Gym',
    status: 'queued',
  });
  t.equal(dir.peek(rec.callId)?.gymName, 'Gym');
  await dir.update(rec.callId, { twilioCallSid: 'CA1', status: 'ringing' });
  t.match(dir.peek(rec.callId), { twilioCallSid: 'CA1', status: 'ringing' }, 'updates replace the cached record');
  t.equal(await dir.update('no-such-call', { status: 'ringing' }), undefined);
  t.equal(dir.peek('no-such-call'), undefined, 'an unknown call is not cached');
});

function fakeLlm(chunks: LlmChunk[], delayMs = 0): LlmProvider {
  return {
    name: 'fake',
    capabilities: { streaming: true, tools: true },
    async *respond(_input: ConversationInput, signal: AbortSignal) {
      for (const c of chunks) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        signal.throwIfAborted();
        yield c;
      }
    },
  };
}

async function collect(llm: LlmProvider, policy?: Parameters<typeof replyActor>[3]): Promise<EventObject[]> {
  const parent = setup({
    types: { context: {} as { got: EventObject[] } },
    actors: { reply: replyActor(llm, log, {}, policy) },
  }).createMachine({
    context: { got: [] },
    invoke: { src: 'reply', input: {} as never },
    on: { '*': { actions: assign({ got: ({ context, event }) => [...context.got, event] }) } },
  });
  const a = createActor(parent).start();
  await new Promise((r) => setTimeout(r, 50));
  const got = a.getSnapshot().context.got;
  a.stop();
  return got;
}

t.test('reply actor streams sentences as they complete; whole-reply holds them for the original policy', async (t) => {
  const chunks: LlmChunk[] = [
    { type: 'text', delta: 'Thanks. What are ' },
    { type: 'text', delta: 'your hours?' },
    { type: 'end-call', reason: 'facts-complete' },
    { type: 'done', finishReason: 'stop' },
  ];
  const streamed = await collect(fakeLlm(chunks));
  t.same(
    streamed.map((e) => e.type),
    ['REPLY.SENTENCE', 'REPLY.END_CALL', 'REPLY.SENTENCE', 'REPLY.DONE'],
  );
  const whole = await collect(fakeLlm(chunks), { kind: 'whole-reply', pauseMs: 5 });
  t.same(
    whole.filter((e) => e.type === 'REPLY.SENTENCE'),
    [{ type: 'REPLY.SENTENCE', text: 'Thanks. What are your hours?' }],
  );
  const failing: LlmProvider = {
    ...fakeLlm([]),
    // eslint-disable-next-line require-yield
    async *respond() {
      throw new Error('model down');
    },
  };
  t.same(await collect(failing), [{ type: 'REPLY.ERROR', message: 'model down' }]);
});

t.test('LedgerSwitch stores a caller turn confidence only when the recogniser measures one', async (t) => {
  const stored: (number | null | undefined)[] = [];
  const ledger = { callerTurn: (c: { confidence?: number | null }) => void stored.push(c.confidence) };
  const turn = {
    type: 'ledger.callerTurn',
    text: 'six to ten',
    confidence: 1,
    endpoint: 'short',
  } as const;
  for (const measured of [false, true]) {
    const sw = new LedgerSwitch(
      ledger as unknown as CallLedger,
      new CallSummaryCollector('c1', 'outbound'),
      new CallQuality('c1', () => 0),
      log,
      measured,
    );
    sw.record(turn as unknown as CallEmitted);
  }
  t.same(stored, [null, 1], 'offline (no measure): null; a real measure: kept');
});

t.test(
  "LedgerSwitch keeps the machine's seq: a late caller turn is stored before the greeting it preceded",
  async (t) => {
    const rows: [string, number | undefined][] = [];
    const ledger = {
      agentTurn: (a: { seq?: number }) => void rows.push(['agent', a.seq]),
      callerTurn: (c: { seq?: number }) => void rows.push(['caller', c.seq]),
    };
    const quality = new CallQuality('c1', () => 0);
    const sw = new LedgerSwitch(
      ledger as unknown as CallLedger,
      new CallSummaryCollector('c1', 'outbound'),
      quality,
      log,
      true,
    );
    const greeting = {
      type: 'ledger.agentTurn',
      seq: 2,
      text: 'Hi.',
      heardText: 'Hi.',
      interrupted: false,
      utterances: [],
    };
    const hello = {
      type: 'ledger.callerTurn',
      seq: 1,
      text: 'hello',
      confidence: 1,
      startMs: 0,
      endMs: 900,
      endpoint: 'short',
    };
    sw.record(greeting as unknown as CallEmitted);
    sw.record({ ...hello, late: true } as unknown as CallEmitted);
    t.same(
      rows,
      [
        ['agent', 2],
        ['caller', 1],
      ],
      'each row under its own seq, whatever the order they ended in',
    );
    quality.firstAudio();
    t.same(quality.result('stop', undefined, undefined).responseGapsMs, [], 'nothing after a late turn answers it');
  },
);

t.test('the call voice names the language the call speaks at each sentence; an explicit one stays', async (t) => {
  const asked: (string | undefined)[] = [];
  const tts: TtsProvider = {
    name: 'rec',
    capabilities: { sampleRate: 8000, streaming: true },
    synthesize: (_text, _signal, o) => {
      asked.push(o?.language);
      return Promise.resolve({ sampleRate: 8000, provider: 'rec', chunks: (async function* () {})() });
    },
  };
  let now: Language = 'en';
  const voice = speakingIn(tts, () => now);
  const signal = new AbortController().signal;
  await voice.synthesize('What are your opening hours?', signal);
  now = 'es';
  await voice.synthesize('¿Y cuánto cuesta una membresía?', signal);
  await voice.synthesize('Hello.', signal, { language: 'en-GB' });
  t.same(asked, ['en-US', 'es-419', 'en-GB']);
  // The Spanish topic words count as asking too (the quality check's repeated questions).
  t.same(topicsAskedIn('Perfecto, gracias. ¿Y cuánto cuesta una membresía?'), ['pricing']);
});
