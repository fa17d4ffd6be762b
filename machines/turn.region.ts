import { and, not } from 'xstate';
import { callSetup } from './call.setup.js';
import { awaitingHelloState, situationTurnEvents, situationTurnStates } from './turn.situation.js';
import { closingState } from './turn.closing.js';
import { endpointingState } from './turn.endpointing.js';

const toListening = '#call.live.turn.listening';
const toClosing = '#call.live.turn.closing';
const toHangingUp = '#call.live.turn.closing.hangingUp';
const toInterrupted = '#call.live.turn.interrupted';

/** The conversation: who has the floor and why. */
export const turnRegion = callSetup.createStateConfig({
  description: 'The conversation: greeting → listening → thinking → speaking → closing.',
  initial: 'connecting',
  on: {
    WRAP_UP: { target: '.closing', actions: 'closeFromEvent', description: 'Max length or fatal error: close.' },
    'CALL.ABORT': { target: '.closing.hangingUp', actions: 'abortFromEvent', description: 'Cannot speak: hang up.' },
    'OPERATOR.HANGUP': {
      target: '.closing.hangingUp',
      actions: { type: 'setCloseReason', params: { reason: 'operator-hangup' } },
      description: 'A person hung up from the live monitor: whatever is playing stops, no goodbye, hang up now.',
    },
    ...situationTurnEvents,
  },
  states: {
    ...situationTurnStates,
    connecting: {
      description: 'Waiting for the media stream to start.',
      on: {
        'MEDIA.START': [
          { guard: 'isOutbound', target: 'awaitingHello', description: 'We called: let them answer first.' },
          { target: 'greeting', description: 'They called: greet first.' },
        ],
        WRAP_UP: { target: toHangingUp, actions: 'closeFromEvent', description: 'No media yet: just hang up.' },
      },
    },
    awaitingHello: awaitingHelloState,
    greeting: {
      description: 'The one greeting of the call. Its first part cannot be interrupted (per-state policy).',
      entry: [
        { type: 'commitCallerTurn', params: { kind: undefined } },
        'queueGreeting',
        { type: 'flush', params: { reason: 'greeting' } },
      ],
      after: {
        GREETING_GUARD: [
          {
            guard: 'callerVoiceHeld',
            target: 'interrupted',
            description:
              'Her voice became held while the greeting could not be interrupted (the evidence changes once, and ' +
              'that change found no one to hear it): the interruption she has been making, now.',
          },
          { target: 'speaking', description: 'The rest of the greeting is interruptible.' },
        ],
      },
      on: {
        'SPEAKER.PLAYED': {
          guard: 'turnFinishes',
          target: 'listening',
          actions: 'finishTurn',
          description: 'Greeting played completely.',
        },
      },
    },
    listening: {
      description: 'The caller has the floor.',
      initial: 'waiting',
      states: {
        waiting: {
          description: 'Nobody speaks yet; re-prompt after IDLE_REPROMPT.',
          on: {
            'CALLER.SPEECH_START': {
              guard: not('roomVoiceOnly'),
              target: 'hearing',
              description: "The caller starts speaking (in a room of talkers: her voice over the room's).",
            },
            'CALLER.EVIDENCE': {
              guard: 'herVoiceOverTalkingRoom',
              target: 'hearing',
              description: 'In a room of talkers, the voice the detector hears stands over the room now: hers.',
            },
            'ASR.FINAL': {
              guard: and(['bringsRealWord', not('roomWords'), not('roomVoiceOnly')]),
              target: 'endpointing',
              description:
                "Words the VAD missed (on a noisy line, words without a voice are the room's; in a room of " +
                'talkers, words without her voice standing out).',
            },
          },
          always: [
            {
              guard: and(['callerSpeaking', not('roomVoiceOnly')]),
              target: 'hearing',
              description: 'Caller already talking on the way in.',
            },
            {
              guard: and(['callerHasRealWords', not('roomVoiceOnly')]),
              target: 'endpointing',
              description: 'Words already heard.',
            },
          ],
          after: {
            IDLE_REPROMPT: [
              {
                guard: 'repromptsLeft',
                target: '#call.live.turn.speaking',
                actions: 'queueReprompt',
                description: 'Silence after our question: re-prompt.',
              },
              {
                target: toClosing,
                actions: { type: 'setCloseReason', params: { reason: 'idle' } },
                description: 'Still silent after the re-prompts: close politely.',
              },
            ],
          },
        },
        hearing: {
          description: 'The caller is speaking.',
          entry: { type: 'noteWordsEndedUnderVoice', params: { ended: false } },
          on: {
            'VAD.SILENCE': {
              guard: 'callerSpeaking',
              target: 'endpointing',
              actions: 'finalizeAsr',
              description: "The caller's speech ended (the caller region goes silent on the same edge).",
            },
            'ASR.UTTERANCE_END': [
              {
                guard: and(['callerHasWords', 'soundNotHerVoice']),
                target: 'endpointing',
                actions: 'noteWordsEnded',
                description:
                  'The recogniser heard her words end while the detector still hears sound that is not her voice ' +
                  '(music, chatter: a line that is never quiet): the end-of-turn wait starts, the silence it ' +
                  'measured already behind it. On a quiet line where her voice still stands out, she goes on.',
              },
              {
                guard: and(['callerHasWords', 'lineNoisy']),
                actions: { type: 'noteWordsEndedUnderVoice', params: { ended: true } },
                description:
                  'On a noisy line her voice is still held: she may go on, or the evidence has not let go of her ' +
                  'last word yet. Remembered, so that its letting go ends the turn.',
              },
            ],
            'CALLER.EVIDENCE': {
              guard: and(['wordsEndedUnderVoice', 'callerHasWords', 'soundNotHerVoice']),
              target: 'endpointing',
              actions: 'noteWordsEndedBefore',
              description:
                'Her held voice let go after the recogniser had said her words ended, the line still not quiet: ' +
                'the end-of-turn wait starts (without this, a turn over music waited for the next utterance the ' +
                'recogniser cut out of the music, up to 15 s).',
            },
            'ASR.STABLE': {
              guard: 'stableWordsComplete',
              actions: 'speculate',
              description:
                'Her voice paused on interim words that look complete: the reply starts on them now, off the ' +
                'critical path (held; adopted only if the turn ends on the same words, else dropped).',
            },
            'ASR.FINAL': {
              guard: and(['recogniserClosedWords', not('roomWords')]),
              actions: 'speculate',
              description:
                "The recogniser's own endpointing closed complete words before the detector's silence edge: the " +
                'reply starts on them now (held; dropped if she goes on).',
            },
          },
        },
        endpointing: endpointingState,
      },
    },
    thinking: {
      description:
        "Waiting for the first sentence of the reply (the endpoint transition that led here recorded the caller's " +
        "turn and asked for it); a holding line after FILLER (PROVIDER_DEADLINE_MS unless the flow's filler policy " +
        'says otherwise, or never).',
      on: {
        'REPLY.SENTENCE': {
          guard: 'queuesLine',
          target: 'speaking',
          description: 'First sentence that passes the repeat guards (already sent to the speaker).',
        },
        'CALLER.GOODBYE': {
          target: toClosing,
          actions: { type: 'setCloseReason', params: { reason: 'caller-request' } },
          description: 'The caller said goodbye: close instead of replying.',
        },
        'CALLER.SPEECH_START': {
          guard: and(['holdingNotSaid', not('roomVoiceOnly')]),
          target: toListening,
          actions: ['cancelReply', 'finishTurn'],
          description:
            "The caller went on: listen again, drop this reply (in a room of talkers: not the room's voice).",
        },
        'CALLER.EVIDENCE': {
          guard: and(['holdingNotSaid', 'callerSpeaking', 'callerVoiceHeld', 'roomSpeaksNoisy']),
          target: toListening,
          actions: ['cancelReply', 'finishTurn'],
          description:
            'In a room of talkers, her voice held over it again (a talker stands out for a moment now and then): she ' +
            'went on; drop this reply.',
        },
        'REPLY.ENDED': [
          {
            guard: 'replyFailedTooOften',
            target: toClosing,
            actions: { type: 'setCloseReason', params: { reason: 'error' } },
          },
          { guard: 'replyFailed', target: 'speaking', actions: 'queueApology' },
          { guard: 'closeWanted', target: toClosing, actions: 'closeFromEndRequest' },
          { target: 'speaking', actions: 'queueFallback', description: 'Nothing usable: ask the next topic.' },
        ],
      },
      after: {
        FILLER: {
          guard: 'fillerWanted',
          actions: ['queueHolding', { type: 'flush', params: { reason: 'reply' } }],
          description: "The LLM is slow: say a short holding line (unless the flow's filler policy is 'none').",
        },
      },
    },
    speaking: {
      description:
        'The agent has the floor; accepted reply sentences go to the speaker as they arrive (the reply region sends them).',
      entry: { type: 'flush', params: { reason: 'reply' } },
      initial: 'flowing',
      on: {
        'SPEAKER.PLAYED': [
          { guard: 'turnFinishesAndCloses', target: toClosing, actions: ['closeFromEndRequest'] },
          { guard: 'turnFinishes', target: toListening, actions: 'finishTurn' },
        ],
        'REPLY.ENDED': [
          { guard: 'closeWanted', target: toClosing, actions: 'closeFromEndRequest' },
          { guard: 'nothingPending', target: toListening, actions: 'finishTurn' },
        ],
        'ASR.PARTIAL': [
          {
            guard: 'bargeInByWords',
            target: toListening,
            actions: 'bargeIn',
            description: 'Barge-in by words (her voice under them, where the line is measured): stop, listen.',
          },
          {
            guard: 'callerVoiceBringsRealWord',
            target: toInterrupted,
            description: 'Her voice over the room with a new real word: pause and check, sooner than BARGE_IN_MIN.',
          },
        ],
        'ASR.FINAL': [
          { guard: 'bargeInByWords', target: toListening, actions: 'bargeIn' },
          { guard: 'callerVoiceBringsRealWord', target: toInterrupted },
        ],
        'CALLER.EVIDENCE': [
          {
            guard: 'callerVoiceHeld',
            target: toInterrupted,
            description: "Her voice stood over the line's noise and clear of the agent's echo for BARGE_IN_MIN.",
          },
          {
            guard: and(['callerVoicePresent', 'lineNoisy']),
            actions: 'hurryAsr',
            description:
              'Her voice stands out over the agent on a noisy line: only its words decide, so ask the recogniser ' +
              'for them now rather than at its next interim (a quiet line has her voice held to go by).',
          },
        ],
      },
      states: {
        flowing: {
          on: { 'CALLER.SPEECH_START': { target: 'contested', description: 'Caller speech over the agent.' } },
          always: {
            guard: 'callerSpeaking',
            target: 'contested',
            description: 'Caller already talking on the way in.',
          },
        },
        contested: {
          description: 'The caller makes sound over the agent: a backchannel, a cough, or an interruption?',
          after: {
            BARGE_IN_MIN: {
              guard: 'lineUnmeasured',
              target: toInterrupted,
              description: 'Long enough, on a line nobody measures (VAD only): pause and check.',
            },
          },
          on: {
            'VAD.SILENCE': {
              guard: 'callerSpeaking',
              target: 'flowing',
              actions: 'noteBackchannel',
              description: 'Short sound: ignored, the agent never stopped.',
            },
          },
        },
      },
    },
    interrupted: {
      description:
        'Playback stopped for her voice; words within BARGE_IN_CONFIRM make it a real barge-in (on a quiet line, so ' +
        'does her speaking on until then).',
      entry: 'pauseForInterruption',
      on: {
        'ASR.PARTIAL': { guard: 'wordsConfirm', target: toListening, actions: 'confirmInterruption' },
        'ASR.FINAL': { guard: 'wordsConfirm', target: toListening, actions: 'confirmInterruption' },
      },
      after: {
        BARGE_IN_CONFIRM: [
          {
            guard: 'confirmedByLength',
            target: toListening,
            actions: 'confirmInterruption',
            description: 'Still speaking on a quiet line: an interruption (on a noisy line only words say so).',
          },
          {
            guard: 'confirmedInTalkingRoom',
            target: toListening,
            actions: 'confirmInterruption',
            description: "In a room of talkers, whose words are the room's too: her voice still stands over it.",
          },
          {
            target: 'speaking',
            actions: 'noteFalseInterruption',
            description: 'No words (a cough): resume by repeating the cut sentence.',
          },
        ],
      },
    },
    closing: closingState,
  },
});
