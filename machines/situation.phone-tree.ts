import { callSetup } from './call.setup.js';
import {
  toVoicemail,
  toHold,
  toPressing,
  toHearing,
  keepPhoneTreeWords,
  keepVoicemailWords,
  menuStarts,
  end,
  personSpeaking,
  pressRemembered,
} from './situation.parts.js';

/** A phone-tree menu (the situation region's `phoneTree`): hear it, press the key that reaches a person, listen again. */
export const phoneTreeState = callSetup.createStateConfig({
  description: 'A phone-tree menu: listen, press the key that reaches a person, listen again.',
  entry: 'raiseAway',
  initial: 'hearing',
  on: {
    // hearing and settling: the menu is being heard.
    'ASR.FINAL': [
      {
        guard: 'replayAgrees',
        target: toPressing,
        actions: pressRemembered,
        description: 'The remembered key is heard saying what it said last time: press it now.',
      },
      {
        guard: 'decisiveOptionHeard',
        target: toPressing,
        actions: [
          { type: 'hearMenu', params: { fresh: false } },
          { type: 'choosePress', params: { how: 'best' } },
        ],
        description: 'An option that reaches a person (front desk, membership, operator): no need to wait.',
      },
      { guard: 'hearsVoicemail', target: toVoicemail, actions: keepVoicemailWords },
      {
        guard: 'hearsHold',
        target: toHold,
        actions: { type: 'startHold', params: { transfer: false, words: 'line' } },
        description: '"Please hold while we connect you".',
      },
      { actions: { type: 'hearMenu', params: { fresh: false } }, description: 'More of the menu.' },
    ],
    'ASR.STABLE': {
      guard: 'replayAgreesEarly',
      target: toPressing,
      actions: pressRemembered,
      description:
        "A pause in the menu already shows the remembered key's menu: press it now, before the menu ends (a key " +
        'typed ahead).',
    },
  },
  states: {
    hearing: {
      description: 'The menu is playing: wait for it to finish unless the wanted option was already heard.',
      on: {
        'VAD.SILENCE': { guard: 'callerSpeaking', target: 'settling', description: 'The menu paused.' },
      },
    },
    settling: {
      description: 'The menu paused: if it stays silent MENU_SETTLE it has finished and waits for a key.',
      on: { 'CALLER.SPEECH_START': { target: 'hearing', description: 'It goes on.' } },
      after: {
        MENU_SETTLE: [
          { guard: 'ivrGivenUp', target: 'stuck', description: 'Loops and keys not taken, three times.' },
          {
            guard: 'replayAgreesFinished',
            target: 'pressing',
            actions: { type: 'choosePress', params: { how: 'remembered' } },
            description: 'The remembered key, the menu still saying what it said.',
          },
          {
            guard: 'menuHasOption',
            target: 'pressing',
            actions: { type: 'choosePress', params: { how: 'best' } },
            description: 'The best option heard.',
          },
          {
            guard: 'zeroUntried',
            target: 'pressing',
            actions: { type: 'choosePress', params: { how: 'zero' } },
            description: 'Nothing reaches a person: try 0, the operator.',
          },
          { target: 'stuck', description: 'Every way was tried.' },
        ],
      },
    },
    pressing: {
      description: 'Pressing the key (in-band DTMF or Twilio <Play digits>: the keypad port).',
      invoke: {
        src: 'keypad',
        id: 'keypad',
        input: ({ context }) => ({ callId: context.callId, digits: context.line.ivr.pressing }),
        onDone: { target: 'awaiting' },
        onError: { target: 'stuck', actions: 'notePressFailed' },
      },
      on: {
        'ASR.FINAL': {
          actions: [keepPhoneTreeWords, 'closeWordsBeforeKey'],
          description: 'The menu talking over our key.',
        },
        'ASR.STABLE': { description: 'The menu talking over our key: nothing to press on.' },
      },
    },
    awaiting: {
      description: 'The key was pressed: what answers? A menu, a retry, a hold, a voicemail or a person.',
      initial: 'quiet',
      on: {
        'ASR.FINAL': [
          {
            guard: 'closesWordsBeforeKey',
            actions: [keepPhoneTreeWords, 'closeWordsBeforeKey'],
            description: 'The words the key was pressed on, closed late: they are the menu we left, not its answer.',
          },
          {
            guard: 'invalidEntryRetry',
            target: toHearing,
            actions: [keepPhoneTreeWords, 'noteIvrFailure'],
            description: '"Sorry, I didn\'t get that": the menu comes again; our key counts as tried.',
          },
          {
            guard: 'hearsInvalidEntry',
            target: 'stuck',
            actions: keepPhoneTreeWords,
            description: 'The tree has not taken our keys again and again: stuck.',
          },
          // A menu: the next level, or the same one again (a loop, seen at the next key).
          ...menuStarts(toHearing, true),
          { guard: 'hearsVoicemail', target: toVoicemail, actions: keepVoicemailWords },
          {
            guard: 'hearsHold',
            target: toHold,
            actions: { type: 'startHold', params: { transfer: false, words: 'line' } },
          },
          { guard: 'hearsPerson', target: '.personSpeaking', description: 'Words of a person, perhaps.' },
          { actions: keepPhoneTreeWords },
        ],
      },
      states: {
        quiet: {
          after: {
            IVR_RESPONSE: {
              target: toHold,
              actions: { type: 'startHold', params: { transfer: false, words: 'none' } },
              description: 'No word after the key: the call is ringing through or queued.',
            },
          },
        },
        personSpeaking,
      },
    },
    stuck: {
      description: 'The tree never reached a person (loops, keys not taken, the keypad failed): hang up.',
      entry: end('ivr-stuck'),
    },
  },
});
