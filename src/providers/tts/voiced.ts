import type { TtsProvider, VoiceChoice } from './types.js';

/**
 * The process's TTS speaking with one call's voice (a flow variant's, src/flows/): every sentence of the call, the
 * prefetched greeting included, asks for it; the providers themselves are shared by every call.
 */
export function withVoice(tts: TtsProvider, voice: VoiceChoice | undefined): TtsProvider {
  if (voice === undefined) return tts;
  const voiced: TtsProvider = {
    name: tts.name,
    capabilities: tts.capabilities,
    synthesize: (text, signal, options) => tts.synthesize(text, signal, { ...options, voice: options?.voice ?? voice }),
  };
  if (tts.warm) voiced.warm = (signal) => tts.warm?.(signal) ?? Promise.resolve();
  return voiced;
}
