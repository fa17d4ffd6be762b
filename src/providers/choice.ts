import type { Config } from '../config/index.js';
import { AppError } from '../errors.js';

// Which provider does each job, from configuration alone (the decision; src/providers/select.ts builds them): a key
// present → the cloud provider, otherwise the embedded offline one; ASR_PROVIDER / LLM_PROVIDER / TTS_PROVIDERS
// override. TTS is always an ordered failover list, and flite and espeak-ng end the automatic list so speech never
// depends on the network alone, in English or another language. Its own module, free of provider imports, for whoever needs only the decision (FLOWS' voices).

export const TTS_NAMES = ['elevenlabs', 'openai', 'flite', 'espeak'] as const;
export type TtsName = (typeof TTS_NAMES)[number];

export interface ProviderChoice {
  asr: 'deepgram' | 'offline';
  llm: 'openai' | 'offline';
  tts: TtsName[];
}

type ChoiceConfig = Pick<
  Config,
  'ASR_PROVIDER' | 'LLM_PROVIDER' | 'TTS_PROVIDERS' | 'DEEPGRAM_API_KEY' | 'OPENAI_API_KEY' | 'ELEVENLABS_API_KEY'
>;

/** Pure decision (tested on its own): every inconsistency is reported in one CONFIG_INVALID error. */
export function chooseProviders(cfg: ChoiceConfig): ProviderChoice {
  const problems: string[] = [];
  // env.ts types the choices as plain strings; narrow them here.
  const asr: ProviderChoice['asr'] =
    cfg.ASR_PROVIDER === 'deepgram' || (cfg.ASR_PROVIDER === 'auto' && cfg.DEEPGRAM_API_KEY) ? 'deepgram' : 'offline';
  if (asr === 'deepgram' && !cfg.DEEPGRAM_API_KEY) problems.push('ASR_PROVIDER=deepgram needs DEEPGRAM_API_KEY');
  const llm: ProviderChoice['llm'] =
    cfg.LLM_PROVIDER === 'openai' || (cfg.LLM_PROVIDER === 'auto' && cfg.OPENAI_API_KEY) ? 'openai' : 'offline';
  if (llm === 'openai' && !cfg.OPENAI_API_KEY) problems.push('LLM_PROVIDER=openai needs OPENAI_API_KEY');

  let tts: TtsName[];
  const raw = cfg.TTS_PROVIDERS.trim().toLowerCase();
  if (raw === 'auto' || raw === '') {
    tts = [];
    if (cfg.ELEVENLABS_API_KEY) tts.push('elevenlabs');
    if (cfg.OPENAI_API_KEY) tts.push('openai');
    // flite speaks English; espeak-ng every other language a call may have (and English when flite fails).
    tts.push('flite', 'espeak');
  } else {
    const names = raw.split(',').map((s) => s.trim());
    tts = [];
    for (const n of names) {
      if (!(TTS_NAMES as readonly string[]).includes(n)) {
        problems.push(`TTS_PROVIDERS: unknown provider "${n}" (use ${TTS_NAMES.join(', ')})`);
      } else if (tts.includes(n as TtsName)) {
        problems.push(`TTS_PROVIDERS: "${n}" is listed twice`);
      } else tts.push(n as TtsName);
    }
    if (tts.includes('elevenlabs') && !cfg.ELEVENLABS_API_KEY)
      problems.push('TTS_PROVIDERS=elevenlabs needs ELEVENLABS_API_KEY');
    if (tts.includes('openai') && !cfg.OPENAI_API_KEY) problems.push('TTS_PROVIDERS=openai needs OPENAI_API_KEY');
    if (names.length === 0 || tts.length === 0) problems.push('TTS_PROVIDERS: list at least one provider');
  }
  if (problems.length > 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid provider configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return { asr, llm, tts };
}
