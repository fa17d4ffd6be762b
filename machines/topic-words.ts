import { TOPICS, type Topic } from '../src/facts/model.js';

// The one topic lexicon: the words that name hours, pricing or classes. The call machine uses it to know what the
// agent asked (machines/text.ts), the call quality check to count repeated questions (src/call/quality.ts), the
// offline interviewer to hear which topic a line is about (src/facts/topics.ts) and the simulated receptionist's
// ears (src/demo/brain.ts).
// Phrases are lower-case word sequences matched on word tokens. Class names (yoga, spin, …) are not topic words:
// a stray single one is more often a misrecognition than an answer (src/providers/llm/offline.ts).

export const TOPIC_WORDS: Readonly<Record<Topic, readonly string[]>> = {
  // English, then Spanish without accents (the tokens are folded: "membresía" is "membresia").
  hours: [
    'hour',
    'hours',
    'open',
    'opening',
    'close',
    'closing',
    'closed',
    'times',
    'schedule of the gym',
    'horario',
    'horarios',
    'abren',
    'cierran',
    'apertura',
  ],
  pricing: [
    'price',
    'prices',
    'pricing',
    'cost',
    'costs',
    'membership',
    'memberships',
    'fee',
    'fees',
    'how much',
    'rate',
    'rates',
    'plan',
    'plans',
    'precio',
    'precios',
    'cuesta',
    'cuestan',
    'cuanto cuesta',
    'membresia',
    'membresias',
    'cuota',
    'cuotas',
    'tarifa',
    'tarifas',
    'mensualidad',
    'planes',
  ],
  classes: [
    'class',
    'classes',
    'group fitness',
    'courses',
    'sessions',
    'group session',
    'clase',
    'clases',
    'cursos',
    'sesiones',
  ],
};

/** Index of the first token where `phrase` (space-separated words) starts, or -1. */
export function phraseAt(tokens: readonly string[], phrase: string): number {
  const w = phrase.split(' ');
  for (let i = 0; i + w.length <= tokens.length; i++) if (w.every((x, k) => tokens[i + k] === x)) return i;
  return -1;
}

/** The topics named in `tokens`, each with the index of its first mention, in the lexicon's topic order. */
export function topicMentions(tokens: readonly string[]): { topic: Topic; at: number }[] {
  const out: { topic: Topic; at: number }[] = [];
  for (const topic of TOPICS) {
    let at = -1;
    for (const p of TOPIC_WORDS[topic]) {
      const i = phraseAt(tokens, p);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) out.push({ topic, at });
  }
  return out;
}
