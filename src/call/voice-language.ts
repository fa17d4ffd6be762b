import { VOICE_TAGS, type Language } from '../language/index.js';
import type { TtsProvider } from '../providers/tts/types.js';

/**
 * The call's voice in the language the call speaks at the moment of each sentence (it may switch once,
 * machines/language.region.ts): every synthesis, the greeting's prefetch included, names it, so the TTS picks a
 * provider that speaks it (flite for English, espeak-ng for Spanish offline; the cloud voices read both).
 */
export function speakingIn(tts: TtsProvider, languageNow: () => Language): TtsProvider {
  return {
    name: tts.name,
    capabilities: tts.capabilities,
    synthesize: (text, signal, options) =>
      tts.synthesize(text, signal, { ...options, language: options?.language ?? VOICE_TAGS[languageNow()] }),
    ...(tts.speaks ? { speaks: (l: string) => tts.speaks?.(l) ?? true } : {}),
    ...(tts.warm ? { warm: (signal?: AbortSignal) => tts.warm?.(signal) ?? Promise.resolve() } : {}),
  };
}
