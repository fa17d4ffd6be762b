// Brand voices (issue 19 item 3), the checks and the precedence. Where they are set and stored:
// test/campaigns/api.test.ts; read for a call by the replica that takes its stream: brief-elsewhere.test.ts; what
// the real SDKs send: test/providers/tts.test.ts and test/flows/call-flow.test.ts; doctor: test/ops/doctor.test.ts.
import t from 'tap';
import { elevenLabsModelFor } from '../../src/providers/tts/voice-catalogue.js';
import { brandVoiceProblems, brandVoiceSchema, callVoice, readBrandVoice } from '../../src/voices/brand.js';

const CLONED = 'Zq9CloneVoice0000001';
const GYM_VOICE = {
  elevenlabs: { voice_id: CLONED, model: 'eleven_multilingual_v2', stability: 0.3, similarity: 0.9 },
  openai: 'nova',
} as const;

t.test('a brand voice is checked where it is set: shapes, OpenAI voices, ranges, the language', async (t) => {
  t.ok(brandVoiceSchema.safeParse(GYM_VOICE).success);
  const bad = (v: unknown) => readBrandVoice(JSON.stringify(v));
  t.match(bad({ elevenlabs: { voice_id: 'rachel' } }), {
    ok: false,
    message: /voice\.elevenlabs\.voice_id: must be an ElevenLabs voice id/,
  });
  t.match(bad({ openai: 'bob' }), { ok: false, message: /voice\.openai: must be one of OpenAI's voices: alloy/ });
  t.match(bad({ elevenlabs: { voice_id: CLONED, stability: 1.5 } }), {
    ok: false,
    message: /stability must be within 0\.\.1/,
  });
  t.match(bad({ elevenlabs: { voice_id: CLONED, model: 'turbo' } }), {
    ok: false,
    message: /model id such as eleven_turbo_v2_5/,
  });
  t.match(bad({ espeak: 'nobody' }), { ok: false, message: /espeak-ng voice variant/ });
  t.match(bad({}), { ok: false, message: /at least one provider/ });
  t.match(bad({ azure: 'x' }), { ok: false, message: /azure/ });
  t.same(readBrandVoice('none'), { ok: true, voice: null });
  t.same(brandVoiceProblems({ elevenlabs: { voice_id: CLONED, model: 'eleven_turbo_v2' } }, 'en-US'), []);
  t.match(brandVoiceProblems({ elevenlabs: { voice_id: CLONED, model: 'eleven_turbo_v2' }, flite: 'slt' }, 'es-MX'), [
    /eleven_turbo_v2 speaks only English/,
    /flite speaks only English/,
  ]);
  // The model follows the call's language: an English-only one gives way to its multilingual kind.
  t.same(elevenLabsModelFor('eleven_turbo_v2', 'es-MX'), { modelId: 'eleven_turbo_v2_5', languageCode: 'es' });
  t.same(elevenLabsModelFor('eleven_multilingual_v2', 'es'), {
    modelId: 'eleven_multilingual_v2',
    languageCode: undefined,
  });
  t.same(elevenLabsModelFor('eleven_turbo_v2', undefined), { modelId: 'eleven_turbo_v2', languageCode: undefined });
});

t.test('precedence: the campaign over the gym, either over the flow variant, each whole', async (t) => {
  const variant = { elevenlabs: { voiceId: 'VariantVoice00000001' }, flite: 'slt' as const };
  t.same(callVoice(undefined, variant), variant, 'no brand: the variant');
  t.same(callVoice({ gym: { openai: 'nova' } }, variant), { openai: 'nova' }, 'the gym over the variant, whole');
  t.same(
    callVoice({ gym: GYM_VOICE, campaign: { openai: 'coral' } }, variant),
    { openai: 'coral' },
    'the campaign over the gym',
  );
  t.equal(callVoice(undefined, undefined), undefined);
});
