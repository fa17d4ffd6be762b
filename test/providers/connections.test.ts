import t from 'tap';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import { FakeOpenAi } from '../../src/fakes/openai.js';
import { Warmth } from '../../src/providers/http.js';
import { OpenAiLlm } from '../../src/providers/llm/openai.js';
import type { ConversationInput } from '../../src/providers/llm/types.js';
import { emptyFacts } from '../../src/facts/model.js';
import { ElevenLabsTts } from '../../src/providers/tts/elevenlabs.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { OpenAiTts } from '../../src/providers/tts/openai-tts.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import { collect, ELEVEN_OPTIONS } from './helpers.js';

// The client hands a finished response's socket back to its pool a moment after the body ends; a call's next
// request comes hundreds of milliseconds later at the earliest.
const pause = () => new Promise((r) => setTimeout(r, 20));

// Connection reuse and warm-up: every turn of a call must not pay a new TCP (TLS, in production) handshake.

const INPUT: ConversationInput = {
  gymName: 'Test Gym',
  direction: 'outbound',
  facts: emptyFacts(),
  missing: ['hours'],
  asked: [],
  history: [{ speaker: 'caller', text: 'hello' }],
  reason: 'reply',
};

function eleven(url: string, key = 'el-key') {
  return new ElevenLabsTts({ apiKey: key, baseUrl: url, ...ELEVEN_OPTIONS });
}

t.test('ElevenLabs: warm-up opens the connection that the sentences then reuse', async (t) => {
  const el = await new FakeElevenLabs({ apiKey: 'el-key' }).start();
  t.teardown(() => el.close());
  const tts = eleven(el.url);
  t.teardown(() => tts.close());
  await tts.warm();
  t.equal(el.modelListRequests, 1, 'one GET /v1/models');
  t.equal(el.connections, 1);
  for (const text of ['Thanks.', 'What are your opening hours?', 'Goodbye!']) {
    await pause();
    const audio = await tts.synthesize(text, new AbortController().signal);
    t.ok((await collect(audio.chunks)).length > 0, `audio for "${text}"`);
  }
  t.equal(el.requests.length, 3);
  t.equal(el.connections, 1, 'three sentences and the warm-up over one keep-alive connection');
  await tts.warm();
  t.equal(el.modelListRequests, 1, 'no second warm-up while the connection is fresh');
});

t.test('OpenAI chat and speech: requests reuse one connection; warm-up is one GET /v1/models', async (t) => {
  const oa = await new FakeOpenAi({
    apiKey: 'oa-key',
    reply: () => ({ text: 'Thanks. What are your hours?' }),
  }).start();
  t.teardown(() => oa.close());
  const llm = new OpenAiLlm({ apiKey: 'oa-key', baseURL: oa.url, model: 'gpt-4o-mini' });
  t.teardown(() => llm.close());
  await llm.warm();
  t.equal(oa.modelListRequests, 1);
  for (let i = 0; i < 3; i++) {
    await pause();
    const chunks = await collect(llm.respond(INPUT, new AbortController().signal));
    t.ok(chunks.some((c) => c.type === 'text'));
  }
  const speech = new OpenAiTts({ apiKey: 'oa-key', baseURL: oa.url, model: 'tts-1-hd', voice: 'alloy' });
  t.teardown(() => speech.close());
  await collect((await speech.synthesize('Hello there.', new AbortController().signal)).chunks);
  t.equal(oa.chatRequests.length, 3);
  // The LLM client and the speech client each keep their own connection.
  t.equal(oa.connections, 2, 'warm-up + three chat requests on one connection, speech on another');
});

t.test('a warm-up against a wrong key fails (the caller logs it); the real request reports the error', async (t) => {
  const el = await new FakeElevenLabs({ apiKey: 'el-key' }).start();
  t.teardown(() => el.close());
  const tts = eleven(el.url, 'wrong');
  t.teardown(() => tts.close());
  await t.rejects(tts.warm());
  await t.rejects(tts.synthesize('Hello.', new AbortController().signal), { code: 'PROVIDER_FAILED', status: 401 });
});

t.test('FallbackTts.warm warms the providers a sentence could go to; rejects only when all fail', async (t) => {
  const warmed: string[] = [];
  const provider = (name: string, fail: boolean): TtsProvider => ({
    name,
    capabilities: { sampleRate: 24000, streaming: true },
    synthesize: () => Promise.reject(new Error('unused')),
    warm: async () => {
      warmed.push(name);
      if (fail) throw new Error(`${name} down`);
    },
  });
  const noWarm: TtsProvider = {
    name: 'local',
    capabilities: { sampleRate: 24000, streaming: true },
    synthesize: () => Promise.reject(new Error('unused')),
  };
  await new FallbackTts({
    providers: [provider('a', true), provider('b', false), noWarm],
    firstByteTimeoutMs: 100,
  }).warm();
  t.same(warmed, ['a', 'b'], 'both network providers warmed, one failure tolerated');
  await t.rejects(
    new FallbackTts({ providers: [provider('c', true)], firstByteTimeoutMs: 100 }).warm(),
    { name: 'ProviderError', provider: 'c' },
    'every warm-up failed',
  );
  await new FallbackTts({ providers: [noWarm], firstByteTimeoutMs: 100 }).warm();
  t.pass('nothing to warm is not an error');
});

t.test('Warmth: due when never used or stale, not while fresh, and counts itself as a use', async (t) => {
  let now = 0;
  const w = new Warmth(20_000, () => now);
  t.equal(w.due(), true, 'never used');
  t.equal(w.due(), false, 'a warm-up just went out (many calls starting together send one)');
  now = 15_000;
  w.used();
  now = 30_000;
  t.equal(w.due(), false, 'used 15 s ago');
  now = 35_001;
  t.equal(w.due(), true, 'idle for more than 20 s');
});
