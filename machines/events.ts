import type { GymFacts, Topic } from '../src/facts/model.js';
import type { AsrContext } from '../src/providers/asr/types.js';
import type { ConversationInput } from '../src/providers/llm/types.js';
import type { TurnTiming } from './timing.js';

// The contract between the call machine and src/: what the media pipeline sends in, what the invoked actors
// send back and receive, and what the machine emits for persistence and metrics. All times called `atMs`,
// `startMs` or `endMs` are media time: milliseconds since the media stream started (Twilio `start`), the clock
// the VAD, the recogniser and the mark echoes all share. See docs/call-machine.md.

export type { TurnTiming } from './timing.js';
/** Who placed the call: the gym called us (inbound) or we called the gym (outbound). */
export type CallDirection = 'inbound' | 'outbound';

export interface CallInput {
  callId: string;
  direction: CallDirection;
  gymName: string;
  timing: TurnTiming;
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
export type DtmfEvent = { type: 'DTMF'; digit: string };
/** The caller's side ended: Twilio `stop`, or the media WebSocket closed. Ends the call from any state. */
export type HangupEvent = { type: 'CALL.HANGUP'; reason: 'stop' | 'socket-closed' };

export type PipelineEvent = MediaStartEvent | VadVoiceEvent | VadSilenceEvent | DtmfEvent | HangupEvent;

// ---- `asr` actor (fromCallback, whole call) ---------------------------------------------------------------

export type AsrPartialEvent = { type: 'ASR.PARTIAL'; text: string };
export type AsrFinalEvent = {
  type: 'ASR.FINAL';
  text: string;
  confidence: number;
  speechFinal: boolean;
  startMs: number;
  endMs: number;
};
export type AsrUtteranceEndEvent = { type: 'ASR.UTTERANCE_END' };
/** fatal: the stream is gone (the call cannot hear any more) → polite close. Non-fatal: logged only. */
export type AsrErrorEvent = { type: 'ASR.ERROR'; message: string; fatal: boolean };
/** The recogniser's own speech-start is not sent: the call's VAD edges say when the caller speaks. */
export type AsrEvent = AsrPartialEvent | AsrFinalEvent | AsrUtteranceEndEvent | AsrErrorEvent;

/** Sent TO the asr actor. */
export type AsrCommand =
  /** What the agent just asked about (grammar recognisers pick their grammar from it). */
  | { type: 'ASR.CONTEXT'; ctx: AsrContext }
  /** The caller stopped speaking: flush finals for everything heard so far. */
  | { type: 'ASR.FINALIZE' };

// ---- `reply` actor (fromCallback, one per agent turn; stopping it must abort the LLM request) ---------------

/** One complete sentence of the reply, ready for TTS. */
export type ReplySentenceEvent = { type: 'REPLY.SENTENCE'; text: string };
export type ReplyFactsEvent = { type: 'REPLY.FACTS'; facts: Partial<GymFacts> };
export type ReplyAskedEvent = { type: 'REPLY.ASKED'; topic: Topic };
export type ReplyEndCallEvent = { type: 'REPLY.END_CALL'; reason: 'facts-complete' | 'caller-request' | 'other' };
export type ReplyDoneEvent = { type: 'REPLY.DONE' };
export type ReplyErrorEvent = { type: 'REPLY.ERROR'; message: string };
export type ReplyEvent =
  ReplySentenceEvent | ReplyFactsEvent | ReplyAskedEvent | ReplyEndCallEvent | ReplyDoneEvent | ReplyErrorEvent;

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
  | { type: 'CALL.ABORT'; message: string };

export type MachineEvent = CallEvent | InternalEvent;

// ---- Emitted (actor.on(type, handler)) for persistence and metrics -----------------------------------------

export type EndReason =
  | 'facts-complete'
  | 'caller-request'
  | 'max-duration'
  | 'idle'
  | 'caller-hangup'
  /** The LLM ended the call for a reason of its own (REPLY.END_CALL reason 'other'). */
  | 'agent-ended'
  | 'error';

export type AgentTurnReason = 'greeting' | 'reply' | 'reprompt' | 'holding' | 'apology' | 'closing';

export interface LedgerUtterance {
  utteranceId: string;
  text: string;
  /** What the caller heard: the full text when played, the prefix up to the last mark when cut, '' if never started. */
  heardText: string;
  status: 'played' | 'cut' | 'unplayed';
  startMs: number | undefined;
  endMs: number | undefined;
}

export interface AgentTurnLedger {
  type: 'ledger.agentTurn';
  callId: string;
  /** Sequence of this turn in the call (agent and caller turns share one counter). */
  seq: number;
  reason: AgentTurnReason;
  /** All text sent to the speaker in this turn. */
  text: string;
  /** What the caller actually heard (cut sentences truncated). */
  heardText: string;
  interrupted: boolean;
  startMs: number | undefined;
  endMs: number | undefined;
  utterances: LedgerUtterance[];
}

export interface CallerTurnLedger {
  type: 'ledger.callerTurn';
  callId: string;
  seq: number;
  text: string;
  /** Mean confidence of the recogniser finals (0 when unknown). */
  confidence: number;
  startMs: number | undefined;
  endMs: number | undefined;
  /** Which endpoint wait decided the end of the turn ('backchannel' = words over the agent, not a turn). */
  endpoint: 'short' | 'long' | 'max' | 'backchannel' | 'hangup';
}

export interface FactsLedger {
  type: 'ledger.facts';
  callId: string;
  /** All facts known so far (merged). */
  facts: GymFacts;
  /** What this update added. */
  added: Partial<GymFacts>;
}

export interface CallMetrics {
  greetings: number;
  bargeIns: number;
  falseBargeIns: number;
  backchannelsIgnored: number;
  idleReprompts: number;
  duplicatesDropped: number;
  repeatQuestionsBlocked: number;
  holdingLines: number;
  replyErrors: number;
  dtmf: number;
  /** The last utterance before hang-up played completely (its final mark came back). */
  goodbyeCompleted: boolean;
}

/** Every counter at zero: a call that has not happened yet. */
export function emptyCallMetrics(): CallMetrics {
  return {
    greetings: 0,
    bargeIns: 0,
    falseBargeIns: 0,
    backchannelsIgnored: 0,
    idleReprompts: 0,
    duplicatesDropped: 0,
    repeatQuestionsBlocked: 0,
    holdingLines: 0,
    replyErrors: 0,
    dtmf: 0,
    goodbyeCompleted: false,
  };
}

export interface CallEndedEvent {
  type: 'call.ended';
  callId: string;
  reason: EndReason;
  /** Set when the call ended on CALL.HANGUP reason socket-closed: the Twilio call may still be up; hang it up. */
  socketClosed: boolean;
  facts: GymFacts;
  metrics: CallMetrics;
  /** Message of the error that ended the call, if any. */
  error: string | undefined;
}

export interface CallDtmfEvent {
  type: 'call.dtmf';
  callId: string;
  digit: string;
}

/** Something went wrong that did not end the call (non-fatal ASR error, hang-up actor failure...). */
export interface CallWarningEvent {
  type: 'call.warning';
  callId: string;
  message: string;
}

export type CallEmitted =
  AgentTurnLedger | CallerTurnLedger | FactsLedger | CallEndedEvent | CallDtmfEvent | CallWarningEvent;

export interface CallOutput {
  reason: EndReason;
  facts: GymFacts;
  metrics: CallMetrics;
}
