import t, { type Test } from 'tap';
import { WrapUp } from '../../src/call/wrap-up.js';
import { emptyFacts } from '../../src/facts/model.js';
import { FakeOpenAi, type ScriptedReply } from '../../src/fakes/openai.js';
import { createLogger } from '../../src/log.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import { OpenAiLlm } from '../../src/providers/llm/openai.js';
import { WRAP_UP_MARKER } from '../../src/providers/llm/prompt.js';
import type { FactsOnlyInput } from '../../src/providers/llm/types.js';
import { ProviderError } from '../../src/providers/retry.js';

// The LLM's facts-only mode (LlmProvider.extractFacts), used by the wrap-up after a hang-up: the real `openai`
// SDK against the protocol fake, and the offline interviewer's parser.

const INPUT: FactsOnlyInput = {
  gymName: 'Quick Fit',
  direction: 'outbound',
  facts: { ...emptyFacts(), classes: [{ name: 'yoga' }] },
  asked: ['hours'],
  history: [
    { speaker: 'agent', text: 'Hi, is this Quick Fit? What are your opening hours?' },
    { speaker: 'caller', text: 'we do yoga' },
    { speaker: 'agent', text: 'Great. And your hours?', interrupted: true },
    { speaker: 'caller', text: 'monday to friday seven a.m. to nine p.m., monthly is twenty five dollars' },
  ],
  extractFrom: 3,
};

async function setup(t: Test, replies: ScriptedReply[], chat = {}) {
  const fake = await new FakeOpenAi({ apiKey: 'oa-key', replies, chat }).start();
  t.teardown(() => fake.close());
  const llm = new OpenAiLlm({
    apiKey: 'oa-key',
    baseURL: fake.url,
    model: 'gpt-4o-mini',
    retry: { attempts: 2, baseMs: 1, maxMs: 5 },
  });
  t.teardown(() => llm.close());
  return { fake, llm };
}

const record = (args: unknown): ScriptedReply => ({
  toolCalls: [{ name: 'record_facts', arguments: JSON.stringify(args) }],
});

t.test('OpenAI: record_facts forced, the call marked as ended, facts converted like a reply turn', async (t) => {
  const { fake, llm } = await setup(t, [
    record({
      hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '07:00', closes: '21:00' }],
      pricing: [{ plan: 'monthly', amount: 25, period: 'month' }],
    }),
  ]);
  const out = await llm.extractFacts(INPUT, new AbortController().signal);
  t.same(out.invalid, []);
  t.same(out.facts?.hours?.mon, { opens: '07:00', closes: '21:00' });
  t.same(Object.keys(out.facts?.hours ?? {}), ['mon', 'tue', 'wed', 'thu', 'fri']);
  t.same(out.facts?.pricing, [{ plan: 'monthly', amountMinor: 2500, currency: 'USD', period: 'month' }]);

  t.equal(fake.chatRequests.length, 1, 'one request, no follow-up round');
  const body = fake.chatRequests[0]!.body as {
    stream: boolean;
    tools: { function: { name: string } }[];
    tool_choice: { type: string; function: { name: string } };
    temperature: number;
    messages: { role: string; content: string }[];
  };
  t.equal(body.stream, true);
  t.same(
    body.tools.map((x) => x.function.name),
    ['record_facts'],
    'only record_facts is offered',
  );
  t.same(body.tool_choice, { type: 'function', function: { name: 'record_facts' } }, 'and it must be called');
  t.equal(body.temperature, 0);
  const system = body.messages[0]!;
  t.equal(system.role, 'system');
  t.match(system.content, /call has ENDED/);
  t.match(system.content, /write no\s+reply text/);
  t.match(system.content, /Already recorded: classes: yoga/, 'what is known, so it is not recorded again');
  const markerAt = body.messages.findIndex((m) => m.content === WRAP_UP_MARKER);
  t.equal(markerAt, 4, 'the marker comes before the words not recorded yet (system + 3 turns of context)');
  t.same(
    body.messages.slice(markerAt + 1).map((m) => [m.role, m.content]),
    [['user', INPUT.history[3]!.text]],
  );
  t.match(body.messages[3]!.content, /\[interrupted by the staff here\]$/, 'context as heard');
});

t.test('OpenAI: {} means no fact; invalid arguments and other tools are reported, not recorded', async (t) => {
  const { llm } = await setup(t, [
    record({}),
    {
      toolCalls: [
        { name: 'record_facts', arguments: '{"hours":[{"days":["mon"],"opens":"7am"}]}' },
        { name: 'end_call', arguments: '{"reason":"other"}' },
        { name: 'record_facts', arguments: '{"classes":[{"name":"Spin"}]}' },
      ],
    },
  ]);
  const none = await llm.extractFacts(INPUT, new AbortController().signal);
  t.same(none, { facts: undefined, invalid: [] });
  const mixed = await llm.extractFacts(INPUT, new AbortController().signal);
  t.same(mixed.facts?.classes, [{ name: 'spin' }], 'the valid call is kept (lower-cased like a reply turn)');
  t.same(
    mixed.invalid.map((i) => i.name),
    ['record_facts', 'end_call'],
  );
  t.match(mixed.invalid[0]!.error, /HH:MM/);
});

t.test('OpenAI: an HTTP error rejects with a provider error after the retry policy', async (t) => {
  const { fake, llm } = await setup(t, [{ status: 500 }, { status: 500 }]);
  const err = await llm.extractFacts(INPUT, new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).code, 'PROVIDER_FAILED');
  t.equal(fake.chatRequests.length, 2, 'retried once');
});

t.test('OpenAI through the wrap-up: a slow model is cut at the bound and logged PROVIDER_TIMEOUT', async (t) => {
  const { fake, llm } = await setup(t, [record({ classes: [{ name: 'spin' }] })], { firstTokenMs: 1000 });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', {
    write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
  });
  const wrapUp = new WrapUp(llm, log, 200);
  wrapUp.emitted({
    type: 'ledger.callerTurn',
    callId: 'c',
    seq: 1,
    text: 'we also have spin',
    confidence: 0.9,
    startMs: 0,
    endMs: 900,
    endpoint: 'hangup',
  });
  const started = performance.now();
  const outcome = await wrapUp.run({
    gymName: 'Quick Fit',
    direction: 'inbound',
    facts: emptyFacts(),
    asked: [],
    history: [{ speaker: 'caller', text: 'we also have spin' }],
  });
  t.equal(outcome?.kind, 'failed');
  t.equal(outcome?.kind === 'failed' ? outcome.code : undefined, 'PROVIDER_TIMEOUT');
  t.ok(performance.now() - started < 900, 'did not wait for the model');
  t.equal(fake.chatRequests.length, 1);
  t.equal(lines.find((l) => l.code === 'PROVIDER_TIMEOUT')?.level, 50, 'logged at error level');
});

t.test('offline: the parser extracts from the words after extractFrom only, no question planned', async (t) => {
  const llm = new OfflineInterviewer();
  const out = await llm.extractFacts(INPUT, new AbortController().signal);
  t.same(out.invalid, []);
  t.same(out.facts?.hours?.fri, { opens: '07:00', closes: '21:00' });
  t.same(
    out.facts?.pricing?.map((p) => [p.amountMinor, p.period]),
    [[2500, 'month']],
  );
  t.equal(out.facts?.classes, undefined, '"we do yoga" came before extractFrom: not read again');
  const nothing = await llm.extractFacts(
    { ...INPUT, history: [...INPUT.history, { speaker: 'caller', text: 'okay thanks bye' }], extractFrom: 4 },
    new AbortController().signal,
  );
  t.same(nothing, { facts: undefined, invalid: [] });
});

t.test('wrap-up: a provider without extractFacts is run as a reply turn and only its facts are kept', async (t) => {
  const inner = new OfflineInterviewer();
  let replies = 0;
  const bare = {
    name: 'bare',
    capabilities: inner.capabilities,
    respond: (input: Parameters<OfflineInterviewer['respond']>[0], signal: AbortSignal) => {
      replies++;
      return inner.respond(input, signal);
    },
  };
  const wrapUp = new WrapUp(bare, createLogger('silent'), 1000);
  wrapUp.emitted({
    type: 'ledger.callerTurn',
    callId: 'c',
    seq: 1,
    text: 'we offer yoga and pilates classes',
    confidence: 0.9,
    startMs: 0,
    endMs: 900,
    endpoint: 'hangup',
  });
  const outcome = await wrapUp.run({
    gymName: 'Quick Fit',
    direction: 'inbound',
    facts: emptyFacts(),
    asked: ['classes'],
    history: [
      { speaker: 'agent', text: 'Which fitness classes do you offer?' },
      { speaker: 'caller', text: 'we offer yoga and pilates classes' },
    ],
  });
  t.equal(replies, 1);
  t.equal(outcome?.kind, 'extracted');
  t.same(outcome?.kind === 'extracted' ? outcome.facts.classes.map((c) => c.name) : [], ['yoga', 'pilates']);
});
