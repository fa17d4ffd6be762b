import type { Topic } from './model.js';
import { phraseAt, topicMentions } from '../../machines/topic-words.js';
import { normalize } from './numbers.js';

// Keyword spotting for the other side of the call: the simulated receptionist hears the agent only through
// recognised audio, so it needs to know which topics the agent asked about, whether it greeted, asked to
// repeat or said goodbye. Works on recogniser output (lower-case words) and on plain text alike. The topic words
// are the call machine's (machines/topic-words.ts).

// English, then Spanish (tokens are folded: "adiós" is "adios").
const GOODBYE = [
  'goodbye',
  'good bye',
  'bye',
  'have a great day',
  'have a nice day',
  'thanks for your time',
  'adios',
  'hasta luego',
  'que tenga un buen dia',
];
const GREETING = [
  'hello',
  'hi',
  'good morning',
  'good afternoon',
  'good evening',
  'this is',
  'hola',
  'buenos dias',
  'buenas tardes',
  'soy un asistente',
];
const REPEAT = [
  'sorry',
  "didn't catch",
  'did not catch',
  'repeat',
  'say that again',
  'still there',
  'perdon',
  'disculpe',
  'no entendi',
  'repetir',
  'repetirlo',
  'sigue ahi',
];

export interface DetectedTopics {
  /** Topics named, in the order first mentioned. */
  topics: Topic[];
  greeting: boolean;
  goodbye: boolean;
  /** The speaker asked to repeat or did not understand. */
  repeatRequest: boolean;
  /** Phrased as a question (question word or "could you / can you / do you"). */
  question: boolean;
}

function has(tokens: readonly string[], phrases: readonly string[]): boolean {
  return phrases.some((p) => phraseAt(tokens, p) >= 0);
}

export function detectTopics(text: string): DetectedTopics {
  const tokens = normalize(text);
  const found = topicMentions(tokens).sort((a, b) => a.at - b.at);
  return {
    topics: found.map((f) => f.topic),
    greeting: has(tokens.slice(0, 4), GREETING),
    goodbye: has(tokens, GOODBYE),
    repeatRequest: has(tokens, REPEAT),
    question:
      /\?\s*$/.test(text.trim()) ||
      has(tokens, ['what', 'which', 'how', 'when', 'could you', 'can you', 'do you', 'would you', 'are you']) ||
      has(tokens, ['que', 'cual', 'cuanto', 'cuando', 'como', 'podria', 'puede', 'tienen', 'ofrecen']),
  };
}
