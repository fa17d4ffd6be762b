import { and, assertEvent, not, or, stateIn } from 'xstate';
import * as C from './context.js';
import type { CallContext } from './context.js';
import { evidenceGuards } from './evidence.js';
import type { MachineEvent, TransferOutput } from './events.js';
import { situationGuards } from './situation.guards.js';
import * as T from './text.js';
import { spokenLanguage } from '../src/language/detect.js';

// The call machine's named guards. Pure functions of context and event; `callSetup` registers them by name so
// the chart (and the inspector) shows which rule decided each transition.

type Args = { context: CallContext; event: MachineEvent };

// The event types each guard is written for; assertEvent narrows to them (and throws if the chart uses the guard
// on another event, which the model test would find).
const RECOGNISED = ['ASR.PARTIAL', 'ASR.FINAL'] as const;
/** How far short of her voice's end interim words may stop and still be all of them: a 20 ms frame's jitter. */
const BEHIND_TOLERANCE_MS = 40;
/**
 * Words ending at `endMs` end before her voice did. Interim words must reach within BEHIND_TOLERANCE_MS of her
 * silence edge (they say how far the recogniser has decoded); finals only past the onset of her last voice
 * stretch (they end at their last word, which may lie well before the edge: a breath, a trailing sound), else
 * that whole stretch is still to come (an onset after the edge, a click in the wait, is not a stretch of hers).
 */
function behindHerVoice(c: CallContext, endMs: number, interim: boolean): boolean {
  const silence = c.lastSilenceMs;
  if (silence === undefined) return false;
  if (interim) return endMs + BEHIND_TOLERANCE_MS < silence;
  const onset = c.voiceOnsetMs;
  return onset !== undefined && onset <= silence && endMs < onset;
}
/** Recognised words, not late, that reach further into her audio than the recogniser had reported. */
const getsFurther = (c: CallContext, e: { startMs?: number; endMs: number }) =>
  !C.isLateWords(c, e) && e.endMs > (c.caller.heardToMs ?? -Infinity);
const PLAYBACK = ['SPEAKER.STARTED', 'SPEAKER.DURATION', 'SPEAKER.PLAYED'] as const;

/** Caller words so far with an incoming ASR event's text in place of the partial. */
function withIncoming(c: CallContext, e: MachineEvent): string {
  assertEvent(e, RECOGNISED);
  // A committed turn's late words bring nothing to this one.
  if (C.isLateWords(c, e)) return C.joinNonBlank(c.caller.finals, '');
  return C.joinNonBlank(c.caller.finals, e.text);
}
/**
 * The evidence of a finished turn besides the silence: complete words the recogniser closed as a sentence.
 * Heuristic, like the rest of text.ts: no model call on the turn-taking path.
 */
const soundsFinished = (text: string) => T.isCompleteUtterance(text) && T.endsSentence(text);
const semanticOn = (c: CallContext) => c.timing.endpointSemanticMs < c.timing.endpointShortMs;
const nothingPending = (c: CallContext) => c.outbox.length === 0 && !C.hasPending(c);
/** Something is pending and all of it is utterance `id`. */
const onlyThisPending = (c: CallContext, id: string) => {
  let found = false;
  for (const u of c.agentTurn?.utterances ?? []) {
    if (u.status !== 'queued' && u.status !== 'playing') continue;
    if (u.id !== id) return false;
    found = true;
  }
  return found;
};
// Every topic answered or refused: nothing is left to ask, so the call closes politely.
const closeWanted = (c: CallContext) => c.endRequested !== undefined || C.nothingLeftToAsk(c);
const playedId = (e: MachineEvent): string => {
  assertEvent(e, 'SPEAKER.PLAYED');
  return e.utteranceId;
};
/** Utterance `id` is the last audio of the turn and nothing more is queued (the reply may still be generating). */
const lastOfTurn = (c: CallContext, e: MachineEvent) => onlyThisPending(c, playedId(e)) && c.outbox.length === 0;

// Which state another region is in is read from the snapshot (stateIn), not mirrored into context: a mirror flag
// costs an assign, i.e. a snapshot, each time the region changes.
export const callerSpeaking = stateIn('#call.live.caller.speaking');
/** Voice again, not yet long enough to count as speech (VAD_MIN_SPEECH): she may be going on. */
const callerVoiceStarting = stateIn('#call.live.caller.onset');
export const replyGenerating = stateIn('#call.live.reply.generating');
/** A reply started before the end of the caller's turn, output held (preemptive generation). */
export const replyPreemptive = stateIn('#call.live.reply.generating.preemptive');
const replyCommitted = stateIn('#call.live.reply.generating.committed');
/** Sentences go straight to the speaker while the turn has the floor. */
export const turnHasFloor = or([stateIn('#call.live.turn.thinking'), stateIn('#call.live.turn.speaking')]);

type Verdict = 'duplicate' | 'second-greeting' | 'replace' | 'drop-repeat' | 'accept';

/** What the repeat guards make of a REPLY.SENTENCE, in their order of precedence. */
function judge(c: CallContext, text: string): Verdict {
  if (C.asksAgainAsked(c, text)) return 'accept';
  if (C.isDuplicate(c, text)) return 'duplicate';
  // One introduction per party: the greeting to the first voice, a re-introduction to each voice after a transfer.
  if (c.line.introducedTo === c.line.party && T.isGreeting(text)) return 'second-greeting';
  if (!C.repeatsQuestion(c, text)) return 'accept';
  // Replace only while this turn has asked nothing yet: one question per turn.
  const replaceable =
    C.nextTopic(c) !== undefined &&
    !(c.agentTurn?.utterances.some((u) => u.topics.length > 0 && u.status !== 'cut') ?? false) &&
    !c.outbox.some((o) => T.questionTopics(o.text).length > 0);
  return replaceable ? 'replace' : 'drop-repeat';
}

// The reply region's guard chain and the turn region's `queuesLine` judge the same sentence in the same microstep
// (same event object, same context): the text work runs once per sentence.
const verdicts = new WeakMap<object, { context: CallContext; verdict: Verdict }>();
function verdict(c: CallContext, e: MachineEvent): Verdict {
  const hit = verdicts.get(e);
  if (hit !== undefined && hit.context === c) return hit.verdict;
  assertEvent(e, 'REPLY.SENTENCE');
  const v = judge(c, e.text);
  verdicts.set(e, { context: c, verdict: v });
  return v;
}

export const guards = {
  ...situationGuards,
  ...evidenceGuards,
  /** A person's final in another language the agent speaks (language.region.ts). */
  personSpeaksOtherLanguage: and([
    stateIn('#call.live.situation.conversation'),
    ({ context, event }: Args) => {
      assertEvent(event, 'ASR.FINAL');
      const heard = spokenLanguage(event.text, event.language);
      return heard !== undefined && heard !== context.language;
    },
  ]),
  isOutbound: ({ context }: Args) => context.direction === 'outbound',
  isFrontDesk: ({ context }: Args) => context.mode === 'front-desk',
  /** Front desk: everything the agent had to say before the transfer (its announcement) has played. */
  agentDone: and(['nothingPending', not(replyGenerating)]),
  /** The transfer actor's answer: Twilio took the redirect to <Dial> the staff. */
  transferDialled: ({ event }: Args) => (event as { output?: Partial<TransferOutput> }).output?.dialled === true,
  callerSilent: not(callerSpeaking),
  callerSpeaking,
  replyIsPreemptive: replyPreemptive,
  callerHasRealWords: ({ context }: Args) => C.callerRealWordCount(context) > 0,
  /** The recogniser's words of audio the last committed turn already ended on (C.isLateWords). */
  lateWords: ({ context, event }: Args) => {
    assertEvent(event, RECOGNISED);
    return C.isLateWords(context, event);
  },
  /**
   * The words in hand end before her voice did (behindHerVoice): a recogniser behind real time (a loaded CPU
   * decoding the embedded model, a slow network) has not heard her last words yet. A turn ended on them is
   * answered without them and her final comes in late (volunteer-all under load: "cross fit and pay", 220 ms
   * short of her voice's end, for "…and hiit").
   */
  recogniserBehind: ({ context: c }: Args) => {
    const heardTo = c.caller.heardToMs;
    if (heardTo === undefined || !C.callerHasWords(c)) return false;
    return behindHerVoice(c, heardTo, c.caller.partial.trim() !== '');
  },
  /**
   * A final, of words or none, that gets further but ends before her last voice stretch began: more of her is
   * still to come. (Further: each one restarts the wait for the next, so the wait is bounded by her speech.)
   */
  finalBehind: ({ context: c, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    return getsFurther(c, event) && behindHerVoice(c, event.endMs, false);
  },
  /**
   * Interim words that get further into her speech while still short of its end: the recogniser is working through
   * it, its final is coming. (Words past her voice's end are not hers to wait for: the maximum runs on.)
   */
  recogniserCatchingUp: ({ context: c, event }: Args) => {
    assertEvent(event, 'ASR.PARTIAL');
    const endMs = event.endMs;
    return endMs !== undefined && getsFurther(c, { endMs }) && behindHerVoice(c, endMs, true);
  },
  /** The end of the turn waits for the recogniser's final: on a noisy line, or while it is behind her voice. */
  waitsForFinal: or(['finalPendingOnNoisyLine', 'recogniserBehind']),
  callerHasWords: ({ context }: Args) => C.callerHasWords(context),
  utteranceComplete: ({ context }: Args) => T.isCompleteUtterance(C.callerText(context)),
  completesUtterance: ({ context, event }: Args) => T.isCompleteUtterance(withIncoming(context, event)),
  /**
   * Semantic end of turn: the words are complete and more than the silence says she has finished; not while a
   * sound of hers is starting (the minimum-speech wait has not yet told whether she goes on). Off when the
   * semantic wait is no shorter than the short one.
   */
  turnSoundsFinished: and([
    not(callerVoiceStarting),
    ({ context }: Args) => semanticOn(context) && soundsFinished(C.callerText(context)),
  ]),
  /** ... with an incoming final's words. */
  finalSoundsFinished: and([
    not(callerVoiceStarting),
    ({ context, event }: Args) => semanticOn(context) && soundsFinished(withIncoming(context, event)),
  ]),
  /**
   * The recogniser closed her words on its own (its endpointing, before the detector's silence edge or over a
   * line that never goes quiet) and they look complete: worth starting the reply on.
   */
  recogniserClosedWords: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    return event.speechFinal && T.isCompleteUtterance(withIncoming(context, event));
  },
  /**
   * Her voice paused on interim words that look complete (and sound finished where the semantic end of turn is
   * on): worth an early reply. Mid-sentence pauses ("we open at") start nothing.
   */
  stableWordsComplete: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.STABLE');
    if (C.isLateWords(context, event)) return false;
    const text = C.joinNonBlank(context.caller.finals, event.text);
    return T.isCompleteUtterance(text) && (!semanticOn(context) || T.endsSentence(text));
  },
  bringsWords: ({ context, event }: Args) => T.words(withIncoming(context, event)).length > 0,
  bringsRealWord: ({ context, event }: Args) => T.realWords(withIncoming(context, event)).length > 0,
  /** Barge-in by words: two or more words that are not backchannels ("uh-huh", "okay", "right"...). */
  bringsTwoRealWords: ({ context, event }: Args) => T.realWords(withIncoming(context, event)).length >= 2,
  repromptsLeft: ({ context }: Args) => context.idlePrompts < context.timing.idleReprompts,
  isDuplicateSentence: ({ context, event }: Args) => verdict(context, event) === 'duplicate',
  isSecondGreeting: ({ context, event }: Args) => verdict(context, event) === 'second-greeting',
  repeatsQuestionReplaceable: ({ context, event }: Args) => verdict(context, event) === 'replace',
  repeatsQuestion: ({ context, event }: Args) => verdict(context, event) === 'drop-repeat',
  sentenceFresh: ({ context, event }: Args) => {
    const v = verdict(context, event);
    return v === 'accept' || v === 'replace';
  },
  /** The reply's sentence puts a line in the outbox (as it is, or replaced by the next topic's question). */
  queuesLine: and([replyCommitted, 'sentenceFresh']),
  /** ... and, the turn having the floor, takeSentence sends it to the speaker in the same microstep. */
  sentenceGoesOut: and([replyCommitted, 'sentenceFresh', turnHasFloor]),
  isPendingUtterance: ({ context, event }: Args) => {
    assertEvent(event, PLAYBACK);
    return C.isPendingId(context, event.utteranceId);
  },
  isLastPendingUtterance: ({ context, event }: Args) => onlyThisPending(context, playedId(event)),
  lastOfTurn: ({ context, event }: Args) => lastOfTurn(context, event),
  turnFinishesAndCloses: and(['lastOfTurn', not(replyGenerating), 'closeWanted']),
  /** The turn's last utterance played and the reply is over: the turn is finished. */
  turnFinishes: and(['lastOfTurn', not(replyGenerating)]),
  closeWanted: ({ context }: Args) => closeWanted(context),
  nothingPending: ({ context }: Args) => nothingPending(context),
  replyFailedTooOften: ({ context, event }: Args) => {
    assertEvent(event, 'REPLY.ENDED');
    return !event.ok && context.replyErrors >= 3;
  },
  replyFailed: ({ event }: Args) => {
    assertEvent(event, 'REPLY.ENDED');
    return !event.ok;
  },
  holdingNotSaid: ({ context }: Args) => !context.holdingSaid,
  /** The flow's filler policy wants a holding line while the reply is late (every call but a 'none' variant's). */
  fillerWanted: ({ context }: Args) => context.flow?.filler?.mode !== 'none',
  isFatalAsrError: ({ event }: Args) => {
    assertEvent(event, 'ASR.ERROR');
    return event.fatal;
  },
  /**
   * Hung up mid-sentence: the caller was speaking, the recogniser's partial has no final yet, or voice it has given
   * no final for (a turn committed before any of its words came, as when she hung up during the greeting; her last
   * voice, which the recogniser is still decoding).
   */
  wordsInRecogniser: and([
    ({ context }: Args) => context.timing.hangupDrainMs > 0,
    or([
      callerSpeaking,
      ({ context }: Args) => context.caller.partial.trim().length > 0,
      ({ context }: Args) => C.wordsOwed(context),
    ]),
  ]),
  /**
   * After a hang-up, the final that leaves nothing to wait for: the answer to a flush that reaches into her last
   * voice (an earlier pause's flush, answered late by a recogniser with a backlog, does not), or a final reaching the
   * end of her voice (Deepgram answers no flush when its own endpointing already gave the words).
   */
  hearsTheLast: ({ context: c, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    const flushAnswer = event.flushed === true && event.endMs > (c.voiceOnsetMs ?? -Infinity);
    return flushAnswer || C.reachesVoiceEnd(c, event.endMs);
  },
  /** No interim words wait for a final and every voice has had one (a recogniser that did not answer the flush). */
  nothingOwed: ({ context }: Args) => context.caller.partial.trim() === '' && !C.wordsOwed(context),
};
