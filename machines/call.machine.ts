import { callSetup } from './call.setup.js';
import { initialContext } from './context.js';
import { callOutput } from './ledger.js';
import { replyRegion } from './reply.region.js';
import { turnRegion } from './turn.region.js';

export type { InternalEvent, MachineEvent } from './call.setup.js';

/**
 * One actor per phone call. While the call is live four regions run in parallel, because four things really do
 * happen at once on a phone call: the caller's voice (silent/onset/speaking), the LLM reply being generated,
 * the agent's audio playing at Twilio, and the conversation itself (greeting → listening → thinking → speaking →
 * closing). The regions talk through shared events (CALLER.SPEECH_START, REPLY.SENTENCE, VAD.SILENCE) where they
 * can and raised ones (REPLY.REQUEST, AGENT.SAID, ...) where they must.
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
              description:
                'Voice detected but not yet long enough to be speech (clicks and pops end here). Entry arms ' +
                'CALLER.SPEECH_START after VAD_MIN_SPEECH; leaving disarms it.',
              entry: 'armSpeechStart',
              exit: 'disarmSpeechStart',
              on: {
                // A delayed event rather than `after`, so the turn region takes the same event in the same
                // microstep (one snapshot) instead of reacting to a second, raised one.
                'CALLER.SPEECH_START': { target: 'speaking', description: 'Voice lasted VAD_MIN_SPEECH: speech.' },
                'VAD.SILENCE': { target: 'silent', description: 'Too short: not speech.' },
              },
            },
            speaking: {
              on: { 'VAD.SILENCE': { target: 'silent', actions: 'endCallerSpeech' } },
            },
          },
        },
        reply: replyRegion,
        playback: {
          description: "The agent's audio at Twilio, tracked by marks.",
          initial: 'idle',
          states: {
            idle: {
              on: {
                'AGENT.SAID': 'playing',
                'REPLY.SENTENCE': {
                  guard: 'sentenceGoesOut',
                  target: 'playing',
                  description: 'A reply sentence went to the speaker (takeSentence, in the same microstep).',
                },
              },
            },
            playing: {
              on: {
                'SPEAKER.STARTED': { guard: 'isPendingUtterance', actions: 'markStarted' },
                'SPEAKER.PROGRESS': { guard: 'progressMoves', actions: 'markProgress' },
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
                'REPLY.SENTENCE': { guard: 'sentenceGoesOut', target: 'playing' },
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
