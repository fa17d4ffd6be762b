import type { CallContext } from './context.js';
import type { CallerTurnLedger } from './emitted.js';
import { joinNonBlank, realWords, words } from './text.js';

// The caller's words in the turn being heard: the recogniser's finals and interim words, how far it has heard,
// and which words are a committed turn's late ones.

export interface UnheardTurn {
  seq: number;
  endpoint: CallerTurnLedger['endpoint'];
  fromMs: number;
  toMs: number;
  /** Its late words so far. */
  text: string;
}

export interface CallerBuffer {
  finals: string[];
  partial: string;
  /**
   * How far into her audio the recogniser has reported (media time): the end of its latest interim words or final,
   * an empty final too, when it says.
   */
  heardToMs: number | undefined;
  confidenceSum: number;
  finalsCount: number;
  startMs: number | undefined;
  endMs: number | undefined;
}

export function emptyCaller(): CallerBuffer {
  return {
    finals: [],
    partial: '',
    heardToMs: undefined,
    confidenceSum: 0,
    finalsCount: 0,
    startMs: undefined,
    endMs: undefined,
  };
}

export function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** The buffer with a recogniser final appended (an empty final only clears the partial it replaces). */
export function withFinal(
  b: CallerBuffer,
  e: { text: string; confidence: number; startMs: number; endMs: number },
): CallerBuffer {
  const text = e.text.trim();
  const heardToMs = laterOf(b.heardToMs, e.endMs);
  if (text.length === 0) return { ...b, partial: '', heardToMs };
  return {
    finals: [...b.finals, text],
    partial: '',
    heardToMs,
    confidenceSum: b.confidenceSum + e.confidence,
    finalsCount: b.finalsCount + 1,
    startMs: b.startMs ?? e.startMs,
    endMs: e.endMs,
  };
}

/**
 * Audio ending at `endMs` is new sound after her voice: it reaches more than the recogniser's lag past her last
 * silence edge (or her voice has not paused yet). Words of the pause itself end inside it, however late they arrive.
 */
export function soundAfterVoice(c: CallContext, endMs: number): boolean {
  return c.lastSilenceMs === undefined || endMs > c.lastSilenceMs + c.timing.recogniserLagMs;
}

/**
 * Words of audio the last committed turn already ended on, arriving after it: that turn's late words, not this
 * one's. A final that began before its silence edge and ended by it (plus the recogniser's lag: the call's detector
 * tells it of the silence a hangover late); interim words whose audio ended by the edge itself (they do not say
 * where they begin: the lag would take the first words of a quick reply). Words that do not say where they end
 * are taken. A greeting goes out after her hello's pause; a busy recogniser's words of that hello came during it
 * and, taken as her answer to the greeting's question, had the agent say it did not catch her hours.
 */
export function isLateWords(c: CallContext, e: { startMs?: number; endMs?: number }): boolean {
  const to = c.committedToMs;
  if (to === undefined || e.endMs === undefined) return false;
  if (e.startMs === undefined) return e.endMs <= to;
  return e.startMs < to && e.endMs <= to + c.timing.recogniserLagMs;
}

/**
 * Voice the recogniser still owes words for: no final reaching into its audio has come, of words or none (an empty
 * one: a cough, the line's noise). Either a turn committed before any of its words came (the greeting after her
 * hello), or her last stretch of voice since the last commit (she spoke two seconds, nothing is decoded yet).
 */
export function wordsOwed(c: CallContext): boolean {
  const reach = c.finalsToMs ?? -Infinity;
  const u = c.unheardTurn;
  if (u !== undefined && reach <= u.fromMs) return true;
  const onset = c.voiceOnsetMs;
  return onset !== undefined && onset >= (c.committedToMs ?? -Infinity) && reach <= onset;
}

/**
 * A final reaching `endMs` has heard the end of her last voice: it had ended before the hang-up (its silence edge
 * came) and the words reach that end, less the detector's hangover and the recogniser's lag. False while she was
 * still speaking at the hang-up: then only the answer to the flush tells that nothing more is coming.
 */
export function reachesVoiceEnd(c: CallContext, endMs: number): boolean {
  const onset = c.voiceOnsetMs;
  const silence = c.lastSilenceMs;
  if (onset === undefined) return true;
  if (silence === undefined || silence <= onset) return false;
  return endMs >= silence - c.silenceHeadStartMs - c.timing.recogniserLagMs;
}

/** Everything the caller said in this turn so far, finals then the live partial (plus an incoming text). */
export function callerText(c: CallContext, extra = ''): string {
  return joinNonBlank(c.caller.finals, c.caller.partial, extra);
}

export function callerHasWords(c: CallContext, extra = ''): boolean {
  const text = callerText(c, extra);
  return text.length > 0 && words(text).length > 0;
}

export function callerRealWordCount(c: CallContext, extra = ''): number {
  const text = callerText(c, extra);
  return text.length > 0 ? realWords(text).length : 0;
}
