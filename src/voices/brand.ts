import { z } from 'zod';
import { espeakCatalogue } from '../providers/tts/espeak.js';
import { FLITE_VOICES } from '../providers/tts/flite.js';
import type { VoiceChoice } from '../providers/tts/types.js';
import {
  ELEVENLABS_MODEL_ID,
  ELEVENLABS_VOICE_ID,
  isEnglishOnlyModel,
  OPENAI_VOICES,
} from '../providers/tts/voice-catalogue.js';

// A brand voice: how a gym (its own line, every call with it) or a campaign (every call it places) wants the agent
// to sound. One JSON shape everywhere it is set (the gyms and campaigns API, `gym-agent gyms voice`, `campaign create
// --voice`, a gym list's voice columns) and stored as given (gyms.voice, campaigns.voice; migration 019), checked here
// when it is set, so a call never finds a bad one. Whether an ElevenLabs voice exists is only known online: `gym-agent
// doctor` asks (src/voices/doctor.ts).

const unit = (what: string) => z.number().min(0, `${what} must be within 0..1`).max(1, `${what} must be within 0..1`);

export const brandVoiceSchema = z
  .object({
    elevenlabs: z
      .object({
        voice_id: z
          .string()
          .regex(ELEVENLABS_VOICE_ID, 'must be an ElevenLabs voice id (20 letters and digits, cloned voices too)'),
        model: z
          .string()
          .regex(ELEVENLABS_MODEL_ID, 'must be an ElevenLabs model id such as eleven_turbo_v2_5')
          .optional(),
        stability: unit('stability').optional(),
        similarity: unit('similarity').optional(),
      })
      .strict()
      .optional(),
    openai: z
      .enum(OPENAI_VOICES, { message: `must be one of OpenAI's voices: ${OPENAI_VOICES.join(', ')}` })
      .optional(),
    flite: z.enum(FLITE_VOICES, { message: `must be one of ${FLITE_VOICES.join(', ')}` }).optional(),
    espeak: z
      .string()
      .refine((v) => espeakCatalogue().variants.has(v), 'must be an espeak-ng voice variant such as m3, f1 or klatt')
      .optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'must name a voice for at least one provider (or be null for none)');

export type BrandVoice = z.infer<typeof brandVoiceSchema>;

/** The expected shape, for error messages. */
export const BRAND_VOICE_SHAPE =
  '{"elevenlabs"?: {"voice_id", "model"?, "stability"?, "similarity"?}, "openai"?, "flite"?, "espeak"?}';

/**
 * What a brand voice cannot do in the language its gym or campaign speaks (BCP-47; undefined: not known yet): an
 * English-only ElevenLabs model for another language would be swapped for its multilingual kind on every call, so
 * naming one is a mistake said at configuration time; flite speaks only English, so a flite voice for another
 * language would never be heard.
 */
export function brandVoiceProblems(voice: BrandVoice, language: string | undefined): string[] {
  if (language === undefined || /^en(?:[-_]|$)/i.test(language)) return [];
  const out: string[] = [];
  const model = voice.elevenlabs?.model;
  if (model !== undefined && isEnglishOnlyModel(model))
    out.push(`elevenlabs.model: ${model} speaks only English and this voice is for ${language}`);
  if (voice.flite !== undefined)
    out.push(`flite: flite speaks only English and this voice is for ${language} (use espeak for the offline voice)`);
  return out;
}

/** A stored brand voice, read back and checked again (a row written by hand fails here, not in a call). */
export function parseBrandVoice(raw: unknown): BrandVoice | undefined {
  if (raw === null || raw === undefined) return undefined;
  const r = brandVoiceSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

/** A brand voice as the TTS providers take it. */
export function voiceChoice(v: BrandVoice): VoiceChoice {
  const e = v.elevenlabs;
  return {
    ...(e === undefined
      ? {}
      : { elevenlabs: { voiceId: e.voice_id, model: e.model, stability: e.stability, similarity: e.similarity } }),
    ...(v.openai === undefined ? {} : { openai: v.openai }),
    ...(v.flite === undefined ? {} : { flite: v.flite }),
    ...(v.espeak === undefined ? {} : { espeak: v.espeak }),
  };
}

/** The brand voices that may apply to one call. */
export interface CallVoices {
  /** The campaign that placed the call, when it has a voice. */
  readonly campaign?: BrandVoice | undefined;
  /** The gym's own voice. */
  readonly gym?: BrandVoice | undefined;
}

/**
 * The voice a call speaks with. The campaign's voice wins over the gym's (a campaign is the narrower, deliberate
 * choice for the calls it places; the gym's voice is its default for every other call), and either wins over a flow
 * experiment's variant (a brand is a promise to the gym; an experiment measures the flow and must not change how a
 * brand sounds). A voice replaces the one below it whole: a campaign naming only an OpenAI voice does not keep the
 * gym's ElevenLabs voice, so a failover never switches from one brand to another. undefined: the configured voices.
 */
export function callVoice(brand: CallVoices | undefined, variant: VoiceChoice | undefined): VoiceChoice | undefined {
  const chosen = brand?.campaign ?? brand?.gym;
  return chosen === undefined ? variant : voiceChoice(chosen);
}

/**
 * A voice written as JSON on a command line (`--voice '{"openai": "nova"}'`; `none` clears): the voice, null for
 * none, or what is wrong with it, each problem named by its path.
 */
export function readBrandVoice(text: string): { ok: true; voice: BrandVoice | null } | { ok: false; message: string } {
  if (text.trim() === 'none') return { ok: true, voice: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: `the voice must be JSON ${BRAND_VOICE_SHAPE} (or none)` };
  }
  const r = brandVoiceSchema.safeParse(raw);
  if (r.success) return { ok: true, voice: r.data };
  return { ok: false, message: r.error.issues.map((i) => `voice.${i.path.join('.') || ''}: ${i.message}`).join('; ') };
}

/** JSON with every object's keys in order: a stored voice (jsonb reorders keys) compares equal to the same voice given. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}
