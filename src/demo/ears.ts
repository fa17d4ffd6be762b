import type { Dsp } from '../dsp/types.js';
import { OfflineAsr } from '../providers/asr/offline.js';
import type { AgentEars } from './receptionist.js';

// The receptionist's ears: the same offline recogniser the agent uses (soundswallower, 8 kHz μ-law as it came
// over the wire), with the open grammar, whose words include everything needed to spot what the agent asks
// (hours, price, membership, cost, classes, offer, thanks, goodbye). Keyword spotting on its output is enough to
// follow the conversation; nothing else about the agent is known to the receptionist.

const earsByDsp = new WeakMap<object, OfflineAsr>();

/**
 * One recogniser for every simulated receptionist of the process: its decoders, and the open grammar they hold,
 * go from one call to the next (a decoder's first grammar costs ≈ 0.4 s of CPU on this thread, which is also the
 * server's in the demo and the scenarios). Every word counts for spotting, even uncertain ones: no confidence
 * floor. The agent's leg carries no room noise, so nothing to suppress and no need for Moonshine.
 */
function earsOf(dsp: Parameters<typeof offlineEars>[0]): OfflineAsr {
  let asr = earsByDsp.get(dsp);
  if (asr === undefined) {
    asr = new OfflineAsr({ dsp, minConfidence: 0, denoise: 'never', moonshine: 'never' });
    earsByDsp.set(dsp, asr);
  }
  return asr;
}

export async function offlineEars(
  dsp: Pick<Dsp, 'ulawDecode' | 'frameFeatures' | 'createResampler'>,
): Promise<AgentEars> {
  const asr = earsOf(dsp);
  let texts: string[] = [];
  const stream = await asr.open({
    onEvent: (e) => {
      if (e.type === 'final' && e.text.trim() !== '') texts.push(e.text.trim());
    },
  });
  return {
    push: (mulaw) => stream.push(mulaw),
    finish: async () => {
      // finalize() decodes the open utterance synchronously and reports it through onEvent.
      stream.finalize();
      const text = texts.join(' ');
      texts = [];
      return text;
    },
    close: () => stream.close(),
  };
}
