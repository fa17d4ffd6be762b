import type { GymFacts } from '../src/facts/model.js';
import type { DeskMessage } from './events.js';
import type { CallbackRequest, CallOutcome, IvrStep, Refusal, Situation } from './outcomes.js';

// What the call machine emits (actor.on(type, handler)) for persistence and metrics, and its output: the ledger of
// turns and facts, the counters, the call's end. machines/events.ts re-exports it, beside what the machine takes in.

// ---- Emitted (actor.on(type, handler)) for persistence and metrics -----------------------------------------

export type EndReason =
  | 'facts-complete'
  | 'caller-request'
  | 'max-duration'
  | 'idle'
  | 'caller-hangup'
  /** The LLM ended the call for a reason of its own (REPLY.END_CALL reason 'other'). */
  | 'agent-ended'
  /** A person ended the call from the live monitor (OPERATOR.HANGUP). */
  | 'operator-hangup'
  /** The front desk put the caller through to the gym's staff (Twilio dialled them; our part of the call ended). */
  | 'transferred'
  | 'error';

export type AgentTurnReason =
  | 'greeting'
  | 'reply'
  | 'reprompt'
  | 'holding'
  | 'apology'
  | 'closing'
  /** Re-introduction to a new voice after a transfer (one sentence, not a second greeting). */
  | 'reintroduction'
  /** The one sentence a call-screening assistant gets (name and reason). */
  | 'screening'
  /** The message left on a voicemail after the beep. */
  | 'voicemail';

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
  /**
   * Which endpoint wait decided the end of the turn ('semantic': complete words that sounded finished;
   * 'backchannel' = words over the agent, not a turn).
   */
  endpoint: 'semantic' | 'short' | 'long' | 'max' | 'backchannel' | 'hangup';
  /**
   * Words of a phone tree, a hold announcement, a voicemail greeting or a screening assistant, not of a person in
   * conversation: kept in the transcript, never in the history the LLM reads, never a source of facts.
   */
  situation?: Situation | undefined;
  /**
   * Recorded after turns that followed it: the late words of a turn committed before any came (its seq is its
   * place). Nothing that came after it answers it.
   */
  late?: true;
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
  /** Keys the agent pressed (each press of one or more digits counts once). */
  keyPresses: number;
  /** Time spent on hold, in ms (media time). */
  holdMs: number;
  /** The last utterance before hang-up played completely (its final mark came back). */
  goodbyeCompleted: boolean;
  /** Early (speculative) LLM requests started before the caller's turn ended: at a final or at a pause. */
  earlyReplies: number;
  /** ... of which the turn adopted (its words matched); the rest were extra requests. */
  earlyRepliesAdopted: number;
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
    keyPresses: 0,
    holdMs: 0,
    goodbyeCompleted: false,
    earlyReplies: 0,
    earlyRepliesAdopted: 0,
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
  /** What the call came to (machines/outcomes.ts). */
  outcome: CallOutcome;
  /** Keys the agent pressed, one entry per press, in order. */
  keys: string[];
  refusals: Refusal[];
  callback: CallbackRequest | undefined;
}

export interface CallDtmfEvent {
  type: 'call.dtmf';
  callId: string;
  digit: string;
}

/** The gym refused a topic (REPLY.REFUSED), as it happened: stored at once, never asked again. */
export interface RefusalLedger {
  type: 'ledger.refusal';
  callId: string;
  refusal: Refusal;
}

/** The gym asked to be called back (REPLY.CALLBACK), as it happened (a later request replaces it). */
export interface CallbackLedger {
  type: 'ledger.callback';
  callId: string;
  request: CallbackRequest;
}

/** Front desk: a caller's message for the staff (REPLY.MESSAGE), stored at once. Personal data: never logged. */
export interface MessageLedger {
  type: 'ledger.message';
  callId: string;
  message: DeskMessage;
}

/** Front desk: the transfer to the staff, as Twilio answered the redirect (`to` null: no staff number set). */
export interface TransferLedger {
  type: 'ledger.transfer';
  callId: string;
  to: string | null;
  status: 'dialling' | 'failed';
}

/** A phone tree's keys reached a person: remember them for the next call to this number (IvrPathStore.save). */
export interface CallIvrPathEvent {
  type: 'call.ivrPath';
  callId: string;
  path: IvrStep[];
}

/** Something went wrong that did not end the call (non-fatal ASR error, hang-up actor failure...). */
export interface CallWarningEvent {
  type: 'call.warning';
  callId: string;
  message: string;
}

export type CallEmitted =
  | AgentTurnLedger
  | CallerTurnLedger
  | FactsLedger
  | RefusalLedger
  | CallbackLedger
  | MessageLedger
  | TransferLedger
  | CallEndedEvent
  | CallDtmfEvent
  | CallIvrPathEvent
  | CallWarningEvent;

export interface CallOutput {
  reason: EndReason;
  outcome: CallOutcome;
  facts: GymFacts;
  metrics: CallMetrics;
}
