import { and, not, raise } from 'xstate';
import { callSetup } from './call.setup.js';

// The turn region's side of the line's situations (machines/situation.region.ts): standing by while a recording or
// a wait has the line, the greeting or a one-sentence re-introduction when a person comes back, and hanging up
// without a word when a situation ends the call. Kept apart from the situation region: it is the conversation's
// reaction to it, and turn.region.ts spreads it in.

const toGreeting = '#call.live.turn.greeting';
const latePickup = {
  guard: 'finalSoundsLikePickup',
  target: toGreeting,
  description: "The recogniser's late words are a person's pickup: greet now.",
} as const;

/**
 * A voice starts before anyone was greeted. On a noisy line the words already in the buffer are the room's: the
 * grammar recogniser explains a gym's music with words ("closed uh to and hiit"), and judged with them her "hello"
 * was no pickup, so the agent never greeted (interrupts-over-music, one run in two). Her pickup is judged on what
 * her voice brings.
 */
const voiceStarts = (description: string) =>
  [
    {
      guard: 'lineNoisy',
      target: 'hearing',
      actions: 'discardNoise',
      description: `${description} On a noisy line, the words before her voice were the room's: dropped.`,
    },
    { target: 'hearing', description },
  ] as const;

/**
 * Outbound, before the greeting: who answered? The greeting waits for a person. A recording's intro ("Thank you for
 * calling Iron Gym." … "For membership, press 1.") or a screening assistant pauses between its sentences, and a
 * greeting there is talked over and wasted: the person reached later would get none.
 */
export const awaitingHelloState = callSetup.createStateConfig({
  description:
    "Outbound: the callee answers first. A person's pickup gets the greeting at her first pause; a recording's " +
    'intro, a screening assistant or words not yet made out wait for HELLO_SETTLE of silence, or for the ' +
    'situation region to take the line (SITUATION.AWAY: the phone tree, hold or screening owns the call).',
  initial: 'waiting',
  on: {
    'CALLER.EVIDENCE': {
      guard: 'nearVoicePausedInTalkingRoom',
      target: toGreeting,
      actions: 'discardNoise',
      description:
        'In a room of talking people, a voice near the phone stood over them and let go: greet her (the words so far ' +
        "are the room's as much as hers: dropped).",
    },
  },
  states: {
    waiting: {
      description: 'Nobody has spoken yet.',
      on: { 'CALLER.SPEECH_START': voiceStarts('The line starts speaking.') },
      after: {
        HELLO_TIMEOUT: { guard: 'callerSilent', target: toGreeting, description: 'No hello: greet anyway.' },
      },
    },
    hearing: {
      description: 'Someone or something is speaking: its words are judged at its first pause.',
      on: {
        'VAD.SILENCE': [
          {
            guard: 'pickupPaused',
            target: toGreeting,
            description: 'A person picked up ("hello?", "Iron Gym, this is Sam") and waits: greet now.',
          },
          {
            guard: 'callerSpeaking',
            target: 'settling',
            description: "Not a person's pickup (yet): a recording pauses between its intro and its menu.",
          },
        ],
      },
    },
    settling: {
      description:
        'Paused after words that did not sound like a pickup: a person waits in silence, a recording goes on ' +
        'or the situation region recognises it.',
      initial: 'lagging',
      on: {
        'CALLER.SPEECH_START': voiceStarts('It goes on: a recording, or more words.'),
        'ASR.FINAL': latePickup,
      },
      after: {
        HELLO_SETTLE: {
          guard: 'callerSilent',
          target: toGreeting,
          description: 'Silent HELLO_SETTLE and nothing recognised on the line: someone waits for us.',
        },
      },
      states: {
        lagging: {
          description: "The recogniser's words of the pause itself may still come.",
          after: { RECOGNISER_LAG: { target: 'open' } },
          on: {
            'ASR.PARTIAL': {
              guard: and(['soundGrowsWithoutVoice', not('helloRepeatedNear')]),
              target: '#call.live.turn.awaitingHello.lineSounding',
              description: 'Words that grew from sound after her pause, with no voice under them: no need to wait.',
            },
          },
        },
        open: {
          on: {
            'ASR.PARTIAL': {
              guard: and(['soundWithoutVoice', not('helloRepeatedNear')]),
              target: '#call.live.turn.awaitingHello.lineSounding',
              description:
                'New words, from audio after her pause, with no voice under them: music or a recording, not a ' +
                "person who waits. Not after a hello said again by a noisy room: those words are the room's.",
            },
          },
        },
      },
    },
    lineSounding: {
      entry: 'noteShortVoice',
      description:
        "The line makes sound the recogniser takes for words, and the voice detector hears no voice: a queue's " +
        'music after a "please hold" it did not make out, or a recording. No greeting into it (but for a near ' +
        'voice in a room of talkers, above).',
      on: {
        'CALLER.SPEECH_START': voiceStarts('A voice: judge its words.'),
        'ASR.FINAL': latePickup,
      },
      after: {
        LINE_SOUNDING: {
          actions: raise({ type: 'TURN.LINE_SOUNDING' }),
          description: 'Still no voice: a queue. The situation region holds until a person speaks.',
        },
      },
    },
  },
});

/** The turn region's states for the situations: standing by, and the one-sentence re-introduction. */
export const situationTurnStates = {
  standby: callSetup.createStateConfig({
    description:
      'Someone other than a person has the line (situation region): nothing is said, re-prompted or asked of the LLM.',
    on: {
      'SITUATION.BACK': [
        { guard: 'notGreeted', target: 'greeting', description: 'The first person of the call: the greeting.' },
        { guard: 'newParty', target: 'reintroducing', description: 'A new voice after a transfer.' },
        { target: 'listening', description: 'The same person is back: listen.' },
      ],
    },
  }),
  reintroducing: callSetup.createStateConfig({
    description: 'A new voice after a transfer: who we are in one sentence, then the first missing topic.',
    entry: [
      { type: 'commitCallerTurn', params: { kind: undefined } },
      'queueReintroduction',
      { type: 'flush', params: { reason: 'reintroduction' } },
    ],
    after: { GREETING_GUARD: { target: 'speaking', description: 'The rest is interruptible.' } },
    on: {
      'SPEAKER.PLAYED': { guard: 'turnFinishes', target: 'listening', actions: 'finishTurn' },
    },
  }),
};

/** The turn region's reactions to the situation region (its top-level `on`). */
export const situationTurnEvents = {
  'SITUATION.AWAY': {
    target: '.standby',
    actions: 'leaveFloor',
    description: 'A phone tree, hold, voicemail or screening has the line: stop talking, stand by.',
  },
  'SITUATION.END': [
    { guard: 'closingAlready', description: 'Already closing.' },
    {
      target: '.closing.hangingUp',
      actions: 'closeForSituation',
      description: 'A machine or nobody is on the line: hang up without a word.',
    },
  ],
} as const;
