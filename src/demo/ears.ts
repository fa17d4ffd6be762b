import type { Dsp } from '../dsp/types.js';
import { OfflineAsr } from '../providers/asr/offline.js';
import type { AgentEars } from './receptionist.js';

// The receptionist's ears: the same offline recogniser the agent uses (soundswallower, 8 kHz μ-law as it came
// over the wire), with the open grammar, whose words include everything needed to spot what the agent asks
// (hours, price, membership, cost, classes, offer, thanks, goodbye). Keyword spotting on its output is enough to
// follow the conversation; nothing else about the agent is known to the receptionist.

export async function offlineEars(
  dsp: Pick<Dsp, 'ulawDecode' | 'frameFeatures' | 'createResampler'>,
): Promise<AgentEars> {
  // Every word counts for spotting, even uncertain ones: no confidence floor. The agent's leg carries no room
  // noise, so nothing to suppress.
  const asr = new OfflineAsr({ dsp, minConfidence: 0, denoise: 'never' });
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
