// The one tokeniser of src/situations: what a recogniser heard, as lower-case word tokens with sentence ends kept
// as '.' tokens. Two worlds feed it: the offline recogniser (lower-case words, no punctuation) and cloud
// recognisers with smart formatting ("For membership, press 2.", "press #"). Keys said as symbols become the words
// a person would say, so every parser below sees one shape.

export const BOUNDARY = '.';

export function tokens(text: string): string[] {
  // Accents folded: a Spanish line ("marque dos para membresías") matches its lexicon's plain letters.
  const s = ` ${text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')} `
    .replace(/[’`]/g, "'")
    .replace(/#/g, ' pound ')
    .replace(/\*/g, ' star ')
    .replace(/[.?!;:]+(\s|$)/g, ' . ')
    .replace(/[^a-z0-9'.\s]+/g, ' ');
  return s
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0);
}

/** Index of the first position at or after `from` where `phrase` (space-separated words) starts, or -1. */
export function findPhrase(toks: readonly string[], phrase: string, from = 0): number {
  const w = phrase.split(' ');
  for (let i = from; i + w.length <= toks.length; i++) if (w.every((x, k) => toks[i + k] === x)) return i;
  return -1;
}

// Hesitations a person puts anywhere ("we closed, uh, permanently") and recognisers write out.
const HESITATIONS = new Set(['uh', 'um', 'uhm', 'umm', 'er', 'erm', 'hmm', 'mm']);

/**
 * Words joined by single spaces with sentence ends and hesitations dropped: what phrase lexicons are matched
 * against.
 */
export function plain(text: string): string {
  return tokens(text)
    .filter((t) => t !== BOUNDARY && !HESITATIONS.has(t))
    .join(' ');
}
