import t from 'tap';
import type { InspectionEvent } from 'xstate';
import type { CallContext } from '../../machines/context.js';
import { loadConfig } from '../../src/config/index.js';
import type { CallStart, CallRecorder } from '../../src/db/recorder.js';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';
import { assignFlow } from '../../src/flows/assign.js';
import { loadFlows, type Flows } from '../../src/flows/load.js';
import { createLogger } from '../../src/log.js';
import { ElevenLabsTts } from '../../src/providers/tts/elevenlabs.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { startCall } from '../call/wrap-up-harness.js';
import { waitFor } from '../support/wait.js';
import type { CallVoices } from '../../src/voices/brand.js';

// Two gyms of one experiment, one in each variant, through a real call session (call machine, offline interviewer,
// speaker actor) with ElevenLabs' SDK against its protocol fake: each call's greeting, question order and wording
// are its variant's, the fake is asked for each variant's voice id, the machine runs each variant's endpointing
// waits, and the call's record names experiment and variant.

const log = createLogger('silent');
const CONFIGURED_VOICE = '21m00Tcm4TlvDq8ikWAM';
const VARIANT_VOICE = 'EXAVITQu4vr4xnSDxMaL';

const FLOWS = {
  experiment: 'order-test',
  variants: [
    { name: 'control', weight: 50 },
    {
      name: 'pricing-first',
      weight: 50,
      greeting: { outbound: 'Hello, this is an automated assistant with a quick question for {gym}.' },
      questions: { pricing: 'What does a monthly membership cost?' },
      topicOrder: ['pricing', 'classes', 'hours'],
      voice: { elevenlabs: VARIANT_VOICE },
      endpointing: 'patient',
    },
  ],
};

/** A number of the experiment that lands in `variant`. */
function numberIn(flows: Flows, variant: string): string {
  for (let i = 0; i < 1000; i++) {
    const phone = `+1201555${String(i).padStart(4, '0')}`;
    if (assignFlow(flows, phone).variant.name === variant) return phone;
  }
  throw new Error(`no number lands in ${variant}`);
}

async function call(flows: Flows, fake: FakeElevenLabs, phone: string, callId: string, voices?: CallVoices) {
  const tts = new FallbackTts({
    providers: [
      new ElevenLabsTts({
        apiKey: 'test-key',
        baseUrl: fake.url,
        voiceId: CONFIGURED_VOICE,
        modelId: 'eleven_turbo_v2_5',
        outputFormat: 'pcm_16000',
        stability: 0.5,
        similarityBoost: 0.75,
        speakerBoost: true,
      }),
    ],
    firstByteTimeoutMs: 5000,
  });
  const started: CallStart[] = [];
  const ledger = new Proxy({}, { get: () => () => Promise.resolve('committed') });
  const recorder = {
    begin: (c: CallStart) => (started.push(c), ledger),
  } as unknown as CallRecorder;
  let context: CallContext | undefined;
  const from = fake.requests.length;
  const h = startCall({
    log,
    recorder,
    callId,
    direction: 'outbound',
    tts,
    deps: {
      flows,
      lookup: () => ({ direction: 'outbound', gymName: 'Quick Fit', phoneNumber: phone, voices }),
      inspect: (e: InspectionEvent) => {
        const ctx = e.type === '@xstate.snapshot' ? (e.snapshot as { context?: unknown }).context : undefined;
        if (typeof ctx === 'object' && ctx !== null && 'timing' in ctx) context = ctx as CallContext;
      },
    },
  });
  return { h, started, context: () => context, voices: () => fake.requests.slice(from).map((r) => r.voiceId) };
}

t.test('each gym hears its own variant: wording, order, voice, endpointing; its record names it', async (t) => {
  const fake = await new FakeElevenLabs({ apiKey: 'test-key' }).start();
  t.teardown(() => fake.close());
  const flows = loadFlows(loadConfig({ FLOWS: JSON.stringify(FLOWS), ELEVENLABS_API_KEY: 'test-key' }));
  if (flows === undefined) return t.fail('no flows');

  const transcripts: Record<string, string[]> = {};
  for (const variant of ['control', 'pricing-first']) {
    const c = await call(flows, fake, numberIn(flows, variant), `call-${variant}`);
    await c.h.callerSays('Hello?');
    await waitFor(() => c.h.player.said.length >= 2, { what: `${variant}: the greeting` });
    // The first question's answer; the interviewer acknowledges it ("Got it, thanks.") and asks the next topic.
    const first = c.h.player.said[1] ?? '';
    await c.h.callerSays(
      /membership/.test(first) ? 'Forty dollars a month.' : 'We are open six am to ten pm every day.',
    );
    await waitFor(() => c.h.player.said.length >= 4, { what: `${variant}: the second question` });
    transcripts[variant] = [...c.h.player.said];
    t.same(c.started[0]?.flow, { experiment: 'order-test', variant }, `${variant}: the call's record names it`);
    const timing = c.context()?.timing;
    t.same(
      [timing?.endpointShortMs, timing?.endpointLongMs],
      variant === 'control' ? [400, 1500] : [700, 2200],
      `${variant}: its endpointing waits in the machine`,
    );
    t.ok(c.context()?.flow?.variant === variant, `${variant}: the machine runs its script`);
    const voices = new Set(c.voices());
    t.same(
      [...voices],
      [variant === 'control' ? CONFIGURED_VOICE : VARIANT_VOICE],
      `${variant}: every sentence in its voice`,
    );
    c.h.session.onEnd('stop');
    await c.h.ended;
  }
  const control = transcripts['control'] ?? [];
  const variant = transcripts['pricing-first'] ?? [];
  t.match(control[0], /^Hi, is this Quick Fit\? I'm an automated assistant calling/);
  t.equal(control[1], 'What are your opening hours?');
  t.equal(control[3], 'And how much does a membership cost?');
  t.equal(variant[0], 'Hello, this is an automated assistant with a quick question for Quick Fit.');
  t.equal(variant[1], 'What does a monthly membership cost?');
  t.equal(variant[3], 'Which fitness classes do you offer?', 'pricing, then classes: the flow order');
});

t.test("a gym's brand voice wins over its variant's voice; the call still runs and records the variant", async (t) => {
  const fake = await new FakeElevenLabs({ apiKey: 'test-key' }).start();
  t.teardown(() => fake.close());
  const flows = loadFlows(loadConfig({ FLOWS: JSON.stringify(FLOWS), ELEVENLABS_API_KEY: 'test-key' }));
  if (flows === undefined) return t.fail('no flows');
  const brand = { elevenlabs: { voice_id: 'BrandVoiceOfTheGym01', model: 'eleven_flash_v2_5', stability: 0.35 } };
  const c = await call(flows, fake, numberIn(flows, 'pricing-first'), 'call-brand', { gym: brand });
  await c.h.callerSays('Hello?');
  await waitFor(() => c.h.player.said.length >= 2, { what: 'the greeting and first question' });
  t.equal(c.h.player.said[1], 'What does a monthly membership cost?', "the variant's script");
  t.same(c.started[0]?.flow, { experiment: 'order-test', variant: 'pricing-first' });
  t.same([...new Set(c.voices())], ['BrandVoiceOfTheGym01'], 'every sentence, the prefetched greeting too');
  t.match(fake.requests.at(-1)?.body, { model_id: 'eleven_flash_v2_5', voice_settings: { stability: 0.35 } });
  c.h.session.onEnd('stop');
  await c.h.ended;
});
