import { callSetup } from './call.setup.js';

// What the situation region's states share (machines/situation.region.ts, situation.phone-tree.ts): their
// targets, the words each keeps, the end with an outcome, a menu heard in its first words, and a person speaking.

const toConversation = '#call.live.situation.conversation';
export const toVoicemail = '#call.live.situation.voicemail';
export const toPhoneTree = '#call.live.situation.phoneTree';
export const toHold = '#call.live.situation.onHold';
export const toPressing = '#call.live.situation.phoneTree.pressing';
export const toHearing = '#call.live.situation.phoneTree.hearing';

export const keepPhoneTreeWords = { type: 'keepWords', params: { situation: 'phone-tree' } } as const;
export const keepHoldWords = { type: 'keepWords', params: { situation: 'hold' } } as const;
export const keepVoicemailWords = { type: 'keepWords', params: { situation: 'voicemail' } } as const;
export const keepScreeningWords = { type: 'keepWords', params: { situation: 'screening' } } as const;
/**
 * A menu heard in its first words: press at once if they already carry the remembered key or a decisive option,
 * else listen to the rest (`target`: the phone tree, or its hearing state from within it).
 */
/** Press the remembered key of the level reached, on the menu heard so far with the incoming words. */
export const pressRemembered = [
  { type: 'hearMenu', params: { fresh: false } },
  { type: 'choosePress', params: { how: 'remembered' } },
] as const;

export const menuStarts = (target: string, fresh: boolean) =>
  [
    {
      guard: 'menuStartsWithRemembered',
      target: toPressing,
      actions: [
        { type: 'hearMenu', params: { fresh } },
        { type: 'choosePress', params: { how: 'remembered' } },
      ],
      description: 'A menu whose first words carry the remembered key: press it now.',
    },
    {
      guard: 'menuStartsDecisive',
      target: toPressing,
      actions: [
        { type: 'hearMenu', params: { fresh } },
        { type: 'choosePress', params: { how: 'best' } },
      ],
      description: 'A menu whose first words offer the front desk, membership or the operator: press it now.',
    },
    {
      guard: 'hearsMenu',
      target,
      actions: { type: 'hearMenu', params: { fresh } },
      description: '"For membership, press 2": listen to the menu.',
    },
  ] as const;

export const end = (
  outcome: 'ivr-stuck' | 'hold-timeout' | 'voicemail-left' | 'voicemail-full' | 'voicemail-skipped',
) => ({ type: 'raiseEnd', params: { outcome } }) as const;

/**
 * A person has spoken after a key press or a hold: it is theirs once their voice has been silent PERSON_SETTLE (a
 * recording goes on after its sentence's pause). A menu or an announcement instead sends the words back.
 */
export const personSpeaking = callSetup.createStateConfig({
  description: "Words that sound like a person's: wait until they pause (a recording would go on).",
  after: {
    PERSON_SETTLE: {
      guard: 'callerSilent',
      target: toConversation,
      actions: ['personReached', 'raiseBack'],
      description: 'They stopped and wait for us: a person is on the line.',
    },
  },
  on: {
    'VAD.SILENCE': { target: 'personSpeaking', reenter: true, description: 'They paused: count from now.' },
  },
});
