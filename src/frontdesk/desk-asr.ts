import type { AsrProvider, AsrStream } from '../providers/asr/types.js';

// A front-desk call's recogniser: the interview's dialogue hints (the topic the agent just asked) mean nothing when
// the caller asks the questions, so a grammar recogniser listens with the desk grammar for the whole call
// (src/providers/asr/grammars.ts, context `desk`). A recogniser without hints (Deepgram) is unchanged.

export function deskAsr(asr: AsrProvider): AsrProvider {
  if (!asr.capabilities.contextHints) return asr;
  return {
    name: asr.name,
    languages: asr.languages,
    model: asr.model,
    capabilities: asr.capabilities,
    async open(opts): Promise<AsrStream> {
      const s = await asr.open(opts);
      s.setContext?.('desk');
      return {
        push: (mulaw) => s.push(mulaw),
        finalize: () => s.finalize(),
        setContext: () => {},
        ...(s.voiceActivity ? { voiceActivity: (v: boolean) => s.voiceActivity?.(v) } : {}),
        ...(s.voicePause ? { voicePause: (p: boolean) => s.voicePause?.(p) } : {}),
        ...(s.hurry ? { hurry: () => s.hurry?.() } : {}),
        close: () => s.close(),
      };
    },
  };
}
