import { callSetup } from './call.setup.js';

// The turn region's side of the line's situations (machines/situation.region.ts): standing by while a recording or
// a wait has the line, the greeting or a one-sentence re-introduction when a person comes back, and hanging up
// without a word when a situation ends the call. Kept apart from the situation region: it is the conversation's
// reaction to it, and turn.region.ts spreads it in.

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
