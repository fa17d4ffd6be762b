import type { CallProviders } from '../call/session.js';
import type { Config } from '../config/index.js';
import type { Dsp } from '../dsp/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import type { ProviderMetric } from './metrics.js';

/**
 * The providers the configuration selects (select.ts, loaded only here: an offline server never loads a cloud SDK),
 * their metrics forwarded to the server's, and their connections opened before the first call.
 */
export async function configuredProviders(
  config: Config,
  o: { log: Logger; dsp: Dsp; metrics: Metrics; now: (() => Date) | undefined },
): Promise<CallProviders> {
  const { log, metrics } = o;
  const { selectProviders, warmProviders } = await import('./select.js');
  const selected = await selectProviders(config, {
    log,
    dsp: o.dsp,
    now: o.now,
    onMetric: (m) => forwardMetric(metrics, m),
  });
  // Open the LLM and TTS connections now, so the first call's first turn pays no handshake. Not awaited: start-up
  // must not wait on a provider; warmProviders logs its own failures and never rejects.
  void warmProviders(selected, log);
  return selected;
}

function forwardMetric(metrics: Metrics, m: ProviderMetric): void {
  switch (m.kind) {
    case 'asr-final-latency':
      return metrics.observeTurn('asr_final', m.ms);
    case 'llm-first-token':
      return metrics.observeTurn('llm_first_token', m.ms);
    case 'tts-first-byte':
      return metrics.observeTurn('tts_first_byte', m.ms);
    case 'tts-fallback':
      return metrics.providerFallback('tts', m.provider, m.to ?? 'none', m.reason);
    case 'tts-cache':
      return metrics.ttsCache(m.provider, m.hit);
    case 'provider-error':
      return metrics.providerError(m.modality, m.provider, m.code);
    case 'asr-reconnect':
      return;
  }
}
