import { callSetup } from './call.setup.js';
import { initialContext, replyInput } from './context.js';
import { callOutput } from './ledger.js';
import { turnRegion } from './turn.region.js';

export type { InternalEvent, MachineEvent } from './call.setup.js';

/**
 * One actor per phone call. While the call is live four regions run in parallel, because four things really do
 * happen at once on a phone call: the caller's voice (silent/onset/speaking), the LLM reply being generated,
 * the agent's audio playing at Twilio, and the conversation itself (greeting → listening → thinking → speaking →
 * closing). The regions talk through raised events (CALLER.SPEECH_START, OUTBOX.READY, AGENT.SAID, ...).
 * Leaving `live` stops every invoked actor (asr, speaker, reply, hangup) — that is how a hang-up cleans up.
 */
export const callMachine = callSetup.createMachine({
  id: 'call',
  description: 'One phone call with a gym: collect hours, prices and classes, then hang up politely.',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => callOutput(context),
  initial: 'live',
  on: {
    'CALL.HANGUP': {
      target: '.ended',
      actions: 'recordHangup',
      description: 'The caller hung up (Twilio stop or socket closed): end at once from any state.',
    },
  },
  states: {
    live: {
      type: 'parallel',
      description: 'The call is connected. ASR and speaker actors live exactly as long as this state.',
      invoke: [
        {
          id: 'asr',
          src: 'asr',
          input: ({ context }) => ({ callId: context.callId }),
          onError: { actions: { type: 'raiseWrapUp', params: { reason: 'error' } } },
        },
        {
          id: 'speaker',
          src: 'speaker',
          input: ({ context }) => ({ callId: context.callId }),
          onError: { actions: 'raiseAbort' },
        },
      ],
      after: {
        MAX_CALL: {
          actions: { type: 'raiseWrapUp', params: { reason: 'max-duration' } },
          description: 'Maximum call length reached: wrap up with a goodbye.',
        },
      },
      on: {
        DTMF: { actions: 'noteDtmf', description: 'Key presses are logged; they never change the conversation.' },
        'ASR.ERROR': [
          {
            guard: 'isFatalAsrError',
            actions: { type: 'raiseWrapUp', params: { reason: 'error' } },
            description: 'The recogniser is gone: the agent cannot hear, so it apologises and closes.',
          },
          { actions: 'warnAsr', description: 'A recoverable recogniser problem is only logged.' },
        ],
        'SPEAKER.ERROR': {
          actions: 'raiseAbort',
          description: 'No TTS works any more: the agent cannot speak, so hang up.',
        },
      },
      states: {
        caller: {
          description: "The caller's voice, from raw VAD edges; speech must last VAD_MIN_SPEECH to count.",
          initial: 'silent',
          on: {
            'ASR.PARTIAL': { actions: 'notePartial' },
            'ASR.FINAL': { actions: 'appendFinal' },
          },
          states: {
            silent: {
              on: { 'VAD.VOICE': { target: 'onset', actions: 'noteOnset' } },
            },
            onset: {
              description: 'Voice detected but not yet long enough to be speech (clicks and pops end here).',
              after: { VAD_MIN_SPEECH: 'speaking' },
              on: { 'VAD.SILENCE': { target: 'silent', description: 'Too short: not speech.' } },
            },
            speaking: {
              entry: 'startCallerSpeech',
              on: { 'VAD.SILENCE': { target: 'silent', actions: 'endCallerSpeech' } },
            },
          },
        },
        reply: {
          description: 'The LLM reply of the current agent turn; stopping the actor aborts the request.',
          initial: 'idle',
          states: {
            idle: {
              on: {
                'REPLY.REQUEST': {
                  target: 'generating',
                  description: 'Thinking asked for a reply (requestReply already marked it active).',
                },
              },
            },
            generating: {
              exit: 'stopReply',
              invoke: {
                src: 'reply',
                id: 'reply',
                input: ({ context }) => replyInput(context),
                onError: {
                  target: 'idle',
                  actions: { type: 'replyFailed', params: { message: 'reply actor crashed' } },
                },
              },
              after: {
                REPLY_MAX: {
                  target: 'idle',
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
                    actions: 'replaceRepeatQuestion',
                    description: 'Asks an answered or asked topic: ask the next missing topic instead.',
                  },
                  {
                    guard: 'repeatsQuestion',
                    actions: 'dropRepeatQuestion',
                    description: 'Asks an answered or asked topic and nothing is left to ask: drop it.',
                  },
                  { actions: 'acceptSentence' },
                ],
                'REPLY.FACTS': { actions: 'mergeFacts' },
                'REPLY.ASKED': { actions: 'noteAsked' },
                'REPLY.END_CALL': { actions: 'noteEndCall' },
                'REPLY.DONE': { target: 'idle', actions: 'replySucceeded' },
                'REPLY.ERROR': { target: 'idle', actions: { type: 'replyFailed', params: {} } },
                'REPLY.CANCEL': { target: 'idle', description: 'Barge-in, caller resumed, or closing.' },
              },
            },
          },
        },
        playback: {
          description: "The agent's audio at Twilio, tracked by marks.",
          initial: 'idle',
          states: {
            idle: {
              on: { 'AGENT.SAID': 'playing' },
            },
            playing: {
              on: {
                'SPEAKER.STARTED': { guard: 'isPendingUtterance', actions: 'markStarted' },
                'SPEAKER.PROGRESS': { guard: 'isPendingUtterance', actions: 'markProgress' },
                'SPEAKER.DURATION': { guard: 'isPendingUtterance', actions: 'markDuration' },
                'SPEAKER.PLAYED': [
                  {
                    guard: 'isLastPendingUtterance',
                    target: 'idle',
                    actions: 'markPlayed',
                    description: 'The last queued utterance played.',
                  },
                  { guard: 'isPendingUtterance', actions: 'markPlayed' },
                ],
                'AGENT.CLEARED': 'draining',
              },
            },
            draining: {
              description: 'Twilio was told to clear; its pending marks come back as cancelled, not played.',
              after: { CLEAR_SETTLE: 'idle' },
              on: {
                'SPEAKER.CLEARED': 'idle',
                'AGENT.SAID': 'playing',
              },
            },
          },
        },
        turn: turnRegion,
      },
    },
    ended: {
      type: 'final',
      description: 'Call over; every child actor has been stopped.',
      entry: 'emitEnded',
    },
  },
});

export type CallMachine = typeof callMachine;
