import type { Logger } from '../log.js';
import type { AsrProvider } from '../providers/asr/types.js';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from './index.js';

// Which languages this server can hold a call in. Every language has its lines, its LLM prompt and its parsers;
// what limits a call is the recogniser: the offline one (soundswallower) has an English acoustic model and
// grammar only (no npm package ships a Spanish model: vosk, sherpa-onnx and Whisper models are downloads), so a
// Spanish call needs Deepgram. A call in a language the recogniser does not hear is never held in words nobody on
// our side understands: an outbound one is refused when it is placed (LANGUAGE_UNSUPPORTED; a campaign's gym ends
// `language-unsupported`), an inbound one (a Spanish gym's number) hears a short apology in its language and is put
// through to the front desk's staff number, or else ended (src/telephony/unheard.ts).

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

/** The start-up statement (src/main.ts): a warning naming the languages calls cannot be held in, if any. */
export function logLanguageSupport(log: Logger, asr: Pick<AsrProvider, 'name' | 'languages'>): void {
  const support = languageSupport(asr);
  if (support.unserved.length > 0) log.warn({ languages: support.served, unserved: support.unserved }, support.summary);
  else log.info({ languages: support.served }, support.summary);
}
