import type { CallDirection } from '../../machines/events.js';
import { greetingLines } from '../../machines/text.js';
import type { Logger } from '../log.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { TtsPrefetch } from './tts-prefetch.js';

/**
 * The call's speculative TTS (docs/call-machine.md), undefined when switched off (TTS_PREFETCH). The greeting is
 * known when the stream starts, so its requests leave before the machine says it (outbound: while the callee says
 * hello); the reply actor adds held preemptive sentences later.
 */
export function prefetchGreeting(
  tts: TtsProvider,
  log: Logger,
  enabled: boolean,
  direction: CallDirection,
  gymName: string,
  recordingNotice?: string,
): TtsPrefetch | undefined {
  if (!enabled) return undefined;
  const prefetch = new TtsPrefetch(tts, { log });
  for (const line of greetingLines(direction, gymName, recordingNotice)) prefetch.start(line);
  return prefetch;
}
