// What is known offline about the cloud voices and models: the shapes and lists configuration is checked against
// (FLOWS' variants, the gyms' and campaigns' brand voices) and which ElevenLabs models speak only English. Whether a
// voice exists in an account is only known online (`gym-agent doctor`, src/voices/doctor.ts).

/** The OpenAI speech voices (the SDK's list, and the three tts-1 voices it no longer names). */
export const OPENAI_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'cedar',
  'coral',
  'echo',
  'fable',
  'marin',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
] as const;
export type OpenAiVoice = (typeof OPENAI_VOICES)[number];
/** Voices only the gpt-4o speech models have: tts-1 and tts-1-hd reject them. */
export const GPT_ONLY_VOICES: ReadonlySet<string> = new Set(['ballad', 'cedar', 'marin', 'verse']);

/** An ElevenLabs voice id, premade or cloned alike: 20 letters and digits. */
export const ELEVENLABS_VOICE_ID = /^[A-Za-z0-9]{20}$/;
/** An ElevenLabs model id (eleven_turbo_v2_5, eleven_multilingual_v2, eleven_v3, …). */
export const ELEVENLABS_MODEL_ID = /^eleven_[a-z0-9_]{2,40}$/;

/**
 * ElevenLabs' English-only text-to-speech models, each with the multilingual model of its kind (same latency class):
 * a call in another language is spoken by that one instead.
 */
const ENGLISH_ONLY_MODELS: ReadonlyMap<string, string> = new Map([
  ['eleven_monolingual_v1', 'eleven_multilingual_v2'],
  ['eleven_turbo_v2', 'eleven_turbo_v2_5'],
  ['eleven_flash_v2', 'eleven_flash_v2_5'],
]);
/** Models that take `language_code` to enforce the language (and its text normalisation). */
const LANGUAGE_ENFORCING_MODELS: ReadonlySet<string> = new Set(['eleven_turbo_v2_5', 'eleven_flash_v2_5']);

const primary = (language: string): string => language.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/** Whether an ElevenLabs model is one of the English-only ones. */
export function isEnglishOnlyModel(model: string): boolean {
  return ENGLISH_ONLY_MODELS.has(model);
}

/**
 * The model that speaks `language` (BCP-47), and the ISO 639-1 code to send with it when the model enforces one: an
 * English-only model is swapped for its multilingual kind outside English. undefined: the model as configured, the
 * language left to the model (what every request did before calls had a language).
 */
export function elevenLabsModelFor(
  model: string,
  language: string | undefined,
): { modelId: string; languageCode: string | undefined } {
  if (language === undefined) return { modelId: model, languageCode: undefined };
  const lang = primary(language);
  const modelId = lang === 'en' ? model : (ENGLISH_ONLY_MODELS.get(model) ?? model);
  return { modelId, languageCode: LANGUAGE_ENFORCING_MODELS.has(modelId) && lang.length === 2 ? lang : undefined };
}
