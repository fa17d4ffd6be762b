import { and } from 'xstate';
import { callSetup } from './call.setup.js';
import { initialContext } from './context.js';
import { callOutput } from './ledger.js';
import { deskRegion } from './desk.region.js';
import { replyRegion } from './reply.region.js';
import { situationRegion } from './situation.region.js';
import { turnRegion } from './turn.region.js';
import { languageRegion } from './language.region.js';

const LATE_WORDS =
  "Words of audio before the committed turn's end, arriving after it (a recogniser behind real time): that turn's " +
  "late words, not this one's (kept out of it: her hello's final, arriving during the greeting, was once taken for " +
  "her answer to the greeting's question).";
const CLOSES_PARTIAL =
  'It closes the interim words of its utterance (a recogniser finishes one before the next); the words of a turn ' +
  'committed before any came are recorded under its seq, in its place in the transcript.';

/**
 * One actor per phone call. While the call is live four regions run in parallel, because four things really do
 * happen at once on a phone call: the caller's voice (silent/onset/speaking), the LLM reply being generated,
 * the agent's audio playing at Twilio, and the conversation itself (greeting → listening → thinking → speaking →
 * closing). The regions talk through shared events (CALLER.SPEECH_START, REPLY.SENTENCE, VAD.SILENCE) where they
 * can and raised ones (REPLY.REQUEST, AGENT.SAID, ...) where they must.
 * Leaving `live` stops every invoked actor but the recogniser (speaker, reply, hangup); the recogniser lives until
 * the call ends, so that a caller who hangs up mid-sentence still has those words recognised (`draining`, bounded).
 */
export const callMachine = callSetup.createMachine({
  id: 'call',
  description: 'One phone call with a gym: collect hours, prices and classes, then hang up politely.',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => callOutput(context),
  initial: 'live',
  invoke: {
    id: 'asr',
    src: 'asr',
    input: ({ context }) => ({ callId: context.callId, language: context.language }),
    onError: { actions: { type: 'raiseWrapUp', params: { reason: 'error' } } },
  },
  on: {
    'CALL.HANGUP': [
      {
        guard: 'wordsInRecogniser',
        target: '.draining',
        actions: 'noteHangup',
        description: 'The caller hung up mid-sentence: stop talking at once, but let the recogniser finish.',
      },
      {
        target: '.ended',
        actions: 'recordHangup',
        description: 'The caller hung up (Twilio stop or socket closed): end at once from any state.',
      },
    ],
  },
  states: {
    live: {
      type: 'parallel',
      description: 'The call is connected. The speaker actor lives exactly as long as this state.',
      invoke: {
        id: 'speaker',
        src: 'speaker',
        input: ({ context }) => ({ callId: context.callId }),
        onError: { actions: 'raiseAbort' },
      },
      after: {
        MAX_CALL: {
          actions: { type: 'raiseWrapUp', params: { reason: 'max-duration' } },
          description: 'Maximum call length reached: wrap up with a goodbye.',
        },
      },
      on: {
        'DTMF.RECEIVED': {
          actions: 'noteDtmf',
          description: 'Key presses are logged; they never change the conversation.',
        },
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
        // First: a final that switches the language does so before any region acts on its words.
        language: languageRegion,
        caller: {
          description: "The caller's voice, from raw VAD edges; speech must last VAD_MIN_SPEECH to count.",
          initial: 'silent',
          on: {
            'ASR.PARTIAL': [
              { guard: 'roomWords', description: "The room's words (a noisy line, no voice under them): not hers." },
              { guard: 'lateWords', description: LATE_WORDS },
              { actions: 'notePartial' },
            ],
            'ASR.FINAL': [
              {
                guard: 'roomWords',
                actions: 'dropPartial',
                description: "The room's words (a noisy line, no voice under them): not hers; they close the partial.",
              },
              { guard: 'lateWords', actions: 'recordLateWords', description: `${LATE_WORDS} ${CLOSES_PARTIAL}` },
              {
                guard: 'talkingRoomFinal',
                actions: 'dropPartial',
                description: "A room of talkers' words, away from her voice standing over them: not hers.",
              },
              { actions: 'appendFinal' },
            ],
            'CALLER.EVIDENCE': {
              actions: 'noteEvidence',
              description: "Whether sound over the agent is her voice (the line's noise peak, the agent's echo).",
            },
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
          description:
            "The agent's audio at Twilio: started, its length, played (the speaker keeps the marks in between).",
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
        // Before the turn region: in the microstep of a recording's words, they are the situation's before any
        // end of turn could commit them as a person's.
        situation: situationRegion,
        turn: turnRegion,
        desk: deskRegion,
      },
    },
    draining: {
      description:
        'Hung up mid-sentence: the recogniser is asked for its final of the last words (HANGUP_DRAIN at most); ' +
        'every other actor has stopped. Then the caller turn is recorded and the call ends.',
      entry: 'finalizeAsr',
      after: { HANGUP_DRAIN: { target: 'ended', actions: 'recordHangup', description: 'No final in time.' } },
      on: {
        'ASR.PARTIAL': [
          { guard: 'lateWords', description: LATE_WORDS },
          { actions: 'notePartial', description: 'Words so far, kept if no final comes.' },
        ],
        'ASR.FINAL': [
          {
            guard: and(['hearsTheLast', 'lateWords']),
            target: 'ended',
            actions: ['recordLateWords', 'recordHangup'],
            description: 'The last words are the late words of a committed turn (she hung up during the greeting).',
          },
          {
            guard: 'hearsTheLast',
            target: 'ended',
            actions: ['appendFinal', 'recordHangup'],
            description: 'The answer to the flush, or words reaching the end of her voice: the last words, or none.',
          },
          {
            guard: 'lateWords',
            actions: 'recordLateWords',
            description: `${LATE_WORDS} ${CLOSES_PARTIAL} The last words' final may still come.`,
          },
          {
            actions: 'appendFinal',
            description: 'Words queued before the last ones (a recogniser with a backlog): the flush is still owed.',
          },
        ],
        'ASR.UTTERANCE_END': {
          guard: 'nothingOwed',
          target: 'ended',
          actions: 'recordHangup',
          description:
            'Every voice has had its final and no flush answer came (Deepgram sends none with nothing left).',
        },
        'ASR.ERROR': {
          guard: 'isFatalAsrError',
          target: 'ended',
          actions: 'recordHangup',
          description: 'The recogniser is gone: keep the words so far. A failed utterance alone is not its end.',
        },
        'CALL.HANGUP': { description: 'Already ending (Twilio stop, then the socket closing).' },
      },
    },
    ended: {
      type: 'final',
      description: 'Call over; every child actor has been stopped.',
      entry: ['stopRecogniser', 'emitEnded'],
    },
  },
});

export type CallMachine = typeof callMachine;
