import type { AsrProvider } from '../providers/asr/types.js';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from './index.js';

// Which languages this server can hold a call in. Every language has its lines, its LLM prompt and its parsers;
// what limits a call is the recogniser: the offline one (soundswallower) has an English acoustic model and
// grammar only (no npm package ships a Spanish model: vosk, sherpa-onnx and Whisper models are downloads), so a
// Spanish call needs Deepgram. A call in a language the recogniser does not hear is refused when it is placed
// (LANGUAGE_UNSUPPORTED), never held in words nobody on our side understands.

/** The languages of each recogniser the server can run (the providers take theirs from here). */
export const RECOGNISER_LANGUAGES: Readonly<Record<'deepgram' | 'offline', readonly Language[]>> = {
  // nova-3 (the default model) and nova-2 transcribe both.
  deepgram: LANGUAGES,
  offline: ['en'],
};

export function recognises(asr: Pick<AsrProvider, 'languages'>, language: Language): boolean {
  return (asr.languages ?? ['en']).includes(language);
}

/** The languages calls can be held in with this recogniser, and the ones they cannot, for start-up and doctor. */
export function languageSupport(asr: Pick<AsrProvider, 'name' | 'languages'>): {
  served: Language[];
  unserved: Language[];
  summary: string;
} {
  const served = LANGUAGES.filter((l) => recognises(asr, l));
  const unserved = LANGUAGES.filter((l) => !served.includes(l));
  const names = (ls: readonly Language[]) => ls.map((l) => `${LANGUAGE_NAMES[l].english} (${l})`).join(', ');
  const summary =
    unserved.length === 0
      ? `calls in ${names(served)}`
      : `calls in ${names(served)} only: the ${asr.name} recogniser does not hear ${names(unserved)} (set DEEPGRAM_API_KEY)`;
  return { served, unserved, summary };
}
