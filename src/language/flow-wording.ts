import type { FlowScript } from '../flows/script.js';
import type { Language } from './index.js';

/**
 * A flow variant as a call in `language` runs it. FLOWS words its greeting, questions and holding lines in English
 * (the experiments are written so), so a call in another language keeps the variant's topic order and filler
 * policy (when and whether to hold) but says its own language pack's lines: never an English question in a
 * Spanish conversation.
 */
export function flowIn(flow: FlowScript | undefined, language: Language | undefined): FlowScript | undefined {
  if (flow === undefined || language === undefined || language === 'en') return flow;
  const { greeting: _greeting, questions: _questions, filler, ...rest } = flow;
  if (filler === undefined) return rest;
  return { ...rest, filler: filler.mode === 'holding-line' ? { mode: filler.mode, afterMs: filler.afterMs } : filler };
}
