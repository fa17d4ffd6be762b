import { z } from 'zod';
import { AppError } from '../errors.js';

// The language of a call: what the agent speaks, what its recogniser listens for, which words the facts parsers
// read. One word for the concept across layers (`language`: config CALL_LANGUAGE, gyms.language,
// campaigns.language, CallInput.language, the API's `language`). The lines themselves are in the language packs
// (./pack.ts, ./en.ts, ./es.ts).

/** Every language a call can be held in. ISO 639-1 codes, as Deepgram, OpenAI and espeak-ng name them. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

/** Names in English (logs, docs, errors) and as the language calls itself (the LLM prompt, the review page). */
export const LANGUAGE_NAMES: Readonly<Record<Language, { english: string; native: string }>> = {
  en: { english: 'English', native: 'English' },
  es: { english: 'Spanish', native: 'español' },
};

/**
 * The BCP-47 tag a voice is asked to speak (SynthesisOptions.language): the packs' Spanish is Latin-American
 * ("es-419": espeak-ng's seseo voice; the cloud voices read any Spanish), the English American.
 */
export const VOICE_TAGS: Readonly<Record<Language, string>> = { en: 'en-US', es: 'es-419' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * A language from what a person or a system writes: a code ("es"), a regional tag ("es-MX", "en_US"; the region
 * is dropped: the agent speaks one Spanish) or a name ("Spanish", "español", any case). Undefined when none fits.
 */
export function languageFrom(value: string): Language | undefined {
  const v = value.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  const code = v.split(/[-_]/)[0] ?? '';
  if (isLanguage(code)) return code;
  for (const l of LANGUAGES) {
    const n = LANGUAGE_NAMES[l];
    if (v === n.english.toLowerCase() || v === n.native.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()) return l;
  }
  return undefined;
}

/** languageFrom, or LANGUAGE_UNSUPPORTED naming the languages there are. */
export function parseLanguage(value: string): Language {
  const l = languageFrom(value);
  if (l === undefined)
    throw new AppError(
      'LANGUAGE_UNSUPPORTED',
      `language must be one of ${LANGUAGES.map((x) => `${x} (${LANGUAGE_NAMES[x].english})`).join(', ')}`,
    );
  return l;
}

/** The schema of a `language` field in the API, CLI files and config: any form languageFrom reads. */
export const languageSchema = z.string().transform((v, ctx): Language => {
  const l = languageFrom(v);
  if (l !== undefined) return l;
  ctx.addIssue({ code: 'custom', message: `must be one of ${LANGUAGES.join(', ')}` });
  return z.NEVER;
});
