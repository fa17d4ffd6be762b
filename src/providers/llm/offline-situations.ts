import type { SpokenOutcome } from '../../../machines/outcomes.js';
import type { Topic } from '../../facts/model.js';
import { callbackIn, type CallbackFound } from '../../situations/callback.js';
import { spokenOutcomeIn } from '../../situations/cues.js';
import { refusalsIn, type RefusalFound } from '../../situations/refusal.js';
import type { Language } from '../../language/index.js';

// What the offline interviewer makes of a person's words beyond facts: the call reached the wrong place (an
// outcome and a polite end), the gym defers to a callback (stored, thanks, goodbye), or it refuses topics (recorded,
// never asked again). The words are read by src/situations/ (the same parsers the OpenAI path's tools validate
// against); the machine handles phone trees, hold, voicemail and screening before any reply is asked for.

export interface SituationReading {
  outcome: SpokenOutcome | undefined;
  callback: CallbackFound | undefined;
  refusals: RefusalFound[];
}

export function readSituation(
  text: string,
  current: Topic | undefined,
  open: readonly Topic[],
  now: Date,
  timeZone: string,
  language: Language = 'en',
): SituationReading {
  const outcome = spokenOutcomeIn(text);
  if (outcome !== undefined) return { outcome, callback: undefined, refusals: [] };
  return { outcome, callback: callbackIn(text, open, now, timeZone, language), refusals: refusalsIn(text, current) };
}
