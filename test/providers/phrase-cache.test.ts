import t, { type Test } from 'tap';
import { UsageMeter } from '../../src/costs/meter.js';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import type { ProviderMetric } from '../../src/providers/metrics.js';
import { ElevenLabsTts } from '../../src/providers/tts/elevenlabs.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { CachedTts, PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import type { SynthesisOptions } from '../../src/providers/tts/types.js';
import { collect, ELEVEN_OPTIONS } from './helpers.js';

// The phrase cache in front of the real ElevenLabs SDK, talking to the local fake: a short line said before in the
// same voice and language is played from memory, byte for byte, without a request; anything else is asked for.

async function setup(t: Test, maxBytes = 16 << 20) {
  const fake = await new FakeElevenLabs({ apiKey: 'el-key' }).start();
  t.teardown(() => fake.close());
  const metrics: ProviderMetric[] = [];
  const eleven = new ElevenLabsTts({ apiKey: 'el-key', baseUrl: fake.url, ...ELEVEN_OPTIONS });
  const cache = new PhraseCache({ maxBytes });
  const tts = new CachedTts(eleven, cache, (m) => metrics.push(m));
  const say = async (text: string, options?: SynthesisOptions) => {
    const audio = await tts.synthesize(text, new AbortController().signal, options);
    return Buffer.concat(await collect(audio.chunks));
  };
  const hits = () => metrics.filter((m) => m.kind === 'tts-cache' && m.hit).length;
  return { fake, cache, tts, say, hits };
}

t.test('a short line said before is played from memory, byte for byte, without a request', async (t) => {
  const { fake, say, hits } = await setup(t);
  const first = await say('What are your opening hours?');
  t.equal(fake.requests.length, 1);
  const again = await say('What are your opening hours?');
  t.equal(fake.requests.length, 1, 'no second request');
  t.equal(hits(), 1);
  t.ok(again.equals(first), 'the same audio');
  t.ok(first.length > 1000, 'real audio');
});

t.test('a line played from memory is marked so: the cost meter bills no characters for it', async (t) => {
  const { tts } = await setup(t);
  const meter = new UsageMeter({ asr: 'deepgram', llm: 'openai' });
  const watched = meter.watchTts(tts);
  for (let i = 0; i < 3; i++) {
    const audio = await watched.synthesize('Got it.', new AbortController().signal);
    t.equal(audio.cached === true, i > 0);
    await collect(audio.chunks);
  }
  t.same(meter.usage(1000).ttsCharacters, { elevenlabs: 'Got it.'.length }, 'billed once');
});

t.test('another voice, language or text is a new request', async (t) => {
  const { fake, say, hits } = await setup(t);
  await say('Thanks.');
  await say('Thanks.', { voice: { elevenlabs: { voiceId: 'EXAVITQu4vr4xnSDxMaL' } } });
  await say('Thanks.', { language: 'es-MX' });
  await say('Thank you.');
  t.equal(fake.requests.length, 4);
  t.equal(hits(), 0);
  await say('Thanks.', { voice: { elevenlabs: { voiceId: 'EXAVITQu4vr4xnSDxMaL' } } });
  t.equal(hits(), 1, "the second voice's line is kept for that voice");
});

t.test("a long sentence (a gym's facts) is never kept", async (t) => {
  const { fake, say, cache } = await setup(t);
  const long = 'So that is six a.m. to ten p.m. on weekdays and eight to eight on weekends, is that right?';
  await say(long);
  await say(long);
  t.equal(fake.requests.length, 2);
  t.equal(cache.size, 0);
});

t.test('a stream that broke or was stopped is not kept', async (t) => {
  const { fake, tts, say, cache } = await setup(t);
  fake.faults.enqueue('disconnect-mid-stream');
  await t.rejects(say('Got it.'));
  t.equal(cache.size, 0, 'a broken stream is not kept');
  const ac = new AbortController();
  const audio = await tts.synthesize('Got it.', ac.signal);
  for await (const _ of audio.chunks) {
    ac.abort();
    break;
  }
  t.equal(cache.size, 0, 'a stream stopped by a barge-in is not kept');
  await say('Got it.');
  t.equal(cache.size, 1, 'a whole one is');
});

t.test('the least recently used lines leave first when the cache is full', async (t) => {
  const sizes = await setup(t);
  const thanks = (await sizes.say('Thanks.')).length;
  const gotIt = (await sizes.say('Got it.')).length;
  // Room for "Thanks." and "Got it.", not for "Okay." as well.
  const small = await setup(t, thanks + gotIt);
  await small.say('Thanks.');
  await small.say('Okay.');
  await small.say('Thanks.');
  await small.say('Got it.');
  t.ok(small.cache.bytes <= thanks + gotIt, 'within its bytes');
  const before = small.fake.requests.length;
  await small.say('Thanks.');
  await small.say('Got it.');
  t.equal(small.fake.requests.length, before, 'the lines used last are still there');
  await small.say('Okay.');
  t.equal(small.fake.requests.length, before + 1, 'the one used least recently left');
});

t.test("a replayed line says nothing of the provider's health: the breaker stays as it was", async (t) => {
  let clock = 0;
  const { fake, tts, say } = await setup(t);
  await say('Got it.');
  const fallback = new FallbackTts({
    providers: [tts],
    firstByteTimeoutMs: 1000,
    breaker: { failureThreshold: 1, cooldownMs: 1000 },
    now: () => clock,
  });
  const speak = async (text: string) => collect((await fallback.synthesize(text, new AbortController().signal)).chunks);
  fake.faults.enqueue('server-error');
  await t.rejects(speak('Something new.'));
  t.equal(fallback.breakerState('elevenlabs'), 'open');
  clock = 2000;
  t.equal(fallback.breakerState('elevenlabs'), 'half-open');
  await speak('Got it.');
  t.equal(fallback.breakerState('elevenlabs'), 'half-open', 'a hit did not close it');
  const before = fake.requests.length;
  await speak('Another new line.');
  t.equal(fake.requests.length, before + 1, 'the half-open trial was still there for a real request');
  t.equal(fallback.breakerState('elevenlabs'), 'closed', 'which closed it');
});
