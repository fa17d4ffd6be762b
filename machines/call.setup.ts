import { assertEvent, assign, enqueueActions, stopChild } from 'xstate';
import * as C from './context.js';
import type { EndReason } from './events.js';
import { replyGenerating } from './guards.js';
import { heardIn } from './heard.js';
import { endedEvent } from './ledger.js';
import { textOrMessage } from './setup.parts.js';
import * as T from './text.js';
import { deskGoodbyeLine } from '../src/frontdesk/lines.js';
import { closeOpenTurns, cutPending, finishTurn, patched, queueLine, type Patch } from './turns.js';
import { deskSetup } from './desk.actions.js';
import { spokenLanguage } from '../src/language/detect.js';

/** Each action's params (undefined: none), given explicitly: when `extend` infers them, `check()` takes no guard. */
type ClosingActionParams = {
  setCloseReason: { reason: EndReason };
  closeFromEndRequest: undefined;
  closeFromEvent: undefined;
  abortFromEvent: undefined;
  prepareClosing: undefined;
  queueGoodbye: undefined;
  beginHangup: undefined;
  noteHangup: undefined;
  recordHangup: undefined;
  noteHangupProblem: undefined;
  stopRecogniser: undefined;
  emitEnded: undefined;
  noteDtmf: undefined;
  warnAsr: undefined;
  raiseWrapUp: { reason: EndReason };
  raiseAbort: undefined;
  switchLanguage: undefined;
};

/**
 * The call machine's setup, every action included: this module adds the actions of closing and of the end of the
 * call (goodbye, hang-up, the recogniser's last words, the call's end, DTMF and warnings) to the regions' own
 * (caller.actions.ts → playback.actions.ts → reply.actions.ts → turn.actions.ts → situation.actions.ts →
 * desk.actions.ts, each extending the one before).
 */
export const callSetup = deskSetup.extend<ClosingActionParams>({
  actions: {
    /** The person speaks another language the agent speaks (guard personSpeaksOtherLanguage): speak theirs. */
    switchLanguage: assign(({ context, event }) => {
      assertEvent(event, 'ASR.FINAL');
      return { language: spokenLanguage(event.text, event.language) ?? context.language };
    }),
    setCloseReason: assign((_, params: { reason: EndReason }) => ({ closeReason: params.reason })),
    closeFromEndRequest: assign(({ context }) => ({
      closeReason: context.endRequested ?? (C.factsComplete(context) ? 'facts-complete' : 'agent-ended'),
    })),
    closeFromEvent: assign(({ event }) => {
      assertEvent(event, 'WRAP_UP');
      return { closeReason: event.reason };
    }),
    abortFromEvent: assign(({ event }) => {
      assertEvent(event, 'CALL.ABORT');
      return { closeReason: 'error' as const, error: event.message };
    }),
    prepareClosing: enqueueActions(({ context, enqueue, check, system }) => {
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
      // A farewell already on its way (the reply's own, as it ended the call) is said, whatever the reason: cutting
      // it only to queue the fixed goodbye would leave a cut line in the transcript and a colder goodbye.
      const keep =
        context.closeReason === 'facts-complete' ||
        context.closeReason === 'caller-request' ||
        C.pending(context).some((u) => T.isGoodbye(u.text));
      let patch: Patch = { outbox: [] };
      if (!keep && C.pending(context).length > 0) {
        enqueue.sendTo('speaker', { type: 'SPEAKER.CLEAR' });
        enqueue.raise({ type: 'AGENT.CLEARED' });
      }
      if (!keep && context.agentTurn !== undefined) {
        const heard = heardIn(system);
        const cut = cutPending(context, undefined, heard);
        const f = finishTurn(patched(context, cut.patch), C.pending(context).length > 0, heard);
        if (f.ledger !== undefined) enqueue.emit(f.ledger);
        patch = { ...f.patch, outbox: [] };
      }
      enqueue.assign(patch);
    }),
    queueGoodbye: assign(({ context }) => {
      const said = context.agentTurn?.utterances.some((u) => u.status !== 'cut' && T.isGoodbye(u.text)) ?? false;
      const reason = context.closeReason ?? 'caller-request';
      const line =
        context.mode === 'front-desk'
          ? deskGoodbyeLine(reason, context.language)
          : T.goodbyeLine(reason, context.language);
      return said ? {} : queueLine(context, line);
    }),
    beginHangup: enqueueActions(({ context, enqueue, system }) => {
      const last = context.agentTurn?.utterances[context.agentTurn.utterances.length - 1];
      const goodbyeCompleted = last?.status === 'played';
      const closed = closeOpenTurns(context, heardIn(system));
      for (const l of closed.ledgers) enqueue.emit(l);
      enqueue.assign({
        ...closed.patch,
        endReason: context.closeReason ?? 'caller-request',
        metrics: { ...context.metrics, goodbyeCompleted },
      });
    }),
    /** Hung up mid-sentence: the agent's turn ends now; the caller's stays open for the recogniser's final. */
    noteHangup: enqueueActions(({ context, event, enqueue, system }) => {
      assertEvent(event, 'CALL.HANGUP');
      const f = finishTurn(context, C.pending(context).length > 0, heardIn(system));
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
      enqueue.assign({ ...f.patch, socketClosed: event.reason === 'socket-closed' });
    }),
    recordHangup: enqueueActions(({ context, event, enqueue, system }) => {
      const closed = closeOpenTurns(context, heardIn(system));
      for (const l of closed.ledgers) enqueue.emit(l);
      enqueue.assign({
        ...closed.patch,
        endReason: context.endReason ?? context.closeReason ?? 'caller-hangup',
        socketClosed: event.type === 'CALL.HANGUP' ? event.reason === 'socket-closed' : context.socketClosed,
      });
    }),
    /** The hang-up actor failed (its error event) or never finished (HANGUP_TIMEOUT). */
    noteHangupProblem: enqueueActions(({ context, event, enqueue }) => {
      const detail = 'error' in event ? String(event.error) : 'hang-up timed out';
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `hang-up failed: ${detail}` });
    }),
    stopRecogniser: stopChild('asr'),
    emitEnded: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(endedEvent(context));
    }),
    noteDtmf: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'DTMF.RECEIVED');
      enqueue.assign({ metrics: { ...context.metrics, dtmf: context.metrics.dtmf + 1 } });
      enqueue.emit({ type: 'call.dtmf', callId: context.callId, digit: event.digit });
    }),
    warnAsr: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `asr: ${textOrMessage(event)}` });
    }),
    raiseWrapUp: enqueueActions(({ event, enqueue }, params: { reason: EndReason }) => {
      if (params.reason === 'error') enqueue.assign({ error: textOrMessage(event) });
      enqueue.raise({ type: 'WRAP_UP', reason: params.reason });
    }),
    raiseAbort: enqueueActions(({ event, enqueue }) => {
      enqueue.raise({ type: 'CALL.ABORT', message: textOrMessage(event) });
    }),
  },
});
