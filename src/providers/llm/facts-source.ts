import { isAutomatedSpeech } from '../../situations/cues.js';
import type { HistoryTurn } from './types.js';

// No fact is ever recorded from a phone tree's, a hold announcement's or a voicemail greeting's words. The call
// machine marks such turns (HistoryTurn.situation) when it knows the line's situation; the words' own test
// (src/situations/cues.ts isAutomatedSpeech) covers the first words of a call, before any state is decided.

/** May a reply to this history record facts? Only when the caller's latest words are a person's. */
export function factsAllowedFrom(history: readonly HistoryTurn[]): boolean {
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i] as HistoryTurn;
    if (turn.speaker !== 'caller') continue;
    return turn.situation === undefined && !isAutomatedSpeech(turn.text);
  }
  return true;
}
