import { assertEvent, assign, enqueueActions } from 'xstate';
import * as C from './context.js';
import type { CallContext } from './context.js';
import type { AgentTurnReason } from './events.js';
import { pausedVoice, shortVoicePaused } from './evidence.js';
import { replyGenerating, replyPreemptive } from './guards.js';
import { heardIn } from './heard.js';
import { replySetup } from './reply.actions.js';
import * as T from './text.js';
import { deskGreetingLines, deskRepromptLine } from '../src/frontdesk/lines.js';
import {
  beginTurn,
  commitCaller,
  cutPending,
  dropBackchannels,
  finishTurn,
  flushOutbox,
  patched,
  queueAsking,
  queueLine,
} from './turns.js';

/** The same words in the same order, case and punctuation aside (an interim's text against its final's). */
const sameWords = (a: string | undefined, b: string): boolean => a !== undefined && T.normalize(a) === T.normalize(b);

/** Each action's params (undefined: none), given explicitly: when `extend` infers them, `check()` takes no guard. */
type TurnActionParams = {
  flush: { reason: AgentTurnReason };
  queueGreeting: undefined;
  queueHolding: undefined;
  queueApology: undefined;
  queueFallback: undefined;
  queueReprompt: undefined;
  endCallerTurn: { kind: CallContext['endpointKind'] };
  speculate: undefined;
  dropSpeculation: undefined;
  cancelReply: undefined;
  finishTurn: undefined;
  bargeIn: undefined;
  pauseForInterruption: undefined;
  confirmInterruption: undefined;
  noteFalseInterruption: undefined;
  noteBackchannel: undefined;
  finalizeAsr: undefined;
  hurryAsr: undefined;
  noteWordsEnded: undefined;
  noteWordsEndedUnderVoice: { ended: boolean };
  noteWordsEndedBefore: undefined;
  commitCallerTurn: { kind: CallContext['endpointKind'] | undefined };
  discardNoise: undefined;
  noteShortVoice: undefined;
};

/**
 * The turn region's actions: who has the floor. Lines the machine says itself, the end of the caller's turn and
 * preemptive generation, barge-in and the false interruption, and closing an agent turn.
 */
export const turnSetup = replySetup.extend<TurnActionParams>({
  actions: {
    // ---- speaking
    flush: enqueueActions(({ context, enqueue }, params: { reason: AgentTurnReason }) => {
      const f = flushOutbox(context, params.reason);
      if (f.says.length === 0) return;
      enqueue.assign(f.patch);
      for (const s of f.says) enqueue.sendTo('speaker', { type: 'SPEAKER.SAY', ...s });
      if (f.asrContext !== undefined) enqueue.sendTo('asr', { type: 'ASR.CONTEXT', ctx: f.asrContext });
      enqueue.raise({ type: 'AGENT.SAID' });
    }),
    queueGreeting: assign(({ context }) => {
      const [intro, question] =
        context.mode === 'front-desk'
          ? deskGreetingLines(context.gymName, context.recordingNotice, context.language)
          : T.greetingLines(
              context.direction,
              context.gymName,
              context.recordingNotice,
              context.brief,
              context.flow,
              context.language,
            );
      const a = queueLine(context, intro);
      return {
        ...queueAsking(patched(context, a), question),
        metrics: { ...context.metrics, greetings: context.metrics.greetings + 1 },
        line: { ...context.line, introducedTo: context.line.party },
      };
    }),
    queueHolding: assign(({ context }) => ({
      ...queueLine(context, T.pickFresh(T.holdingLines(context.flow, context.language), context.lastSaid)),
      holdingSaid: true,
      metrics: { ...context.metrics, holdingLines: context.metrics.holdingLines + 1 },
    })),
    queueApology: assign(({ context }) =>
      queueLine(context, T.pickFresh(T.apologyLines(context.language), context.lastSaid)),
    ),
    queueFallback: assign(({ context }) => {
      const topic = C.nextTopic(context);
      const line =
        topic !== undefined
          ? T.questionFor(topic, context.brief, context.flow, context.language)
          : T.pickFresh(T.clarifyLines(context.language), context.lastSaid);
      return topic !== undefined ? queueAsking(context, line) : queueLine(context, line);
    }),
    queueReprompt: assign(({ context }) => ({
      ...queueLine(
        context,
        context.mode === 'front-desk'
          ? deskRepromptLine(context.idlePrompts + 1, context.transferFailed, context.language)
          : T.repromptLine(context.idlePrompts + 1, C.lastTopic(context), context.language),
      ),
      transferFailed: false,
      idlePrompts: context.idlePrompts + 1,
      metrics: { ...context.metrics, idleReprompts: context.metrics.idleReprompts + 1 },
    })),
    /**
     * End of the caller's turn (`kind` names the endpoint wait that decided it): record it and, in the same update
     * (one snapshot), open the agent turn and ask for a reply, or, if the caller said goodbye, raise CALLER.GOODBYE
     * instead. REPLY.REQUEST starts the reply (reply region idle) or adopts the early one (generating.preemptive).
     */
    endCallerTurn: enqueueActions(({ context, enqueue, check }, params: { kind: CallContext['endpointKind'] }) => {
      const text = C.callerText(context);
      const goodbye = T.callerWantsToEnd(text);
      // A reply started early on exactly these words is adopted (REPLY.REQUEST in generating.preemptive);
      // one started on other words is aborted and its output dropped.
      // Same words, case and punctuation aside: an early reply on an interim ("thanks we open at six") answers
      // the final ("Thanks, we open at six.") as well.
      const early = check(replyPreemptive);
      const adopt = !goodbye && sameWords(context.speculation?.text, text);
      if (early && !adopt) enqueue.raise({ type: 'REPLY.CANCEL' });
      const r = commitCaller(context, params.kind, context.lastSilenceMs);
      const m = context.metrics;
      const committed = {
        ...r.patch,
        idlePrompts: 0,
        endpointKind: params.kind,
        ...(early && adopt ? { metrics: { ...m, earlyRepliesAdopted: m.earlyRepliesAdopted + 1 } } : {}),
      };
      if (goodbye) enqueue.assign(committed);
      else {
        const next = patched(context, committed);
        enqueue.assign({
          ...committed,
          ...beginTurn(next, 'reply'),
          holdingSaid: false,
          replySentences: 0,
        });
      }
      if (r.ledger !== undefined) enqueue.emit(r.ledger);
      enqueue.raise(goodbye ? { type: 'CALLER.GOODBYE' } : { type: 'REPLY.REQUEST' });
    }),
    /**
     * Preemptive generation: the caller's words so far end in a final and the turn is waiting for its end. Start
     * the reply on them (held until the turn commits); a running early reply on other words is aborted first.
     */
    speculate: enqueueActions(({ context, event, enqueue, check }) => {
      // At a pause (ASR.STABLE) the words are her interim ones: no final is needed, the commit compares words.
      const stable: string | undefined = event.type === 'ASR.STABLE' ? event.text : undefined;
      if (!context.timing.preemptiveGeneration || (context.caller.finals.length === 0 && stable === undefined)) return;
      const text = stable === undefined ? C.callerText(context) : C.joinNonBlank(context.caller.finals, stable);
      if (T.words(text).length === 0 || T.callerWantsToEnd(text)) return;
      const running = check(replyPreemptive);
      if (running && sameWords(context.speculation?.text, text)) return;
      // At most one early request in flight per turn: the running one is aborted before another starts.
      if (running) enqueue.raise({ type: 'REPLY.CANCEL' });
      else if (check(replyGenerating)) return;
      const m = context.metrics;
      enqueue.assign({ speculation: { text, held: [] }, metrics: { ...m, earlyReplies: m.earlyReplies + 1 } });
      enqueue.raise({ type: 'REPLY.SPECULATE' });
    }),
    dropSpeculation: enqueueActions(({ enqueue, check }) => {
      if (check(replyPreemptive)) enqueue.raise({ type: 'REPLY.CANCEL' });
    }),
    cancelReply: enqueueActions(({ enqueue, check }) => {
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
    }),
    // One assign per action: every assign clones the whole machine snapshot (state value included).
    finishTurn: enqueueActions(({ context, enqueue, system }) => {
      const f = finishTurn(context, false, heardIn(system));
      const b = dropBackchannels(patched(context, f.patch));
      enqueue.assign({ ...f.patch, ...b.patch });
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
      if (b.ledger !== undefined) enqueue.emit(b.ledger);
    }),
    bargeIn: enqueueActions(({ context, enqueue, check, system }) => {
      enqueue.sendTo('speaker', { type: 'SPEAKER.CLEAR' });
      enqueue.raise({ type: 'AGENT.CLEARED' });
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
      const heard = heardIn(system);
      const cut = cutPending(context, context.voiceOnsetMs, heard);
      const f = finishTurn(patched(context, cut.patch), true, heard);
      enqueue.assign({
        ...f.patch,
        endRequested: undefined,
        metrics: { ...context.metrics, bargeIns: context.metrics.bargeIns + 1 },
      });
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
    }),
    pauseForInterruption: enqueueActions(({ context, enqueue, system }) => {
      enqueue.sendTo('speaker', { type: 'SPEAKER.CLEAR' });
      enqueue.raise({ type: 'AGENT.CLEARED' });
      const cut = cutPending(context, context.voiceOnsetMs, heardIn(system));
      const again = cut.unplayed.map((text) => ({ text, resumed: true }));
      enqueue.assign({ ...cut.patch, outbox: [...again, ...context.outbox], cutText: cut.unplayed[0] });
    }),
    confirmInterruption: enqueueActions(({ context, enqueue, check, system }) => {
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
      const f = finishTurn(context, true, heardIn(system));
      enqueue.assign({
        ...f.patch,
        endRequested: undefined,
        metrics: { ...context.metrics, bargeIns: context.metrics.bargeIns + 1 },
      });
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
    }),
    noteFalseInterruption: assign({
      cutText: undefined,
      metrics: ({ context }) => ({ ...context.metrics, falseBargeIns: context.metrics.falseBargeIns + 1 }),
    }),
    noteBackchannel: assign({
      metrics: ({ context }) => ({ ...context.metrics, backchannelsIgnored: context.metrics.backchannelsIgnored + 1 }),
    }),

    // ---- listening
    finalizeAsr: enqueueActions(({ enqueue }) => {
      enqueue.sendTo('asr', { type: 'ASR.FINALIZE' });
    }),
    hurryAsr: enqueueActions(({ enqueue }) => {
      enqueue.sendTo('asr', { type: 'ASR.HURRY' });
    }),
    // A line that is never quiet gives no silence edge; the recogniser measured the silence after her last word.
    // Only a silence of the whole short wait counts (Deepgram's UtteranceEnd: a second of no words): a recogniser
    // that segments on its own detector's edge (the offline one) says so at the same moment as the call's VAD, a
    // hangover after her voice, and its pauses between sentences must keep the wait they had.
    noteWordsEnded: assign({
      silenceHeadStartMs: ({ context, event }) => {
        assertEvent(event, 'ASR.UTTERANCE_END');
        const short = context.timing.endpointShortMs;
        return (event.silenceMs ?? 0) >= short ? short : 0;
      },
    }),
    noteWordsEndedUnderVoice: assign((_, params: { ended: boolean }) => ({ wordsEndedUnderVoice: params.ended })),
    /** Her words ended well before the evidence let go of her voice (≈ 0.8 s): the short wait is behind them. */
    noteWordsEndedBefore: assign(({ context }) => ({
      silenceHeadStartMs: context.timing.endpointShortMs,
      wordsEndedUnderVoice: false,
    })),
    /** Record the caller's turn; `kind` names the endpoint wait that ended it (the hello before a greeting has none). */
    commitCallerTurn: enqueueActions(
      ({ context, enqueue }, params: { kind: CallContext['endpointKind'] | undefined }) => {
        const endpointKind = params.kind ?? context.endpointKind;
        const r = commitCaller(context, endpointKind, context.lastSilenceMs);
        enqueue.assign({ ...r.patch, idlePrompts: 0, endpointKind });
        if (r.ledger !== undefined) enqueue.emit(r.ledger);
      },
    ),
    discardNoise: assign({ caller: () => C.emptyCaller() }),
    noteShortVoice: assign({
      shortVoiceMs: ({ context: c }) => (shortVoicePaused(c) ? pausedVoice(c)?.fromMs : c.shortVoiceMs),
    }),
  },
});
