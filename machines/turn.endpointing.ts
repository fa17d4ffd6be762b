import { and, not } from 'xstate';
import { callSetup } from './call.setup.js';

const toThinking = '#call.live.turn.thinking';

/**
 * The end of the caller's turn (listening.endpointing): the adaptive waits after her silence, and the wait for a
 * recogniser that is behind her voice. Its own file: the rules are the turn region's largest part.
 */
export const endpointingState = callSetup.createStateConfig({
  description:
    'Silence after speech: adaptive wait, counted from her last voiced frame. Semantic if the words are ' +
    'complete and sound finished, short if they only look complete, long after a filler/conjunction.',
  initial: 'semantic',
  // With a final in hand, the reply starts now (preemptive generation); the commit adopts it.
  entry: 'speculate',
  on: {
    'CALLER.SPEECH_START': {
      guard: not('roomVoiceOnly'),
      target: 'hearing',
      actions: 'dropSpeculation',
      description: "Caller went on: an early reply is aborted (in a room of talkers: her voice, not the room's).",
    },
    'CALLER.EVIDENCE': {
      guard: 'herVoiceOverTalkingRoom',
      target: 'hearing',
      actions: 'dropSpeculation',
      description: 'In a room of talkers, the voice the detector hears stands over the room now: she went on.',
    },
    'ASR.FINAL': {
      guard: not('roomWords'),
      actions: 'speculate',
      description: "New words during the wait: (re)start the early reply on them (not on the room's).",
    },
  },
  states: {
    semantic: {
      description:
        'Semantic end of turn: complete words that the recogniser closed as a sentence end the turn after ' +
        'ENDPOINT_SEMANTIC; a turn that trails off ("we open at", "and", "um") waits longer.',
      after: {
        ENDPOINT_SEMANTIC: [
          {
            guard: and(['turnSoundsFinished', not('waitsForFinal')]),
            target: toThinking,
            actions: { type: 'endCallerTurn', params: { kind: 'semantic' } },
            description:
              'Complete and finished (and final, on a noisy line or from a recogniser behind her voice): ' +
              'end of turn.',
          },
          { target: 'short', description: 'Not (yet) sure she has finished: the short wait.' },
        ],
      },
    },
    short: {
      on: {
        'ASR.FINAL': {
          guard: and(['finalSoundsFinished', not('roomWords'), not('finalBehind')]),
          target: toThinking,
          actions: { type: 'endCallerTurn', params: { kind: 'semantic' } },
          description: 'Her final arrives after the semantic wait and sounds finished: end of turn now.',
        },
      },
      after: {
        ENDPOINT_SHORT_REST: [
          {
            guard: and(['utteranceComplete', not('waitsForFinal')]),
            target: toThinking,
            actions: { type: 'endCallerTurn', params: { kind: 'short' } },
            description: 'Looks complete: end of turn.',
          },
          {
            target: 'long',
            description:
              'Filler, conjunction, mid-list, no words yet, or interim words on a noisy line or short of her ' +
              "voice's end: wait longer (a final that completes them ends the turn at once).",
          },
        ],
      },
    },
    long: {
      on: {
        'ASR.FINAL': {
          guard: and(['completesUtterance', not('roomWords'), not('finalBehind')]),
          target: toThinking,
          actions: { type: 'endCallerTurn', params: { kind: 'long' } },
          description: 'A late final completes the utterance.',
        },
      },
      after: {
        ENDPOINT_LONG_REST: [
          {
            guard: and(['callerHasWords', not('waitsForFinal')]),
            target: toThinking,
            actions: { type: 'endCallerTurn', params: { kind: 'long' } },
          },
          {
            target: 'noWords',
            description:
              "No words yet, interim words short of her voice's end, or interim words on a noisy line (where only " +
              "the final says what she said: the embedded recogniser's final on such a line comes from another " +
              'model, after her utterance ends): wait for the recogniser until the maximum.',
          },
        ],
      },
    },
    noWords: {
      description:
        "Waiting for the recogniser's final: it has no words yet, not her last ones, or only interim words on a " +
        'noisy line.',
      on: {
        'ASR.PARTIAL': {
          guard: 'recogniserCatchingUp',
          target: 'noWords',
          reenter: true,
          description:
            'The recogniser got further into her speech, still short of its end: the maximum counts from ' +
            'its progress (a loaded CPU decoding at half real time fell seconds behind; the turn was ended ' +
            'on words it had not finished). Bounded by her speech: past its end this no longer holds.',
        },
        'ASR.FINAL': [
          {
            guard: 'finalBehind',
            target: 'noWords',
            reenter: true,
            description:
              'A final that ends before her last voice stretch began: the recogniser got further, the ' +
              "stretch's words are still to come (one final per stretch: the first no longer ends the turn " +
              'and has the second dropped as late).',
          },
          {
            guard: and(['bringsWords', not('roomWords')]),
            target: toThinking,
            actions: { type: 'endCallerTurn', params: { kind: 'max' } },
          },
        ],
      },
      after: {
        ENDPOINT_MAX_REST: [
          {
            guard: 'callerHasWords',
            target: toThinking,
            actions: { type: 'endCallerTurn', params: { kind: 'max' } },
            description: 'Hard maximum: the turn ends on the interim words in hand.',
          },
          {
            target: '#call.live.turn.listening.waiting',
            actions: ['discardNoise', 'dropSpeculation'],
            description: "Hard maximum without words: it was noise (an early reply on the room's words too).",
          },
        ],
      },
    },
  },
});
