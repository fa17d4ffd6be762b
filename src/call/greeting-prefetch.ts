import type { Logger } from '../log.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { TtsPrefetch } from './tts-prefetch.js';

/**
 * The call's speculative TTS (docs/call-machine.md), started with the greeting's lines (machines/text.ts
 * greetingLines, as the machine will say them: the brief's topics and person, the flow variant's wording). The
 * greeting is known when the stream starts, so its requests leave before the machine says it (outbound: while the
 * callee says hello); the reply actor adds held preemptive sentences later.
 */
export function prefetchGreeting(tts: TtsProvider, log: Logger, lines: readonly string[]): TtsPrefetch {
  const prefetch = new TtsPrefetch(tts, { log });
  for (const line of lines) prefetch.start(line);
  return prefetch;
}
