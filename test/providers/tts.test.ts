import t, { type Test } from 'tap';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import { FakeOpenAi } from '../../src/fakes/openai.js';
import { synthSpeech } from '../../src/fakes/audio.js';
import type { TtsFault } from '../../src/fakes/tts-stream.js';
import { ElevenLabsTts } from '../../src/providers/tts/elevenlabs.js';
import { OpenAiTts } from '../../src/providers/tts/openai-tts.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import type { ProviderMetric } from '../../src/providers/metrics.js';
import { ProviderError } from '../../src/providers/retry.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { collect, ELEVEN_OPTIONS } from './helpers.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { callFlow } from '../../src/flows/call-flow.js';
import type { CallVoices } from '../../src/voices/brand.js';

const TEXT = 'We are open six to ten on weekdays.';
// Different voices per fake, so the output shows which provider produced each byte.
const elPcm = (text: string, sr: number) => synthSpeech(text, { sampleRate: sr, f0: 120 });
const oaPcm = (text: string, sr: number) => synthSpeech(text, { sampleRate: sr, f0: 210 });

async function setup(t: Test, opts: { now?: () => number } = {}) {
  const el = await new FakeElevenLabs({ apiKey: 'el-key', synth: elPcm, timing: { slowFirstByteMs: 2500 } }).start();
  const oa = await new FakeOpenAi({ apiKey: 'oa-key', synth: oaPcm }).start();
  t.teardown(async () => {
    await el.close();
    await oa.close();
  });
  const metrics: ProviderMetric[] = [];
  const onMetric = (m: ProviderMetric) => metrics.push(m);
  const eleven = new ElevenLabsTts({
    apiKey: 'el-key',
    baseUrl: el.url,
    ...ELEVEN_OPTIONS,
    onMetric,
  });
  const openai = new OpenAiTts({ apiKey: 'oa-key', baseURL: oa.url, model: 'tts-1-hd', voice: 'alloy', onMetric });
  const tts = new FallbackTts({
    providers: [eleven, openai],
    firstByteTimeoutMs: 1000,
    stallTimeoutMs: 1000,
    breaker: { failureThreshold: 3, cooldownMs: 10_000 },
    onMetric,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { el, oa, tts, metrics };
}

const speak = async (tts: FallbackTts, text = TEXT) => {
  const audio = await tts.synthesize(text, new AbortController().signal);
  return { audio, bytes: Buffer.concat(await collect(audio.chunks)) };
};

t.test('ElevenLabs is asked for eleven_turbo_v2_5 pcm_24000 Rachel with the configured voice settings', async (t) => {
  const { el, tts, metrics } = await setup(t);
  const { audio, bytes } = await speak(tts);
  t.equal(audio.sampleRate, 24000);
  t.equal(audio.provider, 'elevenlabs');
  t.ok(bytes.equals(elPcm(TEXT, 24000)), 'all audio, unchanged');
  const r = el.requests[0]!;
  t.equal(r.voiceId, '21m00Tcm4TlvDq8ikWAM');
  t.equal(r.outputFormat, 'pcm_24000');
  t.match(r.body, {
    text: TEXT,
    model_id: 'eleven_turbo_v2_5',
    voice_settings: { stability: 0.5, similarity_boost: 0.75, use_speaker_boost: true },
  });
  t.ok(metrics.some((m) => m.kind === 'tts-first-byte' && m.provider === 'elevenlabs'));
});

const FAULTS: TtsFault[] = [
  'unauthorized',
  'rate-limited',
  'server-error',
  'slow-first-byte',
  'disconnect-mid-stream',
  'error-body-as-audio',
];

for (const fault of FAULTS) {
  t.test(`failover to OpenAI TTS on ElevenLabs fault: ${fault}`, async (t) => {
    const { el, oa, tts, metrics } = await setup(t);
    el.faults.enqueue(fault);
    const { bytes } = await speak(tts);
    const backup = oaPcm(TEXT, 24000);
    t.equal(oa.speechRequests.length, 1, 'the fallback was asked once');
    t.match(oa.speechRequests[0]!.body, { model: 'tts-1-hd', voice: 'alloy', input: TEXT, response_format: 'pcm' });
    if (fault === 'disconnect-mid-stream') {
      const head = bytes.subarray(0, bytes.length - backup.length);
      t.ok(head.length > 0 && elPcm(TEXT, 24000).subarray(0, head.length).equals(head), 'what played was real audio');
      t.ok(bytes.subarray(head.length).equals(backup), 'then the whole sentence from the fallback');
      t.equal(bytes.length % 2, 0, 'sample-aligned');
    } else {
      t.ok(bytes.equals(backup), 'output is exactly the fallback audio');
    }
    t.notOk(bytes.includes(Buffer.from('"detail"')), 'no error body bytes in the output');
    t.ok(metrics.some((m) => m.kind === 'tts-fallback' && m.provider === 'elevenlabs' && m.to === 'openai-tts'));
    const errors = metrics.filter((m) => m.kind === 'provider-error');
    t.ok(errors.length > 0 && errors.every((m) => m.modality === 'tts'), 'the failed attempt is a TTS error');
  });
}

t.test('an error body labelled as audio is rejected by the provider itself, before any byte is released', async (t) => {
  const { el } = await setup(t);
  el.faults.enqueue('error-body-as-audio');
  const eleven = new ElevenLabsTts({ apiKey: 'el-key', baseUrl: el.url, ...ELEVEN_OPTIONS, voiceId: 'v' });
  const err = await eleven.synthesize('hello', new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).code, 'PROVIDER_BAD_AUDIO');
});

t.test('when every provider fails the error says so and nothing is played', async (t) => {
  const { el, oa, tts } = await setup(t);
  el.faults.enqueue('server-error');
  oa.speechFaults.enqueue('error-body-as-audio');
  const err = await tts.synthesize(TEXT, new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).code, 'PROVIDER_FAILED');
  t.match((err as Error).message, /elevenlabs.*openai-tts/);
});

t.test(
  'circuit breaker: opens after repeated failures, skips the provider, half-opens after the cooldown',
  async (t) => {
    let now = 0;
    const { el, oa, tts } = await setup(t, { now: () => now });
    el.faults.enqueue('server-error', 'server-error', 'server-error');
    for (let i = 0; i < 3; i++) await speak(tts);
    t.equal(tts.breakerState('elevenlabs'), 'open');
    t.equal(el.requests.length, 3);
    await speak(tts);
    t.equal(el.requests.length, 3, 'open breaker: ElevenLabs not even asked');
    t.equal(oa.speechRequests.length, 4);

    now += 10_000;
    t.equal(tts.breakerState('elevenlabs'), 'half-open');
    el.faults.enqueue('server-error');
    await speak(tts);
    t.equal(el.requests.length, 4, 'half-open lets one trial through');
    t.equal(tts.breakerState('elevenlabs'), 'open', 'a failed trial opens it again');

    now += 10_000;
    const { audio } = await speak(tts);
    t.equal(audio.provider, 'elevenlabs', 'a good trial closes it');
    t.equal(tts.breakerState('elevenlabs'), 'closed');
  },
);

t.test("a request's own sink hears the fail-over and the first byte of the voice that spoke", async (t) => {
  const { el, tts, metrics } = await setup(t);
  el.faults.enqueue('server-error');
  const own: ProviderMetric[] = [];
  const audio = await tts.synthesize(TEXT, new AbortController().signal, { onMetric: (m) => own.push(m) });
  await collect(audio.chunks);
  t.same(
    own.map((m) => m.kind),
    ['provider-error', 'tts-fallback', 'tts-first-byte'],
  );
  t.match(own, [
    { provider: 'elevenlabs', status: 500 },
    { provider: 'elevenlabs', to: 'openai-tts' },
    { provider: 'openai-tts' },
  ]);
  t.same(own, metrics, 'as the process-wide sink heard them');
  t.match(audio, { provider: 'openai-tts', model: 'tts-1-hd' }, 'the model that spoke');
});

t.test('a permanent error (401) opens the breaker at once', async (t) => {
  const { el, tts } = await setup(t);
  el.faults.enqueue('unauthorized');
  await speak(tts);
  t.equal(tts.breakerState('elevenlabs'), 'open');
});

t.test('stopping playback (barge-in) cancels the provider stream', async (t) => {
  const { el, tts } = await setup(t);
  el.timing = { ...el.timing, realtimeFactor: 1 };
  const ac = new AbortController();
  const audio = await tts.synthesize('one two three four five six seven eight', ac.signal);
  const it = audio.chunks[Symbol.asyncIterator]();
  const first = await it.next();
  t.notOk(first.done);
  await it.return?.();
  ac.abort();
  t.equal(el.requests.length, 1);
});

t.test(
  'mid-stream failover to a provider with another sample rate is resampled to the rate already playing',
  async (t) => {
    const el = await new FakeElevenLabs({ synth: elPcm }).start();
    t.teardown(() => el.close());
    const make = (outputFormat: 'pcm_24000' | 'pcm_16000') =>
      new ElevenLabsTts({
        apiKey: 'k',
        baseUrl: el.url,
        voiceId: outputFormat,
        modelId: 'eleven_turbo_v2_5',
        outputFormat,
        stability: 0.5,
        similarityBoost: 0.75,
        speakerBoost: true,
        headersTimeoutMs: 2000,
      });
    const a = make('pcm_24000');
    const b = Object.assign(make('pcm_16000'), { name: 'elevenlabs-16k' });
    const dsp = createReferenceDsp();
    const tts = new FallbackTts({
      providers: [a, b],
      firstByteTimeoutMs: 1000,
      createResampler: (f, to) => dsp.createResampler(f, to),
    });
    el.faults.enqueue('disconnect-mid-stream');
    const { audio, bytes } = await speak(tts);
    t.equal(audio.sampleRate, 24000);
    t.equal(el.requests[1]?.outputFormat, 'pcm_16000');
    const full16 = elPcm(TEXT, 16000).length;
    // The fake cuts at the first 40 ms chunk boundary past a third of the audio.
    const chunk = 40 * 24 * 2;
    const head = Math.ceil(Math.floor(elPcm(TEXT, 24000).length / 3) / chunk) * chunk;
    const tail = bytes.length - head;
    t.ok(
      Math.abs(tail - full16 * 1.5) < 200,
      `the 16 kHz sentence arrives as 24 kHz (${tail} vs ${full16 * 1.5} bytes)`,
    );
  },
);

t.test('the last provider left gets no first-byte deadline: a late voice beats silence', async (t) => {
  const slow = {
    name: 'slow-local',
    capabilities: { sampleRate: 16000, streaming: true },
    synthesize: async (_text: string, _signal: AbortSignal) => {
      await new Promise((r) => setTimeout(r, 120));
      return {
        sampleRate: 16000,
        provider: 'slow-local',
        chunks: (async function* () {
          yield new Uint8Array(320);
        })(),
      };
    },
  };
  const tts = new FallbackTts({ providers: [slow], firstByteTimeoutMs: 30 });
  const audio = await tts.synthesize(TEXT, new AbortController().signal);
  const parts = await collect(audio.chunks);
  t.equal(
    parts.reduce((n, p) => n + p.length, 0),
    320,
    'the slow last resort was waited for',
  );
});

t.test(
  "a call's brand voice reaches the real SDKs: voice id, model, settings, language; OpenAI's after a failover",
  async (t) => {
    const { el, oa, tts } = await setup(t);
    const gym = {
      elevenlabs: {
        voice_id: 'Zq9CloneVoice0000001',
        model: 'eleven_multilingual_v2',
        stability: 0.3,
        similarity: 0.9,
      },
      openai: 'nova' as const,
    };
    const say = async (voices: CallVoices, language?: string) => {
      const voiced = callFlow(undefined, undefined, DEFAULT_TIMING, tts, voices).tts;
      const a = await voiced.synthesize(TEXT, new AbortController().signal, { language });
      await collect(a.chunks);
      return a;
    };
    await say({ gym });
    t.match(
      el.requests.at(-1),
      {
        voiceId: 'Zq9CloneVoice0000001',
        body: {
          model_id: 'eleven_multilingual_v2',
          voice_settings: { stability: 0.3, similarity_boost: 0.9, use_speaker_boost: true },
        },
      },
      "the gym's cloned voice, its model and settings",
    );
    t.notOk('language_code' in (el.requests.at(-1)?.body ?? {}), 'no language: none sent');
    el.faults.enqueue('server-error');
    t.equal((await say({ gym })).provider, 'openai-tts');
    t.match(
      oa.speechRequests.at(-1)?.body,
      { voice: 'nova', model: 'tts-1-hd' },
      "OpenAI speaks the gym's OpenAI voice",
    );
    // A campaign's voice over the gym's; the configured model follows a Spanish call (English-only → multilingual).
    const campaign = { elevenlabs: { voice_id: 'EXAVITQu4vr4xnSDxMaL', model: 'eleven_turbo_v2', stability: 0.6 } };
    const es = await say({ gym, campaign }, 'es-MX');
    t.equal(es.model, 'eleven_turbo_v2_5');
    t.match(
      el.requests.at(-1),
      {
        voiceId: 'EXAVITQu4vr4xnSDxMaL',
        body: {
          model_id: 'eleven_turbo_v2_5',
          language_code: 'es',
          voice_settings: { stability: 0.6, similarity_boost: 0.75 },
        },
      },
      "the campaign's voice, the configured similarity, the call's language",
    );
  },
);
