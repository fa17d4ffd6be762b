import type { GymFacts, Topic } from '../src/facts/model.js';
import type { AsrContext } from '../src/providers/asr/types.js';
import type { ConversationBrief, ConversationInput } from '../src/providers/llm/types.js';
import type { FlowScript } from '../src/flows/script.js';
import type { Language } from '../src/language/index.js';
import type { CallbackRequest, CallOutcome, IvrStep, Refusal, SpokenOutcome } from './outcomes.js';
import type { CallerEvidenceEvent } from './evidence.js';
import type { EndReason } from './emitted.js';
import type { TurnTiming } from './timing.js';

// The contract between the call machine and src/: what the media pipeline sends in, what the invoked actors
// send back and receive, and what the machine emits for persistence and metrics. All times called `atMs`,
// `startMs` or `endMs` are media time: milliseconds since the media stream started (Twilio `start`), the clock
// the VAD, the recogniser and the mark echoes all share. See docs/call-machine.md.

export type { TurnTiming } from './timing.js';
/** Who placed the call: the gym called us (inbound) or we called the gym (outbound). */
export type CallDirection = 'inbound' | 'outbound';
/** What a call to our number is for: the interview (collect a gym's facts) or the gym's front desk (answer its callers). */
export type CallMode = 'interview' | 'front-desk';

export interface CallInput {
  callId: string;
  direction: CallDirection;
  gymName: string;
  timing: TurnTiming;
  /** What the agent does on a voicemail, and the number it leaves (config); default: hang up, no number. */
  voicemail?: VoicemailPolicy | undefined;
  /** The gym's IANA time zone (from its number, or CALL_DEFAULT_TIMEZONE): a callback's "after two" is read in it. */
  timeZone?: string | undefined;
  /** Said right after the introduction when the call is recorded and its jurisdiction wants it (recordings/notice.ts). */
  recordingNotice?: string | undefined;
  /** A planned call's topics, confirmations and person (a campaign's follow-up); none: every topic is asked. */
  brief?: ConversationBrief | undefined;
  /** The flow variant of an A/B experiment (src/flows/): wording, topic order, filler; none: the built-in flow. */
  flow?: FlowScript | undefined;
  /** The language the call starts in (the gym's, the campaign's or CALL_LANGUAGE); none: English. */
  language?: Language | undefined;
  /** `front-desk`: the gym's own caller is answered from its stored facts (src/frontdesk/); default `interview`. */
  mode?: CallMode | undefined;
}

export interface VoicemailPolicy {
  /** `leave`: a short message after the beep, then hang up; `hangup`: hang up as soon as it is a voicemail. */
  mode: 'leave' | 'hangup';
  /** The number the message asks the gym to call back (E.164), if configured. */
  callbackNumber: string | undefined;
}

// ---- Events from the media pipeline / server -------------------------------------------------------------

/** Twilio `start` arrived: audio can flow both ways. Media time 0 is this moment. */
export type MediaStartEvent = { type: 'MEDIA.START' };
/** Raw VAD edges (no debouncing needed: minimum speech duration is machine logic). */
export type VadVoiceEvent = { type: 'VAD.VOICE'; atMs: number };
/**
 * `atMs`: end of the caller's last voiced frame. `detectedAtMs`: media time when the VAD decided it was silence
 * (after its hangover); the end-of-turn wait subtracts the difference. Without it the wait counts from arrival.
 */
export type VadSilenceEvent = { type: 'VAD.SILENCE'; atMs: number; detectedAtMs?: number };
/** A key pressed on the gym's side (Twilio's `dtmf` message), at media time `atMs`. */
export type DtmfEvent = { type: 'DTMF.RECEIVED'; digit: string; atMs: number };
/** Twilio's answering-machine detection values, exactly as its AsyncAmdStatusCallback sends `AnsweredBy`. */
export const ANSWERED_BY = [
  'human',
  'machine_start',
  'machine_end_beep',
  'machine_end_silence',
  'machine_end_other',
  'fax',
  'unknown',
] as const;
export type AnsweredBy = (typeof ANSWERED_BY)[number];
/** Twilio's asynchronous answering-machine detection finished (AMD=async; src/telephony/amd.ts). */
export type AmdResultEvent = { type: 'AMD.RESULT'; answeredBy: AnsweredBy };
/**
 * A steady single tone (400–2,000 Hz, at least ~150 ms: a voicemail beep) ended in the caller's audio: its start
 * (media time), frequency and length. Sent when the tone ends, so speaking after it never overlaps it.
 */
export type ToneBeepEvent = { type: 'TONE.BEEP'; atMs: number; hz: number; durationMs: number };
/** The caller's side ended: Twilio `stop`, or the media WebSocket closed. Ends the call from any state. */
export type HangupEvent = { type: 'CALL.HANGUP'; reason: 'stop' | 'socket-closed' };
/**
 * A person watching the call (the live monitor, src/monitor/) ended it: the agent hangs up at once, without a
 * goodbye (end reason `operator-hangup`).
 */
export type OperatorHangupEvent = { type: 'OPERATOR.HANGUP' };

/**
 * The key path that reached a person on an earlier call to this number (src/call/ports.ts IvrPathStore), sent once
 * the session has looked it up: the phone tree replays it once each menu is heard saying what it said then.
 */
export type IvrRememberedEvent = { type: 'IVR.REMEMBERED'; path: IvrStep[] };

/** Whether sound over the agent is the caller's voice, when the session's measurement of it changes (evidence.ts). */
export type { CallerEvidenceEvent };

export type PipelineEvent =
  | MediaStartEvent
  | VadVoiceEvent
  | VadSilenceEvent
  | DtmfEvent
  | AmdResultEvent
  | ToneBeepEvent
  | IvrRememberedEvent
  | CallerEvidenceEvent
  | HangupEvent
  | OperatorHangupEvent;

// ---- `asr` actor (fromCallback, whole call) ---------------------------------------------------------------

/** `endMs`: media time of the end of the audio the words were heard in, when the recogniser says. */
export type AsrPartialEvent = { type: 'ASR.PARTIAL'; text: string; endMs?: number };
export type AsrFinalEvent = {
  type: 'ASR.FINAL';
  text: string;
  confidence: number;
  speechFinal: boolean;
  startMs: number;
  endMs: number;
  /** The language the recogniser heard the words in, when it says (it listens for several: language.region.ts). */
  language?: Language | undefined;
  /** It answers ASR.FINALIZE: the audio before that flush has had its finals (the drain after a hang-up ends). */
  flushed?: boolean;
};
/**
 * The recogniser heard no words for a while. `silenceMs`: how long ago, on the media clock, its last word ended
 * (when it says which word was last).
 */
export type AsrUtteranceEndEvent = { type: 'ASR.UTTERANCE_END'; silenceMs?: number };
/**
 * Her voice paused (a few unvoiced frames, long before the VAD's hangover) with these interim words since the
 * last final in hand: what she has said so far if she stops here. Sent once per text while the pause lasts (at
 * the pause, or when an interim arrives during it). Only an early reply may be started on it, or a remembered key
 * pressed on a menu it already shows; never a turn's end. `endMs`: the media time its last word ends, when known.
 */
export type AsrStableEvent = { type: 'ASR.STABLE'; text: string; endMs?: number };
/** fatal: the stream is gone (the call cannot hear any more) → polite close. Non-fatal: logged only. */
export type AsrErrorEvent = { type: 'ASR.ERROR'; message: string; fatal: boolean };
/** The recogniser's own speech-start is not sent: the call's VAD edges say when the caller speaks. */
export type AsrEvent = AsrPartialEvent | AsrStableEvent | AsrFinalEvent | AsrUtteranceEndEvent | AsrErrorEvent;

/** Sent TO the asr actor. */
/** The recogniser's input: the call, and the language it starts in (it also listens for the others it hears). */
export interface AsrInput {
  callId: string;
  /** None: English. */
  language?: Language | undefined;
}

export type AsrCommand =
  /** What the agent just asked about (grammar recognisers pick their grammar from it). */
  | { type: 'ASR.CONTEXT'; ctx: AsrContext }
  /** The caller stopped speaking: flush finals for everything heard so far. */
  | { type: 'ASR.FINALIZE' }
  /** A voice over the agent waits for words to be judged by: interim words soon, please. */
  | { type: 'ASR.HURRY' };

// ---- `reply` actor (fromCallback, one per agent turn; stopping it must abort the LLM request) ---------------

/** One complete sentence of the reply, ready for TTS. */
export type ReplySentenceEvent = { type: 'REPLY.SENTENCE'; text: string };
export type ReplyFactsEvent = { type: 'REPLY.FACTS'; facts: Partial<GymFacts> };
export type ReplyAskedEvent = { type: 'REPLY.ASKED'; topic: Topic };
export type ReplyEndCallEvent = { type: 'REPLY.END_CALL'; reason: 'facts-complete' | 'caller-request' | 'other' };
/** The caller refused a topic ("we don't give prices over the phone"): it is never asked again. */
export type ReplyRefusedEvent = { type: 'REPLY.REFUSED'; refusal: Refusal };
/** The caller asked to be called back ("call back after two and ask for Mike"): stored on the call. */
export type ReplyCallbackEvent = { type: 'REPLY.CALLBACK'; request: CallbackRequest };
/** The conversation decided the call's outcome (wrong number, not a gym, closed for good): close politely. */
export type ReplyOutcomeEvent = { type: 'REPLY.OUTCOME'; outcome: SpokenOutcome };
/** The conversation heard a phone menu and chose keys to press (the OpenAI path's press_keys tool). */
export type ReplyPressKeysEvent = { type: 'REPLY.PRESS_KEYS'; digits: string };
/** The conversation was put on hold (wait_on_hold): silence until a person speaks. */
export type ReplyHoldEvent = { type: 'REPLY.HOLD' };
/** The conversation heard a voicemail greeting (leave_voicemail); `full`: the mailbox is full. */
export type ReplyVoicemailEvent = { type: 'REPLY.VOICEMAIL'; full: boolean };
/** A message the front desk took for the staff: the caller's name, the number to call back, what it is about. */
export interface DeskMessage {
  name: string;
  callbackNumber: string;
  reason: string;
}
/** Front desk: the receptionist started taking a message (asked for the caller's name). */
export type ReplyMessageStartedEvent = { type: 'REPLY.MESSAGE_STARTED' };
/** Front desk: the message is complete (name, number, reason): it is stored for the staff. */
export type ReplyMessageEvent = { type: 'REPLY.MESSAGE'; message: DeskMessage };
/** Front desk: the caller no longer wants to leave the message. */
export type ReplyMessageCancelledEvent = { type: 'REPLY.MESSAGE_CANCELLED' };
/** Front desk: the caller asked for a person and the desk said it will put them through to the staff. */
export type ReplyTransferEvent = { type: 'REPLY.TRANSFER' };
export type DeskReplyEvent =
  ReplyMessageStartedEvent | ReplyMessageEvent | ReplyMessageCancelledEvent | ReplyTransferEvent;
export type ReplyDoneEvent = { type: 'REPLY.DONE' };
export type ReplyErrorEvent = { type: 'REPLY.ERROR'; message: string };
export type ReplyEvent =
  | ReplySentenceEvent
  | ReplyFactsEvent
  | ReplyAskedEvent
  | ReplyEndCallEvent
  | ReplyRefusedEvent
  | ReplyCallbackEvent
  | ReplyOutcomeEvent
  | ReplyPressKeysEvent
  | ReplyHoldEvent
  | ReplyVoicemailEvent
  | DeskReplyEvent
  | ReplyDoneEvent
  | ReplyErrorEvent;

/**
 * Input of the reply actor: the conversation as the caller heard it, built from machine context. `speculative`:
 * started before the end of the caller's turn (preemptive generation); the machine holds its output and sends it
 * `REPLY.ADOPTED` when the turn commits with these words (it is stopped otherwise). Until then it is not a reply
 * to anything: latency measurement starts at adoption.
 */
export type ReplyInput = ConversationInput & { callId: string; speculative?: boolean };
/** Sent TO a speculative reply actor when its turn committed with its words: it is now the turn's reply. */
export type ReplyAdoptedEvent = { type: 'REPLY.ADOPTED' };

// ---- `speaker` actor (fromCallback, whole call: TTS → resample → paced μ-law frames + marks) ----------------

export type SpeakerStartedEvent = { type: 'SPEAKER.STARTED'; utteranceId: string; atMs: number };
/** The utterance's final mark came back because its audio PLAYED (never send this for a cleared utterance). */
export type SpeakerPlayedEvent = { type: 'SPEAKER.PLAYED'; utteranceId: string; atMs: number };
/** Synthesised audio length, as soon as known (the goodbye fallback timeout uses it). */
export type SpeakerDurationEvent = { type: 'SPEAKER.DURATION'; utteranceId: string; ms: number };
/** After SPEAKER.CLEAR: Twilio's queue is empty (the pending marks came back). Optional; a timeout covers it. */
export type SpeakerClearedEvent = { type: 'SPEAKER.CLEARED' };
/** The speaker cannot produce audio any more (every TTS provider failed): the call ends. */
export type SpeakerErrorEvent = { type: 'SPEAKER.ERROR'; message: string };
// No event per intermediate mark: the speaker keeps what each echo says was heard and publishes it for the moment
// an utterance is cut (machines/heard.ts). None of those marks is a decision of the machine.
export type SpeakerEvent =
  SpeakerStartedEvent | SpeakerPlayedEvent | SpeakerDurationEvent | SpeakerClearedEvent | SpeakerErrorEvent;

/** Sent TO the speaker actor. Utterances are played in the order they were sent. */
export type SpeakerCommand =
  | { type: 'SPEAKER.SAY'; utteranceId: string; text: string }
  /** Stop: cancel TTS in flight, drop queued frames, send Twilio `clear`. */
  | { type: 'SPEAKER.CLEAR' };

// ---- `hangup` actor (fromPromise) --------------------------------------------------------------------------

export interface HangupInput {
  callId: string;
  reason: EndReason;
}

// ---- `keypad` actor (fromPromise, one per key press: in-band DTMF or Twilio <Play digits>) ---------------------

export interface KeypadInput {
  callId: string;
  /** The keys to press, in order ("2", "0", "1#"). */
  digits: string;
}

// ---- `transfer` actor (fromPromise, front desk: Twilio REST redirect of the call to <Dial> the staff) -----------

export interface TransferInput {
  callId: string;
  /** The language the agent speaks now: the caller hears it if nobody answers. */
  language: Language;
}

/** `to`: the staff number asked for (null: none configured); `dialled`: Twilio took the redirect. */
export interface TransferOutput {
  to: string | null;
  dialled: boolean;
}

// ---- Everything the machine accepts ------------------------------------------------------------------------

export type CallEvent = PipelineEvent | AsrEvent | ReplyEvent | SpeakerEvent;

/** Events the machine raises to itself so its parallel regions can talk; never send these from outside. */
export type InternalEvent =
  | { type: 'CALLER.SPEECH_START'; atMs: number | undefined }
  | { type: 'REPLY.REQUEST' }
  | { type: 'REPLY.CANCEL' }
  | { type: 'REPLY.ENDED'; ok: boolean }
  | { type: 'CALLER.GOODBYE' }
  | { type: 'REPLY.SPECULATE' }
  | { type: 'AGENT.SAID' }
  | { type: 'AGENT.CLEARED' }
  | { type: 'WRAP_UP'; reason: EndReason }
  /** Someone other than a person has the line (phone tree, hold, voicemail, screening): the turn region stands by. */
  | { type: 'SITUATION.AWAY' }
  /** Outbound: nobody greeted us, and the line goes on making sound with no voice in it (turn region). */
  | { type: 'TURN.LINE_SOUNDING' }
  /** A person speaks again: the turn region takes the floor back. */
  | { type: 'SITUATION.BACK' }
  /** The situation decided the call is over: a machine or nobody is on the line, so no goodbye is said. */
  | { type: 'SITUATION.END'; outcome: CallOutcome }
  | { type: 'CALL.ABORT'; message: string };

export type MachineEvent = CallEvent | InternalEvent;

export * from './emitted.js';
