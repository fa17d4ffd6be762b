import t, { type Test } from 'tap';
import { FakeOpenAi, type ScriptedReply } from '../../src/fakes/openai.js';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import { OpenAiLlm } from '../../src/providers/llm/openai.js';
import type { ConversationInput, LlmChunk } from '../../src/providers/llm/types.js';
import { ElevenLabsTts } from '../../src/providers/tts/elevenlabs.js';
import { replyEvents } from '../../src/providers/sentences.js';
import type { ProviderMetric } from '../../src/providers/metrics.js';
import { ProviderError } from '../../src/providers/retry.js';
import { emptyFacts } from '../../src/facts/model.js';
import { collect } from './helpers.js';

const INPUT: ConversationInput = {
  gymName: 'Iron Temple Fitness',
  direction: 'outbound',
  facts: { ...emptyFacts(), classes: [{ name: 'yoga' }] },
  missing: ['hours', 'pricing'],
  asked: ['classes'],
  history: [
    { speaker: 'agent', text: 'Hi, I am calling to ask about your', interrupted: true },
    { speaker: 'caller', text: 'Sure, what do you need?' },
  ],
  reason: 'reply',
};

async function setup(t: Test, replies: ScriptedReply[], chat = {}) {
  const fake = await new FakeOpenAi({ apiKey: 'oa-key', replies, chat }).start();
  t.teardown(() => fake.close());
  const metrics: ProviderMetric[] = [];
  const llm = new OpenAiLlm({
    apiKey: 'oa-key',
    baseURL: fake.url,
    model: 'gpt-4o-mini',
    retry: { attempts: 3, baseMs: 1, maxMs: 5 },
    onMetric: (m) => metrics.push(m),
  });
  return { fake, llm, metrics };
}

const run = (llm: OpenAiLlm, input = INPUT) => collect(llm.respond(input, new AbortController().signal));
const text = (cs: LlmChunk[]) =>
  cs
    .filter((c): c is Extract<LlmChunk, { type: 'text' }> => c.type === 'text')
    .map((c) => c.delta)
    .join('');

t.test('streams text deltas and sends the prompt with gym, goal, missing facts and history as heard', async (t) => {
  const reply = 'Thanks! What are your opening hours during the week?';
  const { fake, llm, metrics } = await setup(t, [
    { text: reply, toolCalls: [{ name: 'asking_about', arguments: '{"topic":"hours"}' }] },
  ]);
  const chunks = await run(llm);
  t.equal(text(chunks), reply);
  t.ok(chunks.filter((c) => c.type === 'text').length > 3, 'several deltas, not one blob');
  t.same(chunks.slice(-2), [
    { type: 'asked', topic: 'hours' },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
  const body = fake.chatRequests[0]!.body as {
    model: string;
    stream: boolean;
    tools: { function: { name: string } }[];
    messages: { role: string; content: string }[];
  };
  t.equal(body.model, 'gpt-4o-mini');
  t.equal(body.stream, true);
  t.same(
    body.tools.map((x) => x.function.name),
    [
      'record_facts',
      'asking_about',
      'end_call',
      'press_keys',
      'wait_on_hold',
      'leave_voicemail',
      'record_refusal',
      'request_callback',
      'end_call_with_outcome',
    ],
  );
  const system = body.messages[0]!.content;
  t.match(system, /Iron Temple Fitness/);
  t.match(system, /opening hours/);
  t.match(system, /membership prices/);
  t.match(system, /classes: yoga/, 'known facts are listed');
  t.same(body.messages[1], {
    role: 'assistant',
    content: 'Hi, I am calling to ask about your— [interrupted by the staff here]',
  });
  t.same(body.messages[2], { role: 'user', content: 'Sure, what do you need?' });
  t.ok(metrics.some((m) => m.kind === 'llm-first-token'));
});

t.test('tool-call arguments split across many chunks are reassembled and validated into GymFacts', async (t) => {
  const args = JSON.stringify({
    hours: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '06:00', closes: '22:00' },
      { days: ['sun'], closed: true },
    ],
    pricing: [{ plan: 'monthly', amount: 49.99, period: 'month' }],
  });
  const { llm } = await setup(t, [
    { text: 'Got it, thank you.', toolCalls: [{ name: 'record_facts', arguments: args }], argFragments: 9 },
  ]);
  const chunks = await run(llm);
  const facts = chunks.find((c) => c.type === 'facts');
  t.same(facts, {
    type: 'facts',
    facts: {
      hours: {
        mon: { opens: '06:00', closes: '22:00' },
        tue: { opens: '06:00', closes: '22:00' },
        wed: { opens: '06:00', closes: '22:00' },
        thu: { opens: '06:00', closes: '22:00' },
        fri: { opens: '06:00', closes: '22:00' },
        sun: { closed: true },
      },
      pricing: [{ plan: 'monthly', amountMinor: 4999, currency: 'USD', period: 'month' }],
    },
  });
});

t.test('invalid tool arguments give invalid-tool, and the model is told so it asks again', async (t) => {
  const { fake, llm } = await setup(t, [
    {
      toolCalls: [
        { name: 'record_facts', arguments: '{"hours":[{"days":["mon"],"opens":"6am","closes":"22:00"}]}' },
        { name: 'end_call', arguments: '{"reason": "bored"' },
      ],
    },
    { text: 'Sorry, what time do you open on Mondays?' },
  ]);
  const chunks = await run(llm);
  const invalid = chunks.filter((c) => c.type === 'invalid-tool');
  t.equal(invalid.length, 2);
  t.match(invalid[0], { name: 'record_facts', error: /opens/ });
  t.match(invalid[1], { name: 'end_call', error: /JSON/ });
  t.notOk(
    chunks.some((c) => c.type === 'facts' || c.type === 'end-call'),
    'nothing invalid is recorded',
  );
  t.equal(text(chunks), 'Sorry, what time do you open on Mondays?', 'the follow-up round makes the agent speak');
  const second = fake.chatRequests[1]!.body as { messages: { role: string; content: string | null }[] };
  const toolMsgs = second.messages.filter((m) => m.role === 'tool');
  t.equal(toolMsgs.length, 2);
  t.match(toolMsgs[0]!.content, /error/);
});

t.test('an API error mid-stream surfaces as a ProviderError after the text already streamed', async (t) => {
  const { llm } = await setup(t, [{ text: 'We are open from six until ten.', errorAfterTokens: 3 }]);
  const seen: LlmChunk[] = [];
  const err = await (async () => {
    for await (const c of llm.respond(INPUT, new AbortController().signal)) seen.push(c);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError, 'typed error');
  t.equal((err as ProviderError).code, 'PROVIDER_FAILED');
  t.equal(text(seen), 'We are open ');
});

t.test('a 5xx before the stream starts is retried; a 401 is not', async (t) => {
  const { fake, llm } = await setup(t, [{ status: 503 }, { text: 'Hello there.' }]);
  t.equal(text(await run(llm)), 'Hello there.');
  t.equal(fake.chatRequests.length, 2);

  const bad = await setup(t, [{ status: 401 }, { text: 'never' }]);
  const err = await run(bad.llm).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(err, { status: 401, retryable: false });
  t.equal(bad.fake.chatRequests.length, 1);
});

t.test("a request's own sink hears its failed attempt and its first token, as the process does", async (t) => {
  const { llm, metrics } = await setup(t, [{ status: 503 }, { text: 'Hello there.' }]);
  const own: ProviderMetric[] = [];
  t.equal(text(await run(llm, { ...INPUT, onMetric: (m) => own.push(m) })), 'Hello there.');
  t.same(
    own.map((m) => m.kind),
    ['provider-error', 'llm-first-token'],
  );
  t.match(own[0], { status: 503, retryable: true });
  t.same(own, metrics);
  t.equal(llm.model, 'gpt-4o-mini', 'the model is named for traces');
});

t.test('sentence streaming: the first TTS request goes out before the LLM has finished', async (t) => {
  const reply = 'Thanks for your help today. What time do you open on weekends? And do you offer classes?';
  const { fake, llm } = await setup(t, [{ text: reply }], { firstTokenMs: 20, tokensPerSec: 60 });
  const el = await new FakeElevenLabs().start();
  t.teardown(() => el.close());
  const tts = new ElevenLabsTts({
    apiKey: 'k',
    baseUrl: el.url,
    voiceId: 'v',
    modelId: 'eleven_turbo_v2_5',
    outputFormat: 'pcm_24000',
    stability: 0.5,
    similarityBoost: 0.75,
    speakerBoost: true,
  });
  const ac = new AbortController();
  const playing: Promise<unknown>[] = [];
  const sentences: string[] = [];
  for await (const ev of replyEvents(llm.respond(INPUT, ac.signal))) {
    if (ev.type !== 'sentence') continue;
    sentences.push(ev.text);
    playing.push(tts.synthesize(ev.text, ac.signal).then((a) => collect(a.chunks)));
  }
  await Promise.all(playing);
  t.same(sentences, ['Thanks for your help today.', 'What time do you open on weekends?', 'And do you offer classes?']);
  const llmDone = fake.chatRequests[0]!.doneAtMs!;
  t.ok(el.requests[0]!.atMs < llmDone, 'first TTS request before the LLM stream ended');
  t.ok(el.requests[1]!.atMs < llmDone, 'second one too');
});

t.test('aborting (barge-in) ends the stream quietly: no error metric, no more chunks', async (t) => {
  const { llm, metrics } = await setup(t, [{ text: 'one two three four five six seven eight nine ten' }], {
    tokensPerSec: 50,
  });
  const ac = new AbortController();
  const seen: LlmChunk[] = [];
  const outcome = await (async () => {
    for await (const c of llm.respond(INPUT, ac.signal)) {
      seen.push(c);
      if (seen.length === 2) ac.abort();
    }
  })().then(
    () => 'ended',
    () => 'threw',
  );
  t.ok(outcome === 'ended' || outcome === 'threw');
  t.equal(seen.length, 2, 'nothing after the abort');
  t.notOk(
    metrics.some((m) => m.kind === 'provider-error'),
    'an abort is not a provider error',
  );
});

t.test('a connection cut mid-stream surfaces as a retryable ProviderError', async (t) => {
  const { llm } = await setup(t, [{ text: 'We are open from six until ten.', disconnectAfterTokens: 2 }]);
  const err = await run(llm).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).retryable, true);
});
