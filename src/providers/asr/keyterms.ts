import { CLASS_WORDS } from '../../facts/vocabulary.js';

// Deepgram's keyterm prompting (Nova-3): terms sent with the stream are recognised more readily. A gym's class
// names are where a general recogniser goes wrong ("Zumba" as "the on the", "HIIT" as "hit", "barre" as "bar"),
// and where the cloud path needs what moonshine-bias.ts gives the embedded one. The list is the parser's class
// vocabulary, names and aliases (what the words are heard as is what the parser reads), written the way a
// transcript spells them: Deepgram writes a keyterm as it was given.

/** Deepgram's limits per stream: 100 keyterms, 500 tokens of them. */
export const MAX_KEYTERMS = 100;
export const MAX_KEYTERM_TOKENS = 500;

/** How a transcript spells the class words that are names or acronyms. */
const WRITTEN: Readonly<Record<string, string>> = {
  hiit: 'HIIT',
  zumba: 'Zumba',
  pilates: 'Pilates',
  'mat pilates': 'mat Pilates',
  'reformer pilates': 'reformer Pilates',
  crossfit: 'CrossFit',
  'cross fit': 'CrossFit',
  aquafit: 'Aquafit',
  'aqua fit': 'Aquafit',
  'jiu jitsu': 'jiu-jitsu',
  'kick boxing': 'kickboxing',
  'boot camp': 'bootcamp',
};

/**
 * Aliases the parser reads that are a mishearing ("hit" for HIIT) or an everyday word ("circuit", "stretch"):
 * prompting them would make them out of other speech.
 */
const NOT_PROMPTED = new Set(['hit', 'circuit', 'stretch']);

/** The class vocabulary as keyterms: each written form once, in the vocabulary's order. */
export const CLASS_KEYTERMS: readonly string[] = [
  ...new Set(
    CLASS_WORDS.flatMap((c) => [c.name, ...c.aliases])
      .filter((w) => !NOT_PROMPTED.has(w))
      .map((w) => WRITTEN[w] ?? w),
  ),
];

/**
 * A generous count of the tokens Deepgram counts for a list (its tokenizer is not published): a word is at most
 * two tokens for these terms, punctuation one more.
 */
export function keytermTokens(terms: readonly string[]): number {
  return terms.reduce((n, t) => n + t.split(/\s+/).length * 2 + (/[-']/.test(t) ? 1 : 0), 0);
}

/** The keyterms for a stream on `model`: Nova-3 models only (others refuse the parameter or ignore it). */
export function keytermsFor(model: string): readonly string[] {
  return /^nova-3/.test(model) ? CLASS_KEYTERMS : [];
}
