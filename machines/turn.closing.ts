import { callSetup } from './call.setup.js';

/**
 * The end of the conversation (the turn region's `closing`): the goodbye, waiting for Twilio to report it played
 * (or GOODBYE_WAIT), then the hang-up actor. Entered from every other turn state, so it lives on its own.
 */
export const closingState = callSetup.createStateConfig({
  description: 'Say goodbye, wait until Twilio reports it played, then hang up.',
  entry: 'prepareClosing',
  initial: 'farewell',
  on: { WRAP_UP: { description: 'Already closing.' } },
  states: {
    farewell: {
      entry: ['queueGoodbye', { type: 'flush', params: { reason: 'closing' } }],
      initial: 'waiting',
      always: { guard: 'nothingPending', target: 'hangingUp', description: 'Goodbye already played.' },
      on: {
        'SPEAKER.PLAYED': [
          { guard: 'isLastPendingUtterance', target: 'hangingUp', description: 'Mark came back.' },
          {
            guard: 'isPendingUtterance',
            target: '.waiting',
            reenter: true,
            description: 'One goodbye sentence played: re-arm the fallback for the rest.',
          },
        ],
        // The fallback counts from when audio starts, not from when it was queued: a slow TTS must not
        // make the agent hang up in the middle of its own goodbye.
        'SPEAKER.STARTED': {
          guard: 'isPendingUtterance',
          target: '.waiting',
          reenter: true,
          description: 'Goodbye audio started: re-arm the fallback from now.',
        },
        'SPEAKER.DURATION': {
          guard: 'isPendingUtterance',
          target: '.waiting',
          reenter: true,
          description: 'Re-arm the fallback with the real duration.',
        },
      },
      states: {
        waiting: {
          after: {
            GOODBYE_WAIT: { target: '#call.live.turn.closing.hangingUp', description: 'Mark never came.' },
          },
        },
      },
    },
    hangingUp: {
      entry: 'beginHangup',
      invoke: {
        src: 'hangup',
        id: 'hangup',
        input: ({ context }) => ({ callId: context.callId, reason: context.endReason ?? 'error' }),
        onDone: { target: '#call.ended' },
        onError: { target: '#call.ended', actions: 'noteHangupProblem' },
      },
      after: { HANGUP_TIMEOUT: { target: '#call.ended', actions: 'noteHangupProblem' } },
      on: {
        'CALL.ABORT': { description: 'Already hanging up.' },
        'OPERATOR.HANGUP': { description: 'Already hanging up.' },
      },
    },
  },
});
