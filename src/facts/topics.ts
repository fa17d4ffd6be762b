import type { Topic } from './model.js';
import { normalize } from './numbers.js';

// Keyword spotting for the other side of the call: the simulated receptionist hears the agent only through
// recognised audio, so it needs to know which topics the agent asked about, whether it greeted, asked to
// repeat or said goodbye. Works on recogniser output (lower-case words) and on plain text alike.

const TOPIC_KEYWORDS: Readonly<Record<Topic, readonly string[]>> = {
  hours: ['hours', 'open', 'opening', 'close', 'closing', 'closed', 'times', 'schedule of the gym'],
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
    'rates',
  ],
  classes: ['classes', 'class', 'group fitness', 'courses', 'sessions'],
};

const GOODBYE = ['goodbye', 'good bye', 'bye', 'have a great day', 'have a nice day', 'thanks for your time'];
const GREETING = ['hello', 'hi', 'good morning', 'good afternoon', 'good evening', 'this is'];
const REPEAT = ['sorry', "didn't catch", 'did not catch', 'repeat', 'say that again', 'still there'];

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

function positionOf(tokens: readonly string[], phrase: string): number {
  const words = phrase.split(' ');
  for (let i = 0; i + words.length <= tokens.length; i++) {
    if (words.every((w, k) => tokens[i + k] === w)) return i;
  }
  return -1;
}

function has(tokens: readonly string[], phrases: readonly string[]): boolean {
  return phrases.some((p) => positionOf(tokens, p) >= 0);
}

export function detectTopics(text: string): DetectedTopics {
  const tokens = normalize(text);
  const found: { topic: Topic; at: number }[] = [];
  for (const [topic, words] of Object.entries(TOPIC_KEYWORDS) as [Topic, readonly string[]][]) {
    const at = Math.min(...words.map((w) => positionOf(tokens, w)).filter((p) => p >= 0));
    if (Number.isFinite(at)) found.push({ topic, at });
  }
  found.sort((a, b) => a.at - b.at);
  return {
    topics: found.map((f) => f.topic),
    greeting: has(tokens.slice(0, 4), GREETING),
    goodbye: has(tokens, GOODBYE),
    repeatRequest: has(tokens, REPEAT),
    question:
      /\?\s*$/.test(text.trim()) ||
      has(tokens, ['what', 'which', 'how', 'when', 'could you', 'can you', 'do you', 'would you', 'are you']),
  };
}
