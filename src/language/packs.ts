import type { Language } from './index.js';
import type { LanguagePack } from './pack.js';
import { en } from './en.js';
import { es } from './es.js';

const PACKS: Readonly<Record<Language, LanguagePack>> = { en, es };

/** The lines of `language`; English when a call has none. */
export function packFor(language: Language | undefined): LanguagePack {
  return PACKS[language ?? 'en'];
}
