import type { TurnTiming } from '../../machines/timing.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { withVoice } from '../providers/tts/voiced.js';
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

/** The call session's view of the experiment (none configured: the configured timing and voice, no script). */
export function callFlow(
  flows: Flows | undefined,
  phone: string | undefined,
  timing: TurnTiming,
  tts: TtsProvider,
): CallFlow {
  if (flows === undefined) return { timing, tts, script: undefined, recorded: undefined };
  const { experiment, variant } = assignFlow(flows, phone);
  return {
    timing: withEndpointing(timing, variant.endpointing),
    tts: withVoice(tts, variant.voice),
    script: variant.script,
    recorded: { experiment, variant: variant.name },
  };
}
