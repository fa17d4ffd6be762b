import { createRequire } from 'node:module';
import t from 'tap';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { chooseProviders, selectProviders } from '../../src/providers/select.js';
import { FakeDeepgram } from '../../src/fakes/deepgram.js';
import { FakeOpenAi } from '../../src/fakes/openai.js';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import { startFakeStack } from '../../src/fakes/index.js';
import { emptyFacts } from '../../src/facts/model.js';
import { AppError } from '../../src/errors.js';
import { collect } from './helpers.js';

const choose = (env: Record<string, string>) => chooseProviders(loadConfig(env));
const KEYS = { DEEPGRAM_API_KEY: 'd', OPENAI_API_KEY: 'o', ELEVENLABS_API_KEY: 'e' };

// First in this file: nothing before it has chosen a cloud provider.
t.test('an offline selection loads no cloud SDK (ElevenLabs alone is 5,000 modules and 2 s of CPU)', async (t) => {
  const p = await selectProviders(loadConfig({}), { dsp: createReferenceDsp(), log: createLogger('silent') });
  t.same(p.choice, { asr: 'offline', llm: 'offline', tts: ['flite', 'espeak'] });
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  t.same(
    loaded.filter((f) => /node_modules\/(@elevenlabs|@deepgram|openai)\//.test(f)),
    [],
    `no SDK module among the ${loaded.length} loaded`,
  );
});

t.test('keys present → cloud, absent → offline; flite and espeak-ng always end the automatic TTS list', async (t) => {
  t.same(choose({}), { asr: 'offline', llm: 'offline', tts: ['flite', 'espeak'] });
  t.same(choose(KEYS), { asr: 'deepgram', llm: 'openai', tts: ['elevenlabs', 'openai', 'flite', 'espeak'] });
  t.same(choose({ OPENAI_API_KEY: 'o' }), { asr: 'offline', llm: 'openai', tts: ['openai', 'flite', 'espeak'] });
});

t.test('explicit overrides win, and impossible ones are rejected with every problem named', async (t) => {
  t.same(choose({ ...KEYS, ASR_PROVIDER: 'offline', LLM_PROVIDER: 'offline', TTS_PROVIDERS: 'flite' }), {
    asr: 'offline',
    llm: 'offline',
    tts: ['flite'],
  });
  t.same(choose({ ...KEYS, TTS_PROVIDERS: 'openai, elevenlabs' }).tts, ['openai', 'elevenlabs']);
  const err = t.throws(() =>
    choose({ ASR_PROVIDER: 'deepgram', LLM_PROVIDER: 'openai', TTS_PROVIDERS: 'elevenlabs,speechify,elevenlabs' }),
  ) as AppError;
  t.equal(err.code, 'CONFIG_INVALID');
  t.match(err.message, /DEEPGRAM_API_KEY/);
  t.match(err.message, /OPENAI_API_KEY/);
  t.match(err.message, /ELEVENLABS_API_KEY/);
  t.match(err.message, /speechify/);
  t.match(err.message, /twice/);
});

t.test('base URL overrides point the real SDKs at the fakes; the choice is logged once, without keys', async (t) => {
  const dg = await new FakeDeepgram({ apiKey: 'dg-secret', vocabulary: ['yes'] }).start();
  const oa = await new FakeOpenAi({ apiKey: 'oa-secret', replies: [{ text: 'Hello there.' }] }).start();
  const el = await new FakeElevenLabs({ apiKey: 'el-secret' }).start();
  t.teardown(async () => {
    await dg.close();
    await oa.close();
    await el.close();
  });
  const lines: string[] = [];
  const log = createLogger('info', { write: (s: string) => void lines.push(s) });
  const cfg = loadConfig({
    DEEPGRAM_API_KEY: 'dg-secret',
    DEEPGRAM_BASE_URL: dg.url,
    OPENAI_API_KEY: 'oa-secret',
    OPENAI_BASE_URL: oa.url,
    ELEVENLABS_API_KEY: 'el-secret',
    ELEVENLABS_BASE_URL: el.url,
    TTS_PROVIDERS: 'elevenlabs,openai',
  });
  const p = await selectProviders(cfg, { dsp: createReferenceDsp(), log });
  t.equal(lines.length, 1);
  t.match(JSON.parse(lines[0]!), {
    msg: 'providers selected',
    asr: 'deepgram',
    llm: 'openai',
    tts: 'elevenlabs>openai-tts',
  });
  t.notMatch(lines[0]!, /secret/);

  const chunks = await collect(
    p.llm.respond(
      {
        gymName: 'G',
        direction: 'inbound',
        facts: emptyFacts(),
        missing: ['hours'],
        asked: [],
        history: [],
        reason: 'greeting',
      },
      new AbortController().signal,
    ),
  );
  t.ok(chunks.some((c) => c.type === 'text'));
  t.equal(oa.chatRequests.length, 1);

  const audio = await p.tts.synthesize('Hello there.', new AbortController().signal);
  t.ok((await collect(audio.chunks)).length > 0);
  t.equal(el.requests.length, 1);

  const stream = await p.asr.open({ onEvent: () => undefined });
  await stream.close();
  t.equal(dg.connections.length, 1);
  t.equal(dg.connections[0]!.query.model, 'nova-3');
});

t.test('startFakeStack: the modelled profile, and an env that selects every cloud provider', async (t) => {
  const stack = await startFakeStack({ profile: 'modelled', openai: { replies: [{ text: 'Hi.' }] } });
  t.teardown(() => stack.close());
  t.same(chooseProviders(loadConfig(stack.env)), {
    asr: 'deepgram',
    llm: 'openai',
    tts: ['elevenlabs', 'openai', 'flite', 'espeak'],
  });
  t.equal(stack.deepgram.finalDelayMs, 150);
  t.match(stack.openai.chatTiming, { firstTokenMs: 350, tokensPerSec: 30 });
  t.match(stack.elevenlabs.timing, { firstByteMs: 200 });
});
