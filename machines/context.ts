import { emptyFacts, missingTopics, answeredTopics, type GymFacts, type Topic } from '../src/facts/model.js';
import { briefTopics, type ConversationBrief, type HistoryTurn } from '../src/providers/llm/types.js';
import type { FlowScript } from '../src/flows/script.js';
import type { Language } from '../src/language/index.js';
import { emptyCallMetrics } from './events.js';
import type {
  AgentTurnReason,
  CallInput,
  CallMetrics,
  CallDirection,
  CallMode,
  EndReason,
  ReplyEvent,
  ReplyInput,
} from './events.js';
import type { HeardText } from './heard.js';
import { noEvidence, type CallerEvidence } from './evidence.js';
import { askable, initialLine, type Line } from './line.js';
import type { TurnTiming } from './timing.js';
import { asksToHearAgain } from './hear-again.js';
import { joinNonBlank, normalize, questionIn, questionTopics } from './text.js';

import { callerText, emptyCaller, type CallerBuffer, type UnheardTurn } from './caller-words.js';

export { joinNonBlank };
export * from './caller-words.js';

// The call's memory. Plain data only (no functions, no class instances) so snapshots serialise for the
// inspector and persistence, and an idle actor stays small.

export interface Utterance {
  id: string;
  text: string;
  status: 'queued' | 'playing' | 'played' | 'cut';
  heard: string;
  startMs: number | undefined;
  endMs: number | undefined;
  durationMs: number | undefined;
  /** Topics this utterance asks about; they count as asked once it has played. */
  topics: Topic[];
  /** A cut utterance said again after a false interruption. */
  resumed: boolean;
}

export interface AgentTurn {
  seq: number;
  reason: AgentTurnReason;
  utterances: Utterance[];
  interrupted: boolean;
  /** Topics the LLM reported asking (REPLY.ASKED) in this turn. */
  askedByReply: Topic[];
}

export interface CallContext {
  callId: string;
  direction: CallDirection;
  gymName: string;
  timing: TurnTiming;
  facts: GymFacts;
  asked: Topic[];
  history: HistoryTurn[];
  /** Turn sequence shared by agent and caller turns. */
  seq: number;
  utteranceSeq: number;
  /** The agent turn in progress (undefined while the caller has the floor). */
  agentTurn: AgentTurn | undefined;
  /** Lines accepted (from the reply or the machine) but not yet sent to the speaker. */
  outbox: Array<{ text: string; resumed: boolean }>;
  /** Normalized text of the last utterance sent or queued (the "never twice in a row" guard). */
  lastSaid: string;
  /** The utterance cut by an unconfirmed interruption, said again if it proves false. */
  cutText: string | undefined;
  /**
   * The agent's last question as it was to be said (history holds what the caller heard of it, which an
   * interruption cuts short): said again when she asks to hear it ("sorry, what was that?").
   */
  lastQuestion: string | undefined;
  caller: CallerBuffer;
  voiceOnsetMs: number | undefined;
  /**
   * The voice stretch before the current one (its onset and silence edges): a recogniser's final often arrives after
   * she has gone on, and its words were said in this one (evidence.ts voiceUnder).
   */
  priorVoice: { fromMs: number; toMs: number } | undefined;
  /**
   * Before the greeting: the onset of a voice as short as a hello that paused into the line sounding (the room's
   * words after it). A second one that stands over a noisy room is a person saying hello again (helloRepeatedNear).
   */
  shortVoiceMs: number | undefined;
  /** Whether sound over the agent is the caller's voice, as the session measures the line (evidence.ts). */
  evidence: CallerEvidence;
  lastSilenceMs: number | undefined;
  /**
   * Where the last committed caller turn's voice ended (its silence edge): a recogniser's final for audio up to
   * there that arrives later is that turn's late words, not the next turn's (isLateWords).
   */
  committedToMs: number | undefined;
  /**
   * A caller turn committed at its silence before any of its words came (the greeting after her hello, a busy
   * recogniser still decoding it): its seq is kept, and its late words are recorded under it, in its place.
   */
  unheardTurn: UnheardTurn | undefined;
  /**
   * How far into the call's audio the recogniser's finals reach (media time), over the whole call: no commit resets
   * it. Finals come in audio order, so a turn whose audio began before it has had its final (C.wordsOwed).
   */
  finalsToMs: number | undefined;
  /** How long before the silence edge arrived the caller's voice had ended (the VAD's hangover); 0 if unknown. */
  silenceHeadStartMs: number;
  /**
   * On a noisy line the recogniser said her words ended while her voice was still held (it lingers ≈ 0.8 s after
   * her last frame): the turn ends when the evidence lets go, not at the recogniser's next utterance end.
   */
  wordsEndedUnderVoice: boolean;
  /**
   * The reply started early (preemptive generation) on the caller's words `text`, and what it has sent so far,
   * held until the turn commits. Meaningful only while the reply region is in generating.preemptive (left stale
   * after an adoption or a cancel: clearing it would cost a snapshot).
   */
  speculation: { text: string; held: ReplyEvent[] } | undefined;
  /** Which endpoint wait ended the caller's turn being committed. */
  endpointKind: 'semantic' | 'short' | 'long' | 'max';
  replySentences: number;
  replyErrors: number;
  holdingSaid: boolean;
  idlePrompts: number;
  endRequested: EndReason | undefined;
  closeReason: EndReason | undefined;
  endReason: EndReason | undefined;
  error: string | undefined;
  socketClosed: boolean;
  metrics: CallMetrics;
  /** Who is on the line beyond the conversation: phone tree, voices met, refusals, callback, outcome (line.ts). */
  line: Line;
  /** The gym's time zone, if known (CallInput.timeZone). */
  timeZone: string | undefined;
  /** A planned call's topics, confirmations and person (CallInput.brief); undefined: every topic. */
  brief: ConversationBrief | undefined;
  /** The recording notice of the greeting, if this call gets one (CallInput.recordingNotice). */
  recordingNotice: string | undefined;
  /** The flow variant this call runs (CallInput.flow); undefined: the built-in flow. */
  flow: FlowScript | undefined;
  /** The language the agent speaks now: the call's own, or the one the person switched to (language.region.ts). */
  language: Language;
  /** Interview or front desk (CallInput.mode). */
  mode: CallMode;
  /** Front desk: the last transfer to the staff failed (the next re-prompt says so and offers a message). */
  transferFailed: boolean;
}

export const HISTORY_MAX = 40;

export function initialContext(input: CallInput): CallContext {
  return {
    callId: input.callId,
    direction: input.direction,
    gymName: input.gymName,
    timing: input.timing,
    facts: emptyFacts(),
    asked: [],
    history: [],
    seq: 0,
    utteranceSeq: 0,
    agentTurn: undefined,
    outbox: [],
    lastSaid: '',
    cutText: undefined,
    lastQuestion: undefined,
    caller: emptyCaller(),
    voiceOnsetMs: undefined,
    priorVoice: undefined,
    shortVoiceMs: undefined,
    evidence: noEvidence,
    lastSilenceMs: undefined,
    committedToMs: undefined,
    unheardTurn: undefined,
    finalsToMs: undefined,
    silenceHeadStartMs: 0,
    wordsEndedUnderVoice: false,
    speculation: undefined,
    endpointKind: 'short',
    replySentences: 0,
    replyErrors: 0,
    holdingSaid: false,
    idlePrompts: 0,
    endRequested: undefined,
    closeReason: undefined,
    endReason: undefined,
    error: undefined,
    socketClosed: false,
    metrics: emptyCallMetrics(),
    line: initialLine(input),
    timeZone: input.timeZone,
    brief: input.brief,
    recordingNotice: input.recordingNotice,
    flow: input.flow,
    language: input.language ?? 'en',
    mode: input.mode ?? 'interview',
    transferFailed: false,
  };
}

export function pending(c: CallContext): Utterance[] {
  return c.agentTurn?.utterances.filter((u) => u.status === 'queued' || u.status === 'playing') ?? [];
}

/**
 * Utterance `u` cut now (`endMs`: when its audio stopped, if known). What the caller heard of one that was playing
 * is what its last echoed mark says, from the speaker's log (machines/heard.ts).
 */
export function cutUtterance(u: Utterance, heard: HeardText, endMs: number | undefined): Utterance {
  if (u.status !== 'playing') return { ...u, status: 'cut', endMs: undefined };
  return { ...u, status: 'cut', heard: heard(u.id) ?? u.heard, endMs };
}

const isOpen = (u: Utterance) => u.status === 'queued' || u.status === 'playing';

/** Utterance `id` of the current agent turn if it is still queued or playing. */
export function pendingUtterance(c: CallContext, id: string): Utterance | undefined {
  return c.agentTurn?.utterances.find((u) => u.id === id && isOpen(u));
}

export function isPendingId(c: CallContext, id: string): boolean {
  return pendingUtterance(c, id) !== undefined;
}

export function hasPending(c: CallContext): boolean {
  return c.agentTurn?.utterances.some(isOpen) ?? false;
}

/** Topics asked or about to be asked (said in this turn and not cut). */
export function askedOrPending(c: CallContext): Set<Topic> {
  const s = new Set<Topic>(c.asked);
  for (const u of pending(c)) for (const t of u.topics) s.add(t);
  return s;
}

export function factsComplete(c: CallContext): boolean {
  return missingTopics(c.facts, briefTopics(c.brief)).length === 0;
}

/**
 * A question for a topic already answered, already asked or refused is never said again. The front desk asks no
 * topic of its caller: its "anything else about our hours?" is an offer, not a repeat.
 */
export function repeatsQuestion(c: CallContext, sentence: string): boolean {
  if (c.mode === 'front-desk') return false;
  const topics = questionTopics(sentence);
  if (topics.length === 0) return false;
  const answered = answeredTopics(c.facts);
  const asked = askedOrPending(c);
  return topics.some((t) => answered.has(t) || asked.has(t) || c.line.refusals.some((r) => r.topic === t));
}

/** The topics still to ask, in the flow's order: missing and not refused. */
function toAsk(c: CallContext): Topic[] {
  const order = c.flow?.topicOrder;
  return askable(c.facts, c.line, briefTopics(c.brief, order), order);
}

/** The next topic worth asking: missing, not refused and not yet asked. */
export function nextTopic(c: CallContext): Topic | undefined {
  const asked = askedOrPending(c);
  return toAsk(c).find((t) => !asked.has(t));
}

/** Every topic is answered or refused: nothing is left to ask. */
export function nothingLeftToAsk(c: CallContext): boolean {
  return askable(c.facts, c.line, briefTopics(c.brief)).length === 0;
}

/**
 * The caller's turn asked to hear the agent again and `sentence` asks its last question again (the same words, or
 * the same topics in other words, as an LLM puts it): not a repeat to guard against. Once per turn.
 */
export function asksAgainAsked(c: CallContext, sentence: string): boolean {
  const question = openQuestion(c);
  const last = c.history.at(-1);
  if (question === undefined || last?.speaker !== 'caller' || !asksToHearAgain(last.text)) return false;
  const asking = (text: string): boolean => questionIn(text) !== undefined;
  const again =
    (c.agentTurn?.utterances.some((u) => u.status !== 'cut' && asking(u.text)) ?? false) ||
    c.outbox.some((o) => asking(o.text));
  if (again) return false;
  if (normalize(sentence) === normalize(question)) return true;
  const was = questionTopics(question);
  const now = questionTopics(sentence);
  return now.length > 0 && now.every((t) => was.includes(t));
}

/** The last question, unless what it asks has been answered or refused since: that one is not asked again. */
export function openQuestion(c: CallContext): string | undefined {
  const q = c.lastQuestion;
  if (q === undefined) return undefined;
  const answered = answeredTopics(c.facts);
  const closed = questionTopics(q).some((t) => answered.has(t) || c.line.refusals.some((r) => r.topic === t));
  return closed ? undefined : q;
}

export function isDuplicate(c: CallContext, sentence: string): boolean {
  return normalize(sentence) === c.lastSaid;
}

/** The topic the agent asked most recently (for re-prompts). */
export function lastTopic(c: CallContext): Topic | undefined {
  return c.asked[c.asked.length - 1];
}

export function replyInput(c: CallContext): ReplyInput {
  return {
    callId: c.callId,
    gymName: c.gymName,
    direction: c.direction,
    facts: c.facts,
    // Refused topics are not missing any more as far as the conversation goes: they are never asked again.
    missing: toAsk(c),
    refused: c.line.refusals.map((r) => r.topic),
    awaitingTransfer: c.line.transferPending,
    lastQuestion: openQuestion(c),
    timeZone: c.timeZone,
    brief: c.brief,
    flow: c.flow,
    language: c.language,
    // Shared, not copied: the machine never changes an array in place (every update builds a new one).
    asked: c.asked,
    history: c.history,
    reason: 'reply',
  };
}

/** Input of a reply started before the end of the turn: the conversation as it will be once the turn commits. */
export function speculativeInput(c: CallContext): ReplyInput {
  const text = callerText(c);
  return { ...replyInput({ ...c, history: appendHistory(c.history, { speaker: 'caller', text }) }), speculative: true };
}

/** Goodbye fallback wait: what is still queued (reported duration, else an estimate) plus the margin. */
export function remainingSpeechMs(c: CallContext, estimate: (text: string) => number): number {
  let ms = 0;
  for (const u of pending(c)) ms += u.durationMs ?? estimate(u.text);
  return ms + c.timing.goodbyeMarginMs;
}

export function appendHistory(history: HistoryTurn[], turn: HistoryTurn): HistoryTurn[] {
  const next = [...history, turn];
  return next.length > HISTORY_MAX ? next.slice(next.length - HISTORY_MAX) : next;
}
