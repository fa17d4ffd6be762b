import { callSetup } from './call.setup.js';
import { replyInput, speculativeInput } from './context.js';

const hold = { actions: 'holdReplyEvent' } as const;

/**
 * The LLM reply of the current agent turn. Stopping the actor (leaving `generating`) aborts the request.
 * Preemptive generation: while the turn region still waits for the end of the caller's turn, the recogniser's
 * final can start the reply early (`preemptive`); everything it sends is held, so nothing speculative reaches
 * the caller. When the turn commits with the same words the reply is adopted (`committed`) and the held events
 * are replayed through the repeat guards as if they had just arrived; otherwise the turn region cancels it.
 */
export const replyRegion = callSetup.createStateConfig({
  description: 'The LLM reply of the current agent turn; stopping the actor aborts the request.',
  initial: 'idle',
  states: {
    idle: {
      on: {
        'REPLY.REQUEST': {
          guard: 'personOnLine',
          target: 'generating',
          description: "The caller's turn ended: a reply is wanted (never to a recording: no LLM on hold).",
        },
        'REPLY.SPECULATE': {
          guard: 'personOnLine',
          target: 'generating.preemptive',
          description: "The recogniser's final came during the end-of-turn wait: start the reply early, held.",
        },
      },
    },
    generating: {
      invoke: {
        src: 'reply',
        id: 'reply',
        input: ({ context, event }) =>
          event.type === 'REPLY.SPECULATE' ? speculativeInput(context) : replyInput(context),
        onError: [
          {
            guard: 'replyIsPreemptive',
            target: 'idle',
            description:
              'An early reply failed before the turn ended: nothing of it was said, and the end of the turn asks ' +
              'again (its failure counts only then, as a held REPLY.ERROR does).',
          },
          { target: 'idle', actions: { type: 'replyFailed', params: { message: 'reply actor crashed' } } },
        ],
      },
      initial: 'committed',
      on: {
        'REPLY.CANCEL': { target: 'idle', description: 'Barge-in, caller resumed, new words, or closing.' },
      },
      states: {
        preemptive: {
          description: 'Started before the end of the turn: its output is held until the turn commits.',
          on: {
            'REPLY.SENTENCE': hold,
            'REPLY.FACTS': hold,
            'REPLY.ASKED': hold,
            'REPLY.END_CALL': hold,
            'REPLY.REFUSED': hold,
            'REPLY.CALLBACK': hold,
            'REPLY.OUTCOME': hold,
            'REPLY.PRESS_KEYS': hold,
            'REPLY.HOLD': hold,
            'REPLY.VOICEMAIL': hold,
            'REPLY.DONE': hold,
            'REPLY.ERROR': hold,
            'REPLY.REQUEST': {
              target: 'committed',
              actions: 'adoptReply',
              description: 'The turn ended on the words it was started with: adopt it, replay what it held.',
            },
          },
        },
        committed: {
          description: 'The reply of the committed turn: sentences pass the repeat guards and go out.',
          after: {
            REPLY_MAX: {
              target: '#call.live.reply.idle',
              actions: { type: 'replyFailed', params: { message: 'reply took too long' } },
              description: 'A reply that never finishes is abandoned.',
            },
          },
          on: {
            'REPLY.SENTENCE': [
              {
                guard: 'isDuplicateSentence',
                actions: 'dropDuplicate',
                description: 'Never the same utterance twice in a row.',
              },
              {
                guard: 'isSecondGreeting',
                actions: 'dropDuplicate',
                description: 'Exactly one greeting per call.',
              },
              {
                guard: 'repeatsQuestionReplaceable',
                actions: { type: 'takeSentence', params: { replace: true } },
                description: 'Asks an answered or asked topic: ask the next missing topic instead.',
              },
              {
                guard: 'repeatsQuestion',
                actions: 'dropRepeatQuestion',
                description: 'Asks an answered or asked topic and nothing is left to ask: drop it.',
              },
              { actions: { type: 'takeSentence', params: { replace: false } } },
            ],
            'REPLY.FACTS': {
              guard: 'personOnLine',
              actions: 'mergeFacts',
              description: "Facts only from a person's words: never a menu's, a greeting's or an announcement's.",
            },
            'REPLY.REFUSED': { actions: 'noteRefusal', description: 'That topic is never asked again.' },
            'REPLY.CALLBACK': { actions: 'noteCallback', description: 'Stored on the call.' },
            'REPLY.OUTCOME': { actions: 'noteOutcome', description: 'Wrong number, not a gym, closed: close.' },
            'REPLY.ASKED': { actions: 'noteAsked' },
            'REPLY.END_CALL': { actions: 'noteEndCall' },
            'REPLY.DONE': { target: '#call.live.reply.idle', actions: 'replySucceeded' },
            'REPLY.ERROR': { target: '#call.live.reply.idle', actions: { type: 'replyFailed', params: {} } },
          },
        },
      },
    },
  },
});
