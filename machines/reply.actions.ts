import { assertEvent, assign, enqueueActions } from 'xstate';
import { mergeFacts } from '../src/facts/model.js';
import * as C from './context.js';
import { turnHasFloor } from './guards.js';
import { playbackSetup } from './playback.actions.js';
import * as T from './text.js';
import { flushOutbox, queueAsking } from './turns.js';

const REPLY_EVENTS = [
  'REPLY.SENTENCE',
  'REPLY.FACTS',
  'REPLY.ASKED',
  'REPLY.END_CALL',
  'REPLY.REFUSED',
  'REPLY.CALLBACK',
  'REPLY.OUTCOME',
  'REPLY.PRESS_KEYS',
  'REPLY.HOLD',
  'REPLY.VOICEMAIL',
  'REPLY.DONE',
  'REPLY.ERROR',
] as const;

/** Each action's params (undefined: none), given explicitly: when `extend` infers them, `check()` takes no guard. */
type ReplyActionParams = {
  takeSentence: { replace: boolean };
  dropRepeatQuestion: undefined;
  dropDuplicate: undefined;
  mergeFacts: undefined;
  holdReplyEvent: undefined;
  adoptReply: undefined;
  noteAsked: undefined;
  noteEndCall: undefined;
  replySucceeded: undefined;
  replyFailed: { message?: string };
};

/** The reply region's actions: the LLM reply's sentences through the repeat guards, facts, asked topics, its end. */
export const replySetup = playbackSetup.extend<ReplyActionParams>({
  actions: {
    // Queue the sentence (or, `replace`, the question for the next missing topic instead of a repeated one) and,
    // while the turn has the floor (thinking or speaking), send it to the speaker in the same update: one
    // snapshot, no raised event. The turn region (guard queuesLine, to leave thinking) and the playback region
    // (guard sentenceGoesOut) take the same REPLY.SENTENCE; while `interrupted` the line waits in the outbox.
    takeSentence: enqueueActions(({ context, event, enqueue, check }, params: { replace: boolean }) => {
      assertEvent(event, 'REPLY.SENTENCE');
      const topic = params.replace ? C.nextTopic(context) : undefined;
      if (params.replace && topic === undefined) return;
      const text = topic !== undefined ? T.questionFor(topic, undefined, context.flow, context.language) : event.text;
      const m = context.metrics;
      const queued = {
        ...context,
        ...queueAsking(context, text),
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
      assertEvent(event, 'REPLY.FACTS');
      const facts = mergeFacts(context.facts, event.facts);
      enqueue.assign({ facts });
      enqueue.emit({ type: 'ledger.facts', callId: context.callId, facts, added: event.facts });
    }),
    holdReplyEvent: assign(({ context, event }) => {
      assertEvent(event, REPLY_EVENTS);
      return {
        speculation: context.speculation && { ...context.speculation, held: [...context.speculation.held, event] },
      };
    }),
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
        assertEvent(event, 'REPLY.ASKED');
        const t = context.agentTurn;
        return t === undefined ? t : { ...t, askedByReply: [...new Set([...t.askedByReply, event.topic])] };
      },
    }),
    noteEndCall: assign({
      endRequested: ({ event }) => {
        assertEvent(event, 'REPLY.END_CALL');
        return event.reason === 'other' ? ('agent-ended' as const) : event.reason;
      },
    }),
    replySucceeded: enqueueActions(({ context, enqueue }) => {
      if (context.replySentences > 0 && context.replyErrors !== 0) enqueue.assign({ replyErrors: 0 });
      enqueue.raise({ type: 'REPLY.ENDED', ok: true });
    }),
    /** REPLY.ERROR carries its message; the reply actor's crash and the REPLY_MAX timer pass theirs as `message`. */
    replyFailed: enqueueActions(({ context, event, enqueue }, params: { message?: string }) => {
      const message = params.message ?? ('message' in event ? String(event.message) : 'reply actor failed');
      enqueue.assign({
        replyErrors: context.replyErrors + 1,
        metrics: { ...context.metrics, replyErrors: context.metrics.replyErrors + 1 },
      });
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `reply failed: ${message}` });
      enqueue.raise({ type: 'REPLY.ENDED', ok: false });
    }),
  },
});
