import type { Config } from '../config/index.js';
import { parseJsonSetting } from '../config/json-setting.js';
import { AppError } from '../errors.js';
import { chooseProviders } from '../providers/choice.js';
import type { VoiceChoice } from '../providers/tts/types.js';
import { GPT_ONLY_VOICES } from '../providers/tts/voice-catalogue.js';
import type { FlowScript } from './script.js';
import {
  CONFIGURED_PROFILE,
  ENDPOINTING_PROFILES,
  flowsFileSchema,
  type EndpointingWaits,
  type FlowsFile,
  type FlowVariant,
} from './variant.js';

// FLOWS read once at start-up into what the calls use: each variant's script (what the conversation says and in
// which order), its voice and its endpointing waits. A bad FLOWS stops start-up (and `gym-agent doctor` names it).

/** One variant as a call runs it. */
export interface Variant {
  readonly name: string;
  /** Percent of gyms. */
  readonly weight: number;
  readonly script: FlowScript;
  /** undefined: the configured voices. */
  readonly voice: VoiceChoice | undefined;
  /** undefined: the configured ENDPOINT_* waits. */
  readonly endpointing: EndpointingWaits | undefined;
}

export interface Flows {
  readonly experiment: string;
  /** In the file's order; `control` among them. */
  readonly variants: readonly Variant[];
  /** Settings that are valid but have no effect with this configuration (a voice for a provider not in use). */
  readonly warnings: readonly string[];
}

type FlowsConfig = Pick<
  Config,
  | 'FLOWS'
  | 'TTS_PROVIDERS'
  | 'ASR_PROVIDER'
  | 'LLM_PROVIDER'
  | 'DEEPGRAM_API_KEY'
  | 'OPENAI_API_KEY'
  | 'ELEVENLABS_API_KEY'
  | 'OPENAI_TTS_MODEL'
>;

/** The experiment FLOWS configures (inline JSON or a JSON file's path); undefined without one. */
export function loadFlows(cfg: FlowsConfig): Flows | undefined {
  if (cfg.FLOWS === undefined) return undefined;
  const file = parseJsonSetting('FLOWS', cfg.FLOWS, flowsFileSchema, 'flow experiment');
  const voices = checkVoices(file, cfg);
  if (voices.problems.length > 0)
    throw new AppError(
      'CONFIG_INVALID',
      `invalid flow experiment:\n${voices.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  return Object.freeze({
    experiment: file.experiment,
    variants: Object.freeze(file.variants.map((v) => resolveVariant(file, v))),
    warnings: Object.freeze(voices.warnings),
  });
}

function resolveVariant(file: FlowsFile, v: FlowVariant): Variant {
  const profile = v.endpointing ?? CONFIGURED_PROFILE;
  return Object.freeze({
    name: v.name,
    weight: v.weight,
    script: Object.freeze({
      experiment: file.experiment,
      variant: v.name,
      topicOrder: v.topicOrder,
      greeting: v.greeting,
      questions: v.questions,
      filler: v.filler,
    }),
    voice: v.voice && variantVoice(v.voice),
    endpointing:
      profile === CONFIGURED_PROFILE
        ? undefined
        : (file.endpointingProfiles?.[profile] ?? ENDPOINTING_PROFILES[profile]),
  });
}

/** A variant's voice as the providers take it: FLOWS names an ElevenLabs voice by its id alone. */
function variantVoice({ elevenlabs, ...rest }: NonNullable<FlowVariant['voice']>): VoiceChoice {
  return { ...rest, ...(elevenlabs === undefined ? {} : { elevenlabs: { voiceId: elevenlabs } }) };
}

/**
 * Voices against the providers in use: one the configured OpenAI model does not have is a problem (every sentence
 * of that variant would fail over); one for a provider that is not in use only a warning (it has no effect).
 */
function checkVoices(file: FlowsFile, cfg: FlowsConfig): { problems: string[]; warnings: string[] } {
  const chain: readonly string[] = chooseProviders(cfg).tts;
  const problems: string[] = [];
  const warnings: string[] = [];
  file.variants.forEach((v, i) => {
    const at = `FLOWS.variants.${i}.voice`;
    for (const provider of Object.keys(v.voice ?? {}))
      if (!chain.includes(provider))
        warnings.push(`${at}.${provider}: ${provider} is not among the TTS providers in use (${chain.join(', ')})`);
    const openai = v.voice?.openai;
    if (
      openai !== undefined &&
      chain.includes('openai') &&
      GPT_ONLY_VOICES.has(openai) &&
      /^tts-1/.test(cfg.OPENAI_TTS_MODEL)
    )
      problems.push(
        `${at}.openai: ${openai} is a voice of the gpt-4o speech models; ${cfg.OPENAI_TTS_MODEL} has no such voice`,
      );
  });
  return { problems, warnings };
}
