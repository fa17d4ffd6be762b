import type { Logger } from '../log.js';
import type { LlmProvider } from '../providers/llm/types.js';

/**
 * Prewarms the LLM connection while the greeting plays (the speaker actor does the same for TTS); skipped by the
 * provider when another call used it moments ago. A failure costs nothing: the first reply connects itself.
 */
export function warmUpLlm(llm: LlmProvider, log: Logger): void {
  llm
    .warm?.()
    .catch((e: unknown) => log.debug({ err: (e as Error).message, provider: llm.name }, 'llm warm-up failed'));
}
