import type { GymFacts, Topic } from './model.js';
import { normalize } from './numbers.js';
import { parseClasses } from './parse-classes.js';
import { parseHours } from './parse-hours.js';
import { parsePrices } from './parse-prices.js';
import { GOODBYE_PHRASES, NO_WORDS, YES_WORDS } from './vocabulary.js';
import { spanishTokens } from './spanish.js';
import type { Language } from '../language/index.js';

// The offline fact parser: one caller utterance in, whatever facts it states out. Used by the offline
// interviewer; pure and synchronous, so it is tested on many phrasings without audio.

export interface ParsedUtterance {
  facts: Partial<GymFacts>;
  /** Topics the utterance gave at least one fact for. */
  topics: Topic[];
  yes: boolean;
  no: boolean;
  /** The caller is ending the call ("I have to go", "bye"). */
  goodbye: boolean;
  /** Something about hours was said but could not be tied to days (worth one clarifying question). */
  hoursUnclear: boolean;
  /** A price was heard without a period; it was stored as monthly. */
  periodAssumed: boolean;
  /** No words at all (silence, or the recogniser did not understand). */
  empty: boolean;
  /** The words as the parsers read them (utteranceTokens). */
  tokens: string[];
}

/** Whether the words of `phrase` (space-separated) come in a row in `tokens`. */
export function hasPhrase(tokens: readonly string[], phrase: string): boolean {
  const words = phrase.split(' ');
  for (let i = 0; i + words.length <= tokens.length; i++) {
    if (words.every((w, k) => tokens[i + k] === w)) return true;
  }
  return false;
}

/** The words of an utterance as the parsers read them: Spanish is first put into their (English) words. */
export function utteranceTokens(text: string, language: Language = 'en'): string[] {
  return language === 'es' ? spanishTokens(text) : normalize(text);
}

export function parseUtterance(text: string, language: Language = 'en'): ParsedUtterance {
  const tokens = utteranceTokens(text, language);
  const hours = parseHours(tokens);
  const prices = parsePrices(tokens);
  const classes = parseClasses(tokens);
  const facts: Partial<GymFacts> = {};
  const topics: Topic[] = [];
  if (Object.keys(hours.hours).length > 0) {
    facts.hours = hours.hours;
    topics.push('hours');
  }
  if (prices.pricing.length > 0) {
    facts.pricing = prices.pricing;
    topics.push('pricing');
  }
  if (classes.length > 0) {
    facts.classes = classes;
    topics.push('classes');
  }
  const first = tokens.slice(0, 3);
  return {
    facts,
    topics,
    yes: YES_WORDS.some((w) => first.includes(w)),
    no: NO_WORDS.some((w) => hasPhrase(first, w)),
    goodbye: GOODBYE_PHRASES.some((p) => hasPhrase(tokens, p)),
    hoursUnclear: hours.unresolved && Object.keys(hours.hours).length === 0,
    periodAssumed: prices.assumedPeriod,
    empty: tokens.length === 0,
    tokens,
  };
}

/** Just the facts (the shape the LLM tools also produce). */
export function parseFacts(text: string, language: Language = 'en'): Partial<GymFacts> {
  return parseUtterance(text, language).facts;
}
