import type { TurnTiming } from '../../machines/timing.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { withVoice } from '../providers/tts/voiced.js';
import { callVoice, type CallVoices } from '../voices/brand.js';
import { assignFlow, withEndpointing } from './assign.js';
import type { Flows } from './load.js';
import type { FlowScript } from './script.js';

/** What one call runs of the experiment: its variant's turn-taking, voice and script, and what its record says. */
export interface CallFlow {
  readonly timing: TurnTiming;
  readonly tts: TtsProvider;
  /** For the call machine (CallInput.flow); undefined without an experiment. */
  readonly script: FlowScript | undefined;
  /** The experiment and variant stored on the call; undefined without an experiment. */
  readonly recorded: { readonly experiment: string; readonly variant: string } | undefined;
}

/**
 * The call session's view of the experiment (none configured: the configured timing, no script). The voice is the
 * brand's when the gym or campaign has one (it wins over the variant's: src/voices/brand.ts callVoice), else the
 * variant's, else the configured one.
 */
export function callFlow(
  flows: Flows | undefined,
  phone: string | undefined,
  timing: TurnTiming,
  tts: TtsProvider,
  brand?: CallVoices | undefined,
): CallFlow {
  if (flows === undefined)
    return { timing, tts: withVoice(tts, callVoice(brand, undefined)), script: undefined, recorded: undefined };
  const { experiment, variant } = assignFlow(flows, phone);
  return {
    timing: withEndpointing(timing, variant.endpointing),
    tts: withVoice(tts, callVoice(brand, variant.voice)),
    script: variant.script,
    recorded: { experiment, variant: variant.name },
  };
}
