import type { GymClass } from './model.js';
import { CLASS_WORDS } from './vocabulary.js';

// Class names from a token stream. Longest phrase wins at each position ("kickboxing" before "boxing", "step
// aerobics" before "aerobics"), and a name right after a negation ("we don't have zumba", "no crossfit") is
// left out.

const PHRASES = CLASS_WORDS.flatMap((c) =>
  [c.name, c.spoken, ...c.aliases].map((p) => ({ words: p.split(' '), name: c.name })),
).sort((a, b) => b.words.length - a.words.length);

const NEGATIONS = new Set(["don't", 'dont', 'not', 'no', "doesn't", "haven't", "aren't", 'without', 'except']);
const LIST_GLUE = new Set(['and', 'or', 'a', 'any', 'classes', 'class', 'have', 'do', 'offer', 'also', 'nor']);

export function parseClasses(tokens: readonly string[]): GymClass[] {
  const found = new Map<string, GymClass>();
  let negated = false;
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i] as string;
    if (NEGATIONS.has(t)) negated = true;
    const hit = PHRASES.find((p) => p.words.every((w, k) => tokens[i + k] === w));
    if (hit) {
      if (!negated) found.set(hit.name, { name: hit.name });
      i += hit.words.length;
      continue;
    }
    // A negation covers a list ("we don't have zumba or crossfit") until a word that is not list glue.
    if (!NEGATIONS.has(t) && !LIST_GLUE.has(t)) negated = false;
    i++;
  }
  return [...found.values()];
}
