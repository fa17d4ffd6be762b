import type { MachineEvent } from './call.setup.js';
import * as C from './context.js';
import type { CallContext } from './context.js';
import * as T from './text.js';

// The call machine's named guards. Pure functions of context and event; `callSetup` registers them by name so
// the chart (and the inspector) shows which rule decided each transition.

type Args = { context: CallContext; event: MachineEvent };
type Ev<K extends MachineEvent['type']> = Extract<MachineEvent, { type: K }>;

const textOf = (e: MachineEvent): string => ('text' in e && typeof e.text === 'string' ? e.text : '');
const idOf = (e: MachineEvent): string => ('utteranceId' in e ? e.utteranceId : '');
/** Caller words so far with an incoming ASR event's text in place of the partial. */
const withIncoming = (c: CallContext, e: MachineEvent): string => C.joinNonBlank(c.caller.finals, textOf(e));
const nothingPending = (c: CallContext) => c.outbox.length === 0 && !C.hasPending(c);
/** Something is pending and all of it is utterance `id`. */
const onlyThisPending = (c: CallContext, e: MachineEvent) => {
  const id = idOf(e);
  let found = false;
  for (const u of c.agentTurn?.utterances ?? []) {
    if (u.status !== 'queued' && u.status !== 'playing') continue;
    if (u.id !== id) return false;
    found = true;
  }
  return found;
};
const closeWanted = (c: CallContext) => c.endRequested !== undefined || C.factsComplete(c);
const finishes = (c: CallContext, e: MachineEvent) => onlyThisPending(c, e) && !c.replyActive && c.outbox.length === 0;

export const guards = {
  isOutbound: ({ context }: Args) => context.direction === 'outbound',
  callerSilent: ({ context }: Args) => !context.callerSpeaking,
  callerSpeaking: ({ context }: Args) => context.callerSpeaking,
  callerHasRealWords: ({ context }: Args) => C.callerRealWordCount(context) > 0,
  callerHasWords: ({ context }: Args) => C.callerHasWords(context),
  utteranceComplete: ({ context }: Args) => T.isCompleteUtterance(C.callerText(context)),
  completesUtterance: ({ context, event }: Args) => T.isCompleteUtterance(withIncoming(context, event)),
  bringsWords: ({ context, event }: Args) => T.words(withIncoming(context, event)).length > 0,
  bringsRealWord: ({ context, event }: Args) => T.realWords(withIncoming(context, event)).length > 0,
  /** Barge-in by words: two or more words that are not backchannels ("uh-huh", "okay", "right"...). */
  bringsTwoRealWords: ({ context, event }: Args) => T.realWords(withIncoming(context, event)).length >= 2,
  callerWantsToEnd: ({ context }: Args) => {
    const h = context.history;
    for (let i = h.length - 1; i >= 0; i--) if (h[i]!.speaker === 'caller') return T.callerWantsToEnd(h[i]!.text);
    return false;
  },
  repromptsLeft: ({ context }: Args) => context.idlePrompts < context.timing.idleReprompts,
  isDuplicateSentence: ({ context, event }: Args) => C.isDuplicate(context, textOf(event)),
  isSecondGreeting: ({ context, event }: Args) => context.metrics.greetings > 0 && T.isGreeting(textOf(event)),
  /** Replace only while this turn has asked nothing yet: one question per turn. */
  repeatsQuestionReplaceable: ({ context, event }: Args) =>
    C.repeatsQuestion(context, textOf(event)) &&
    C.nextTopic(context) !== undefined &&
    !(context.agentTurn?.utterances.some((u) => u.topics.length > 0 && u.status !== 'cut') ?? false) &&
    !context.outbox.some((o) => T.questionTopics(o.text).length > 0),
  repeatsQuestion: ({ context, event }: Args) => C.repeatsQuestion(context, textOf(event)),
  isPendingUtterance: ({ context, event }: Args) => C.isPendingId(context, idOf(event)),
  isLastPendingUtterance: ({ context, event }: Args) => onlyThisPending(context, event),
  turnFinishesAndCloses: ({ context, event }: Args) => finishes(context, event) && closeWanted(context),
  turnFinishes: ({ context, event }: Args) => finishes(context, event),
  closeWanted: ({ context }: Args) => closeWanted(context),
  nothingPending: ({ context }: Args) => nothingPending(context),
  replyFailedTooOften: ({ context, event }: Args) => !(event as Ev<'REPLY.ENDED'>).ok && context.replyErrors >= 3,
  replyFailed: ({ event }: Args) => !(event as Ev<'REPLY.ENDED'>).ok,
  holdingNotSaid: ({ context }: Args) => !context.holdingSaid,
  isFatalAsrError: ({ event }: Args) => (event as Ev<'ASR.ERROR'>).fatal,
};
