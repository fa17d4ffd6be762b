import { and, not, or } from 'xstate';
import { callSetup } from './call.setup.js';
import { phoneTreeState } from './situation.phone-tree.js';
import {
  toVoicemail,
  toPhoneTree,
  toHold,
  toPressing,
  keepHoldWords,
  keepVoicemailWords,
  keepScreeningWords,
  menuStarts,
  end,
  personSpeaking,
  pressRemembered,
} from './situation.parts.js';
/**
 * Who is on the line. `conversation` is a person (or nobody yet); every other state is a machine or a wait, in
 * which the turn region stands by (SITUATION.AWAY): the agent says nothing, asks no LLM, re-prompts nobody and the
 * words heard are kept as the situation's (transcript only: never history, never facts).
 */
export const situationRegion = callSetup.createStateConfig({
  description: 'Who is on the line: a person, a phone tree, a hold queue, a voicemail, a call-screening assistant.',
  initial: 'conversation',
  on: {
    'IVR.REMEMBERED': { actions: 'rememberPath', description: 'The key path that reached a person last time.' },
  },
  states: {
    conversation: {
      description: 'A person, or nobody yet: the turn region runs the conversation. A recording moves the line on.',
      on: {
        'ASR.FINAL': [
          {
            guard: 'isFrontDesk',
            description: "A front-desk caller is a person ringing the gym: their words are never a recording's.",
          },
          {
            guard: 'hearsMailboxFull',
            target: 'voicemail.full',
            actions: keepVoicemailWords,
            description: 'A voicemail that cannot take a message.',
          },
          {
            guard: 'hearsVoicemail',
            target: 'voicemail',
            actions: keepVoicemailWords,
            description: '"Leave a message after the tone".',
          },
          {
            guard: 'hearsScreening',
            target: 'screening',
            actions: keepScreeningWords,
            description: '"Please say your name and why you\'re calling".',
          },
          ...menuStarts(toPhoneTree, false),
          {
            guard: and(['hearsTransfer', 'unaskedTopicLeft']),
            target: 'transferAnnounced',
            actions: 'noteTransferAnnounced',
            description: '"Let me transfer you" while a topic was never asked: ask it of this person first.',
          },
          {
            guard: 'hearsTransfer',
            target: 'onHold',
            actions: { type: 'startHold', params: { transfer: true, words: 'person' } },
            description: '"Let me transfer you": hold, then a new voice.',
          },
          {
            guard: 'hearsHold',
            target: 'onHold',
            actions: { type: 'startHold', params: { transfer: false, words: 'person' } },
            description: '"Please hold", "one moment", "let me get the manager".',
          },
        ],
        'TURN.LINE_SOUNDING': {
          target: 'onHold',
          actions: { type: 'startHold', params: { transfer: false, words: 'none' } },
          description: "Outbound, nobody greeted: sound without a voice goes on (a queue's music).",
        },
        'ASR.STABLE': [
          {
            guard: 'menuStartsWithRememberedEarly',
            target: toPressing,
            actions: pressRemembered,
            description: "A menu's first pause already shows the remembered key's menu: press it now.",
          },
          {
            guard: 'pauseHearsQueue',
            target: 'onHold',
            actions: { type: 'startHold', params: { transfer: false, words: 'pending' } },
            description: 'A queue\'s recording answered: "all of our team members are busy, please stay on the line".',
          },
        ],
        'AMD.RESULT': {
          guard: 'amdSaysMachine',
          target: 'voicemail',
          description: "Twilio's answering-machine detection heard a machine.",
        },
        'TONE.BEEP': {
          guard: 'beepBeforeAnyone',
          target: 'voicemail',
          description: 'A beep before anybody spoke: a voicemail whose greeting was not recognised.',
        },
        // The LLM's own reading of the line (OpenAI tools press_keys, wait_on_hold, leave_voicemail), for what the
        // words above did not reveal.
        'REPLY.PRESS_KEYS': {
          guard: 'replyCommitted',
          target: toPressing,
          actions: 'pressFromReply',
          description: 'The LLM heard a menu and chose its keys.',
        },
        'REPLY.HOLD': {
          guard: 'replyCommitted',
          target: 'onHold',
          actions: { type: 'startHold', params: { transfer: false, words: 'person' } },
          description: 'The LLM heard that we are on hold.',
        },
        'REPLY.VOICEMAIL': [
          { guard: 'replySaysMailboxFull', target: 'voicemail.full', description: 'The LLM heard a full mailbox.' },
          { guard: 'replyCommitted', target: 'voicemail', description: 'The LLM heard a voicemail greeting.' },
        ],
      },
    },

    phoneTree: phoneTreeState,

    transferAnnounced: {
      description:
        '"Let me transfer you", and a topic never asked: the conversation goes on ("before you transfer me, …"), ' +
        "the transfer comes next: her words of it, a hold, or her silence after the agent's last word.",
      on: {
        'ASR.FINAL': {
          guard: or(['hearsTransfer', 'hearsHold']),
          target: 'onHold',
          actions: { type: 'startHold', params: { transfer: true, words: 'person' } },
          description: '"Okay, transferring you now", "one moment".',
        },
        'SPEAKER.PLAYED': { target: 'transferAnnounced', reenter: true, description: 'Count from the last word.' },
        'VAD.SILENCE': { target: 'transferAnnounced', reenter: true, description: 'Count from her last word.' },
      },
      after: {
        TRANSFER_WAIT: {
          guard: and(['callerSilent', 'agentDone', not('closingAlready')]),
          target: 'onHold',
          actions: { type: 'startHold', params: { transfer: true, words: 'pending' } },
          description: 'Nobody speaks: the transfer is under way. On hold, not a re-prompt into it.',
        },
      },
    },

    onHold: {
      description:
        'On hold (music, silence, announcements): say nothing, ask nothing, no idle timer; HOLD_MAX at most. ' +
        'After "let me transfer you" the voice that comes back is a new party.',
      entry: 'raiseAway',
      initial: 'waiting',
      after: {
        HOLD_MAX: {
          actions: ['noteHoldTimeout', end('hold-timeout')],
          description: 'Nobody came back: hang up.',
        },
      },
      on: {
        'ASR.FINAL': [
          { guard: 'hearsVoicemail', target: toVoicemail, actions: keepVoicemailWords },
          {
            guard: 'hearsHold',
            target: '.waiting',
            actions: [keepHoldWords, 'noteHoldSound'],
            description:
              'The queue\'s announcement, even with a key in it ("stay on the line, or press 1 to leave a message"; music heard as "dial two"): still on hold.',
          },
          ...menuStarts(toPhoneTree, true),
          {
            guard: 'continuesHoldWords',
            target: '.waiting',
            actions: keepHoldWords,
            description: 'The rest of the sentence that put us on hold ("let me transfer you, | one moment").',
          },
          {
            guard: 'queueWordsOnSoundedHold',
            target: '.waiting',
            actions: keepHoldWords,
            description:
              'The queue has sounded: a person back from it says so ("hi, thanks for holding", "this is Anna"); ' +
              'other words are its announcement or music, however person-like they came out.',
          },
          { guard: 'hearsPerson', target: '.personSpeaking', description: 'Words of a person, perhaps.' },
          { target: '.waiting', actions: keepHoldWords, description: 'An announcement, or music heard as words.' },
        ],
      },
      states: {
        waiting: { description: 'Music, silence or an announcement.' },
        personSpeaking,
      },
    },

    voicemail: {
      description:
        'A voicemail: never talk over its greeting; then leave a short message or hang up (VOICEMAIL_ACTION).',
      entry: ['raiseAway', { type: 'setOutcome', params: { outcome: 'voicemail-skipped' } }],
      initial: 'greeting',
      on: { 'ASR.FINAL': { actions: keepVoicemailWords } },
      states: {
        greeting: {
          description: 'Its greeting plays: wait for the beep, the end Twilio detects, or BEEP_WAIT of silence.',
          always: { guard: 'skipsVoicemail', target: 'done', actions: end('voicemail-skipped') },
          on: {
            'ASR.FINAL': [
              { guard: 'hearsMailboxFull', target: 'full', actions: keepVoicemailWords },
              { actions: keepVoicemailWords },
            ],
            'TONE.BEEP': { target: 'message', description: 'The beep: speak now.' },
            'AMD.RESULT': { guard: 'amdSaysMessageEnd', target: 'message', description: 'The greeting ended.' },
            'VAD.SILENCE': { target: 'greeting', reenter: true, description: 'The greeting paused: count from now.' },
          },
          after: {
            BEEP_WAIT: { guard: 'callerSilent', target: 'message', description: 'Silent after the greeting: no beep.' },
          },
        },
        message: {
          description: 'The message: who is calling, why, the callback number; the greeting is over.',
          entry: 'queueVoicemailMessage',
          on: {
            'SPEAKER.PLAYED': {
              guard: 'isLastPendingUtterance',
              target: 'done',
              actions: [
                'finishSituationTurn',
                { type: 'setOutcome', params: { outcome: 'voicemail-left' } },
                end('voicemail-left'),
              ],
              description: 'The message played: hang up.',
            },
          },
        },
        full: {
          description: 'The mailbox is full: nothing can be left.',
          entry: [{ type: 'setOutcome', params: { outcome: 'voicemail-full' } }, end('voicemail-full')],
        },
        done: { description: 'Hanging up.' },
      },
    },

    screening: {
      description:
        'A call-screening assistant: one short sentence (who and why), then wait for a person or a voicemail.',
      entry: 'raiseAway',
      initial: 'listening',
      on: {
        'ASR.FINAL': [
          { guard: 'hearsMailboxFull', target: '#call.live.situation.voicemail.full', actions: keepVoicemailWords },
          { guard: 'hearsVoicemail', target: toVoicemail, actions: keepVoicemailWords },
          ...menuStarts(toPhoneTree, true),
          {
            guard: 'hearsHold',
            target: toHold,
            actions: { type: 'startHold', params: { transfer: false, words: 'line' } },
          },
          { guard: 'hearsScreening', actions: keepScreeningWords, description: 'The assistant again.' },
          {
            guard: 'hearsPerson',
            target: '.personSpeaking',
            description: 'Someone picked up, perhaps.',
          },
          { actions: keepScreeningWords },
        ],
      },
      states: {
        listening: {
          description: 'The assistant is still speaking: wait until it stops.',
          on: { 'VAD.SILENCE': { target: 'listening', reenter: true } },
          after: {
            PERSON_SETTLE: { guard: 'callerSilent', target: 'answering', description: 'It stopped: our one sentence.' },
          },
        },
        answering: {
          description: 'Our one sentence: name and reason.',
          entry: 'queueScreening',
          on: {
            'SPEAKER.PLAYED': { guard: 'isLastPendingUtterance', target: 'waiting', actions: 'finishSituationTurn' },
          },
        },
        waiting: { description: 'Waiting for the person, or the voicemail.' },
        personSpeaking,
      },
    },
  },
});
