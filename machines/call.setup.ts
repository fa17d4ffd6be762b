import { assign, cancel, enqueueActions, raise, setup, stopChild } from 'xstate';
import { mergeFacts } from '../src/facts/model.js';
import type { CallEmitted, CallEvent, CallInput, EndReason, ReplyEvent } from './events.js';
import * as C from './context.js';
import { type CallContext } from './context.js';
import { heardIn } from './heard.js';
import { endedEvent } from './ledger.js';
import * as T from './text.js';
import {
  beginTurn,
  closeOpenTurns,
  commitCaller,
  cutPending,
  dropBackchannels,
  finishTurn,
  flushOutbox,
  markPlayed,
  queueLine,
  updateUtterance,
  type Patch,
} from './turns.js';
import { guards, replyGenerating, replyPreemptive, turnHasFloor } from './guards.js';
import { callDelays, defaultActors, textOrMessage } from './setup.parts.js';

/** Events the machine raises to itself so its parallel regions can talk; never send these from outside. */
export type InternalEvent =
  | { type: 'CALLER.SPEECH_START'; atMs: number | undefined }
  | { type: 'REPLY.REQUEST' }
  | { type: 'REPLY.CANCEL' }
  | { type: 'REPLY.ENDED'; ok: boolean }
  | { type: 'CALLER.GOODBYE' }
  | { type: 'REPLY.SPECULATE' }
  | { type: 'AGENT.SAID' }
  | { type: 'AGENT.CLEARED' }
  | { type: 'WRAP_UP'; reason: EndReason }
  | { type: 'CALL.ABORT'; message: string };

export type MachineEvent = CallEvent | InternalEvent;

type Ev<K extends MachineEvent['type']> = Extract<MachineEvent, { type: K }>;
const textOf = (e: MachineEvent): string => ('text' in e && typeof e.text === 'string' ? e.text : '');
const idOf = (e: MachineEvent): string => ('utteranceId' in e ? e.utteranceId : '');

export const callSetup = setup({
  types: {
    context: {} as CallContext,
    events: {} as MachineEvent,
    input: {} as CallInput,
    emitted: {} as CallEmitted,
  },
  actors: defaultActors,
  delays: callDelays,
  guards,
  actions: {
    // ---- caller region
    notePartial: assign({ caller: ({ context, event }) => ({ ...context.caller, partial: textOf(event) }) }),
    appendFinal: assign({ caller: ({ context, event }) => C.withFinal(context.caller, event as Ev<'ASR.FINAL'>) }),
    noteOnset: assign({ voiceOnsetMs: ({ event }) => (event as Ev<'VAD.VOICE'>).atMs, silenceHeadStartMs: 0 }),
    armSpeechStart: raise(({ context }) => ({ type: 'CALLER.SPEECH_START' as const, atMs: context.voiceOnsetMs }), {
      id: 'speechStart',
      delay: 'VAD_MIN_SPEECH',
    }),
    disarmSpeechStart: cancel('speechStart'),
    // No CALLER.SPEECH_END is raised: the turn region reacts to the same VAD.SILENCE, guarded by callerSpeaking
    // (guards see the context before this event), in the same microstep: one snapshot instead of two.
    endCallerSpeech: assign(({ context, event }) => {
      const e = event as Ev<'VAD.SILENCE'>;
      const t = context.timing;
      const elapsed = t.endpointFromLastVoice && e.detectedAtMs !== undefined ? e.detectedAtMs - e.atMs : 0;
      return { lastSilenceMs: e.atMs, silenceHeadStartMs: Math.min(Math.max(0, elapsed), t.endpointShortMs) };
    }),

    // ---- reply region
    // Queue the sentence (or, `replace`, the question for the next missing topic instead of a repeated one) and,
    // while the turn has the floor (thinking or speaking), send it to the speaker in the same update: one
    // snapshot, no raised event. The turn region (guard queuesLine, to leave thinking) and the playback region
    // (guard sentenceGoesOut) take the same REPLY.SENTENCE; while `interrupted` the line waits in the outbox.
    takeSentence: enqueueActions(({ context, event, enqueue, check }, params: { replace: boolean }) => {
      const topic = params.replace ? C.nextTopic(context) : undefined;
      if (params.replace && topic === undefined) return;
      const text = topic !== undefined ? T.questionFor(topic) : textOf(event);
      const m = context.metrics;
      const queued = {
        ...context,
        ...queueLine(context, text),
        replySentences: context.replySentences + 1,
        ...(params.replace ? { metrics: { ...m, repeatQuestionsBlocked: m.repeatQuestionsBlocked + 1 } } : {}),
      };
      const f = check(turnHasFloor) ? flushOutbox(queued, 'reply') : undefined;
      enqueue.assign(f === undefined ? queued : { ...queued, ...f.patch });
      if (f === undefined || f.says.length === 0) return;
      for (const s of f.says) enqueue.sendTo('speaker', { type: 'SPEAKER.SAY', ...s });
      if (f.asrContext !== undefined) enqueue.sendTo('asr', { type: 'ASR.CONTEXT', ctx: f.asrContext });
      // No AGENT.SAID: the playback region takes this REPLY.SENTENCE itself (guard sentenceGoesOut).
    }),
    dropRepeatQuestion: assign({
      metrics: ({ context }) => ({
        ...context.metrics,
        repeatQuestionsBlocked: context.metrics.repeatQuestionsBlocked + 1,
      }),
    }),
    dropDuplicate: assign({
      metrics: ({ context }) => ({ ...context.metrics, duplicatesDropped: context.metrics.duplicatesDropped + 1 }),
    }),
    mergeFacts: enqueueActions(({ context, event, enqueue }) => {
      const added = (event as Ev<'REPLY.FACTS'>).facts;
      const facts = mergeFacts(context.facts, added);
      enqueue.assign({ facts });
      enqueue.emit({ type: 'ledger.facts', callId: context.callId, facts, added });
    }),
    holdReplyEvent: assign(({ context, event }) => ({
      speculation: context.speculation && {
        ...context.speculation,
        held: [...context.speculation.held, event as ReplyEvent],
      },
    })),
    /** The turn committed with the words the reply was started on: it is the turn's reply now. */
    adoptReply: enqueueActions(({ context, enqueue }) => {
      enqueue.sendTo('reply', { type: 'REPLY.ADOPTED' });
      // Replayed in order, each in its own microstep, through the committed reply's handlers (repeat guards,
      // ledger), exactly as if it had arrived now. `speculation` is left as it is (no assign, no snapshot): it is
      // read only in generating.preemptive and replaced by the next speculation.
      for (const e of context.speculation?.held ?? []) enqueue.raise(e);
    }),
    noteAsked: assign({
      agentTurn: ({ context, event }) => {
        const t = context.agentTurn;
        const topic = (event as Ev<'REPLY.ASKED'>).topic;
        return t === undefined ? t : { ...t, askedByReply: [...new Set([...t.askedByReply, topic])] };
      },
    }),
    noteEndCall: assign({
      endRequested: ({ event }) => {
        const r = (event as Ev<'REPLY.END_CALL'>).reason;
        return r === 'other' ? ('agent-ended' as const) : r;
      },
    }),
    replySucceeded: enqueueActions(({ context, enqueue }) => {
      if (context.replySentences > 0 && context.replyErrors !== 0) enqueue.assign({ replyErrors: 0 });
      enqueue.raise({ type: 'REPLY.ENDED', ok: true });
    }),
    replyFailed: enqueueActions(({ context, event, enqueue }, params: { message?: string }) => {
      const message = params.message ?? ('message' in event ? String(event.message) : 'reply actor failed');
      enqueue.assign({
        replyErrors: context.replyErrors + 1,
        metrics: { ...context.metrics, replyErrors: context.metrics.replyErrors + 1 },
      });
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `reply failed: ${message}` });
      enqueue.raise({ type: 'REPLY.ENDED', ok: false });
    }),

    // ---- playback region
    markStarted: assign(({ context, event }) =>
      updateUtterance(context, idOf(event), (u) => ({
        ...u,
        status: 'playing',
        startMs: (event as Ev<'SPEAKER.STARTED'>).atMs,
      })),
    ),
    markDuration: assign(({ context, event }) =>
      updateUtterance(context, idOf(event), (u) => ({ ...u, durationMs: (event as Ev<'SPEAKER.DURATION'>).ms })),
    ),
    markPlayed: assign(({ context, event }) => markPlayed(context, idOf(event), (event as Ev<'SPEAKER.PLAYED'>).atMs)),
    // ---- turn region: speaking
    flush: enqueueActions(({ context, enqueue }, params: { reason: C.AgentTurn['reason'] }) => {
      const f = flushOutbox(context, params.reason);
      if (f.says.length === 0) return;
      enqueue.assign(f.patch);
      for (const s of f.says) enqueue.sendTo('speaker', { type: 'SPEAKER.SAY', ...s });
      if (f.asrContext !== undefined) enqueue.sendTo('asr', { type: 'ASR.CONTEXT', ctx: f.asrContext });
      enqueue.raise({ type: 'AGENT.SAID' });
    }),
    queueGreeting: assign(({ context }) => {
      const [intro, question] = T.greetingLines(context.direction, context.gymName);
      const a = queueLine(context, intro);
      return {
        ...queueLine({ ...context, ...a } as CallContext, question),
        metrics: { ...context.metrics, greetings: context.metrics.greetings + 1 },
      };
    }),
    queueHolding: assign(({ context }) => ({
      ...queueLine(context, T.pickFresh(T.HOLDING_LINES, context.lastSaid)),
      holdingSaid: true,
      metrics: { ...context.metrics, holdingLines: context.metrics.holdingLines + 1 },
    })),
    queueApology: assign(({ context }) => queueLine(context, T.pickFresh(T.APOLOGY_LINES, context.lastSaid))),
    queueFallback: assign(({ context }) => {
      const topic = C.nextTopic(context);
      const line = topic !== undefined ? T.questionFor(topic) : T.pickFresh(T.CLARIFY_LINES, context.lastSaid);
      return queueLine(context, line);
    }),
    queueReprompt: assign(({ context }) => ({
      ...queueLine(context, T.repromptLine(context.idlePrompts + 1, C.lastTopic(context))),
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
      const adopt = !goodbye && context.speculation?.text === text;
      if (check(replyPreemptive) && !adopt) enqueue.raise({ type: 'REPLY.CANCEL' });
      const r = commitCaller(context, params.kind, context.lastSilenceMs);
      const committed = { ...r.patch, idlePrompts: 0, endpointKind: params.kind };
      if (goodbye) enqueue.assign(committed);
      else {
        const next = { ...context, ...committed } as CallContext;
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
    speculate: enqueueActions(({ context, enqueue, check }) => {
      if (!context.timing.preemptiveGeneration || context.caller.finals.length === 0) return;
      const text = C.callerText(context);
      if (!C.callerHasWords(context) || T.callerWantsToEnd(text)) return;
      const running = check(replyPreemptive);
      if (running && context.speculation?.text === text) return;
      if (running) enqueue.raise({ type: 'REPLY.CANCEL' });
      else if (check(replyGenerating)) return;
      enqueue.assign({ speculation: { text, held: [] } });
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
      const b = dropBackchannels({ ...context, ...f.patch } as CallContext);
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
      const f = finishTurn({ ...context, ...cut.patch } as CallContext, true, heard);
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

    // ---- turn region: listening
    finalizeAsr: enqueueActions(({ enqueue }) => {
      enqueue.sendTo('asr', { type: 'ASR.FINALIZE' });
    }),
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

    // ---- closing and end
    setCloseReason: assign((_, params: { reason: EndReason }) => ({ closeReason: params.reason })),
    closeFromEndRequest: assign(({ context }) => ({
      closeReason: context.endRequested ?? (C.factsComplete(context) ? 'facts-complete' : 'agent-ended'),
    })),
    closeFromEvent: assign(({ event }) => ({ closeReason: (event as Ev<'WRAP_UP'>).reason })),
    abortFromEvent: assign(({ event }) => ({
      closeReason: 'error' as const,
      error: (event as Ev<'CALL.ABORT'>).message,
    })),
    prepareClosing: enqueueActions(({ context, enqueue, check, system }) => {
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
      const keep = context.closeReason === 'facts-complete' || context.closeReason === 'caller-request';
      let patch: Patch = { outbox: [] };
      if (!keep && C.pending(context).length > 0) {
        enqueue.sendTo('speaker', { type: 'SPEAKER.CLEAR' });
        enqueue.raise({ type: 'AGENT.CLEARED' });
      }
      if (!keep && context.agentTurn !== undefined) {
        const heard = heardIn(system);
        const cut = cutPending(context, undefined, heard);
        const f = finishTurn({ ...context, ...cut.patch } as CallContext, C.pending(context).length > 0, heard);
        if (f.ledger !== undefined) enqueue.emit(f.ledger);
        patch = { ...f.patch, outbox: [] };
      }
      enqueue.assign(patch);
    }),
    queueGoodbye: assign(({ context }) => {
      const said = context.agentTurn?.utterances.some((u) => u.status !== 'cut' && T.isGoodbye(u.text)) ?? false;
      return said ? {} : queueLine(context, T.goodbyeLine(context.closeReason ?? 'caller-request'));
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
      const f = finishTurn(context, C.pending(context).length > 0, heardIn(system));
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
      enqueue.assign({ ...f.patch, socketClosed: (event as Ev<'CALL.HANGUP'>).reason === 'socket-closed' });
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
    noteHangupProblem: enqueueActions(({ context, event, enqueue }) => {
      const detail = 'error' in event ? String((event as { error: unknown }).error) : 'hang-up timed out';
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `hang-up failed: ${detail}` });
    }),
    stopRecogniser: stopChild('asr'),
    emitEnded: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(endedEvent(context));
    }),
    noteDtmf: enqueueActions(({ context, event, enqueue }) => {
      enqueue.assign({ metrics: { ...context.metrics, dtmf: context.metrics.dtmf + 1 } });
      enqueue.emit({ type: 'call.dtmf', callId: context.callId, digit: (event as Ev<'DTMF'>).digit });
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
