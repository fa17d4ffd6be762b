import t, { type Test } from 'tap';
import { FakeOpenAi, type ScriptedReply } from '../../src/fakes/openai.js';
import { situationalReply } from '../../src/fakes/openai-situations.js';
import { emptyFacts } from '../../src/facts/model.js';
import { OpenAiLlm } from '../../src/providers/llm/openai.js';
import { systemPrompt } from '../../src/providers/llm/prompt.js';
import type { ConversationInput, HistoryTurn, LlmChunk } from '../../src/providers/llm/types.js';
import { collect } from './helpers.js';

// The OpenAI path through the real SDK against the fake: a scripted model that answers each situation with its
// tool (src/fakes/openai-situations.ts), and what the provider makes of it: the chunks the reply actor turns into
// REPLY.* events, the follow-up round it asks for (never after a silent tool), the prompt's marks.

const NOW = new Date('2026-12-05T15:30:00Z'); // 10:30 in New York

function input(history: HistoryTurn[], extra: Partial<ConversationInput> = {}): ConversationInput {
  return {
    gymName: 'Iron Temple Fitness',
    direction: 'outbound',
    facts: emptyFacts(),
    missing: ['hours', 'pricing', 'classes'],
    asked: [],
    history,
    reason: 'reply',
    timeZone: 'America/New_York',
    ...extra,
  };
}

async function setup(t: Test, replies: ScriptedReply[] = []) {
  const fake = await new FakeOpenAi({ apiKey: 'oa-key', replies, reply: situationalReply }).start();
  t.teardown(() => fake.close());
  const llm = new OpenAiLlm({
    apiKey: 'oa-key',
    baseURL: fake.url,
    model: 'gpt-4o-mini',
    retry: { attempts: 1, baseMs: 1, maxMs: 5 },
    now: () => NOW,
    timeZone: 'UTC',
  });
  return { fake, llm };
}

const run = (llm: OpenAiLlm, i: ConversationInput) => collect(llm.respond(i, new AbortController().signal));
const nonText = (cs: LlmChunk[]) => cs.filter((c) => c.type !== 'text');
const said = (cs: LlmChunk[]) =>
  cs
    .filter((c): c is Extract<LlmChunk, { type: 'text' }> => c.type === 'text')
    .map((c) => c.delta)
    .join('');

t.test('a phone menu: press_keys with the option that reaches a person, nothing said, one request', async (t) => {
  const { fake, llm } = await setup(t);
  const cs = await run(
    llm,
    input([
      {
        speaker: 'caller',
        situation: 'phone-tree',
        text: 'Thank you for calling Iron Temple. For billing press 1. For membership press 2. For all other inquiries press 0.',
      },
    ]),
  );
  t.same(nonText(cs), [
    { type: 'press-keys', digits: '2' },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
  t.equal(said(cs), '');
  t.equal(fake.chatRequests.length, 1, 'no follow-up round: a menu is no listener');
  const sent = (fake.chatRequests[0]?.body.messages as { role: string; content: string }[])[1];
  t.match(sent?.content, /^\[automated phone menu\] Thank you for calling/);
});

t.test('hold and voicemail: silent tools', async (t) => {
  const { fake, llm } = await setup(t);
  t.same(
    nonText(await run(llm, input([{ speaker: 'caller', text: 'Sure, one moment please, let me get the manager.' }]))),
    [{ type: 'hold' }, { type: 'done', finishReason: 'tool_calls' }],
  );
  t.same(
    nonText(
      await run(llm, input([{ speaker: 'caller', situation: 'voicemail', text: 'The mailbox is full. Goodbye.' }])),
    ),
    [
      { type: 'voicemail', full: true },
      { type: 'done', finishReason: 'tool_calls' },
    ],
  );
  t.equal(fake.chatRequests.length, 2);
});

t.test('a refusal with a web address; the prompt then never asks for that topic', async (t) => {
  const { fake, llm } = await setup(t);
  const heard = "We don't give prices over the phone, it's all on iron temple dot com slash prices.";
  const cs = await run(
    llm,
    input([
      { speaker: 'agent', text: 'How much does a membership cost?' },
      { speaker: 'caller', text: heard },
    ]),
  );
  t.same(nonText(cs), [
    { type: 'refusal', refusal: { topic: 'pricing', words: heard, website: 'irontemple.com/prices' } },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
  t.equal(said(cs), 'No problem, thank you.');
  await run(
    llm,
    input([{ speaker: 'caller', text: 'What else?' }], { refused: ['pricing'], missing: ['pricing', 'classes'] }),
  );
  const system = (fake.chatRequests[1]?.body.messages as { content: string }[])[0]?.content ?? '';
  t.match(system, /Still missing: fitness classes offered\./);
  t.match(system, /Refused on the phone, never ask again: pricing\./);
});

t.test("a callback request: time in the gym's zone, person, the topics still missing", async (t) => {
  const { llm } = await setup(t);
  const heard = 'The manager handles that, call back after two and ask for Mike.';
  const cs = await run(llm, input([{ speaker: 'caller', text: heard }], { missing: ['pricing'] }));
  t.same(nonText(cs), [
    {
      type: 'callback',
      request: {
        earliestLocal: '2026-12-05T14:00',
        timeZone: 'America/New_York',
        person: 'Mike',
        topics: ['pricing'],
        words: heard,
      },
    },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
});

t.test('wrong number: the outcome and a goodbye', async (t) => {
  const { llm } = await setup(t);
  const cs = await run(llm, input([{ speaker: 'caller', text: "Sorry, you've got the wrong number." }]));
  t.same(nonText(cs), [
    { type: 'outcome', outcome: 'wrong-number' },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
  t.equal(said(cs), 'Sorry to have bothered you. Goodbye!');
});

t.test('facts are never recorded from a recording, even when the model tries', async (t) => {
  const record = { name: 'record_facts', arguments: '{"hours":[{"days":["mon"],"opens":"06:00","closes":"22:00"}]}' };
  const { llm } = await setup(t, [
    { text: 'Okay.', toolCalls: [record] },
    { text: 'Okay.', toolCalls: [record] },
    { text: 'Great, thanks.', toolCalls: [record] },
  ]);
  const marked = await run(
    llm,
    input([{ speaker: 'caller', situation: 'hold', text: 'We are open six to ten. Your call is important to us.' }]),
  );
  t.match(nonText(marked)[0], { type: 'invalid-tool', name: 'record_facts', error: /recording/ });
  // Unmarked (the first words of a call, before the machine knows the situation): the words' own test.
  const unmarked = await run(
    llm,
    input([{ speaker: 'caller', text: 'Our hours are six to ten. For membership press 2.' }]),
  );
  t.match(nonText(unmarked)[0], { type: 'invalid-tool', name: 'record_facts' });
  const person = await run(llm, input([{ speaker: 'caller', text: 'We are open six to ten on Mondays.' }]));
  t.same(nonText(person)[0], { type: 'facts', facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } } });
});

t.test('the prompt: a topic never asked comes before a transfer; while one is coming, no goodbye', async (t) => {
  const input: ConversationInput = {
    gymName: 'Iron Temple',
    direction: 'outbound',
    facts: emptyFacts(),
    missing: ['pricing', 'classes'],
    asked: ['hours', 'pricing'],
    history: [],
    reason: 'reply',
  };
  t.match(systemPrompt(input), /before you transfer me/, 'the rule, on every call');
  t.notMatch(systemPrompt(input), /They said they will transfer the call/);
  t.match(
    systemPrompt({ ...input, awaitingTransfer: true }),
    /They said they will transfer the call: .*Do not say goodbye\./,
  );
});
