import { emptyFacts } from '../../src/facts/model.js';
import type { ConversationInput } from '../../src/providers/llm/types.js';
import type { ProviderMetric } from '../../src/providers/metrics.js';

// What the tracing tests share: a reply's input, reading a stream to its end, a provider's failed attempt.

export const INPUT: ConversationInput = {
  gymName: 'Iron Temple',
  direction: 'outbound',
  facts: emptyFacts(),
  missing: [],
  asked: [],
  history: [],
  reason: 'reply',
};

export async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The metric a provider reports for an attempt that failed with HTTP `status`. */
export function attemptFailed(modality: 'asr' | 'llm' | 'tts', provider: string, status: number): ProviderMetric {
  return { kind: 'provider-error', modality, provider, code: 'PROVIDER_FAILED', status, retryable: status >= 500 };
}
