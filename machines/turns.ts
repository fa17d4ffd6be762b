import type { Topic } from '../src/facts/model.js';
import type { AsrContext } from '../src/providers/asr/types.js';
import type { AgentTurnLedger, AgentTurnReason, CallerTurnLedger } from './events.js';
import {
  appendHistory,
  callerText,
  cutUtterance,
  emptyCaller,
  pending,
  type CallContext,
  type Utterance,
} from './context.js';
import type { HeardText } from './heard.js';
import { agentTurnLedger, callerTurnLedger, closeAgentTurn } from './ledger.js';
import { asrContextFor, isBackchannelOnly, normalize, questionIn, questionTopics } from './text.js';

// Pure context updates shared by several actions of the machine. Each returns the patch to assign plus what
// to send or emit, so the actions in call.setup.ts stay one-liners around them.

export type Patch = Partial<CallContext>;

/** The context as it is after `patch` (what an action sees of its own update before assigning it). */
export function patched(c: CallContext, patch: Patch): CallContext {
  return { ...c, ...patch };
}

export function beginTurn(c: CallContext, reason: AgentTurnReason): Patch {
  if (c.agentTurn !== undefined) return {};
  const seq = c.seq + 1;
  return { seq, agentTurn: { seq, reason, utterances: [], interrupted: false, askedByReply: [] } };
}

/**
 * Queue a new line. (Lines said again after a false interruption go into the outbox as `resumed` directly, exempt
 * from the duplicate guard: they repeat a cut sentence on purpose.)
 */
export function queueLine(c: CallContext, text: string): Patch {
  return { outbox: [...c.outbox, { text, resumed: false }], lastSaid: normalize(text) };
}

/**
 * Queue a line of the conversation (a reply's sentence, the greeting, a re-introduction, a topic's question): a
 * question in it becomes the one said again when she asks to hear it. The machine's other lines (re-prompts,
 * holding lines, apologies, goodbyes) ask nothing of their own and leave the last question as it was.
 */
export function queueAsking(c: CallContext, text: string): Patch {
  const question = questionIn(text);
  return { ...queueLine(c, text), ...(question === undefined ? {} : { lastQuestion: question }) };
}

export interface Flush {
  patch: Patch;
  says: Array<{ utteranceId: string; text: string }>;
  asrContext: AsrContext | undefined;
}

/** Move the outbox into the current agent turn as queued utterances and produce the SPEAKER.SAY commands. */
export function flushOutbox(c: CallContext, reason: AgentTurnReason): Flush {
  if (c.outbox.length === 0) return { patch: {}, says: [], asrContext: undefined };
  const begun = beginTurn(c, reason);
  const turn = begun.agentTurn ?? c.agentTurn;
  if (turn === undefined) throw new Error('flushOutbox: no agent turn');
  let n = c.utteranceSeq;
  let asrContext: AsrContext | undefined;
  const fresh: Utterance[] = c.outbox.map(({ text, resumed }) => {
    n += 1;
    const topics = questionTopics(text);
    if (topics.length > 0 || /\?\s*$/.test(text)) asrContext = asrContextFor(topics, text);
    return {
      id: `${c.callId}:u${n}`,
      text,
      status: 'queued',
      heard: '',
      startMs: undefined,
      endMs: undefined,
      durationMs: undefined,
      topics,
      resumed,
    };
  });
  return {
    patch: {
      ...begun,
      agentTurn: { ...turn, utterances: [...turn.utterances, ...fresh] },
      outbox: [],
      utteranceSeq: n,
    },
    says: fresh.map((u) => ({ utteranceId: u.id, text: u.text })),
    asrContext,
  };
}

export function updateUtterance(c: CallContext, id: string, f: (u: Utterance) => Utterance): Patch {
  const turn = c.agentTurn;
  if (turn === undefined) return {};
  return { agentTurn: { ...turn, utterances: turn.utterances.map((u) => (u.id === id ? f(u) : u)) } };
}

/** An utterance played: the caller heard all of it and its question topics now count as asked. */
export function markPlayed(c: CallContext, id: string, atMs: number): Patch {
  const u = c.agentTurn?.utterances.find((v) => v.id === id);
  const asked = u === undefined ? c.asked : union(c.asked, u.topics);
  return { ...updateUtterance(c, id, (v) => ({ ...v, status: 'played', heard: v.text, endMs: atMs })), asked };
}

/**
 * Stop everything pending: the playing utterance is cut where its last mark was, queued ones never started.
 * Returns the lines to say again if the interruption proves false (cut one first, then the never-started ones).
 */
export function cutPending(
  c: CallContext,
  atMs: number | undefined,
  heard: HeardText,
): { patch: Patch; unplayed: string[] } {
  const turn = c.agentTurn;
  const open = pending(c);
  if (turn === undefined || open.length === 0) return { patch: {}, unplayed: [] };
  const ids = new Set(open.map((u) => u.id));
  const utterances = turn.utterances.map((u) => (ids.has(u.id) ? cutUtterance(u, heard, atMs) : u));
  return { patch: { agentTurn: { ...turn, utterances, interrupted: true } }, unplayed: open.map((u) => u.text) };
}

/** Close the agent turn: ledger event, history as heard, LLM-reported questions count as asked. */
export function finishTurn(
  c: CallContext,
  interrupted: boolean,
  heard: HeardText,
): { patch: Patch; ledger: AgentTurnLedger | undefined } {
  const turn = c.agentTurn;
  const reset: Patch = { agentTurn: undefined, outbox: [], cutText: undefined, holdingSaid: false };
  if (turn === undefined) return { patch: reset, ledger: undefined };
  const closed = closeAgentTurn(turn, interrupted, heard);
  if (closed.utterances.length === 0) return { patch: reset, ledger: undefined };
  const ledger = agentTurnLedger(c.callId, closed);
  const asked = closed.interrupted ? c.asked : union(c.asked, closed.askedByReply);
  const history =
    ledger.heardText.length > 0 || ledger.interrupted
      ? appendHistory(c.history, { speaker: 'agent', text: ledger.heardText, interrupted: ledger.interrupted })
      : c.history;
  return { patch: { ...reset, asked, history }, ledger };
}

/** Record the caller's words as a turn (or as a backchannel that never took the turn). */
export function commitCaller(
  c: CallContext,
  endpoint: CallerTurnLedger['endpoint'],
  silenceAtMs: number | undefined,
): { patch: Patch; ledger: CallerTurnLedger | undefined } {
  const text = callerText(c);
  // A turn ends at its silence even before its words came (the greeting after her hello, its final still
  // decoding): words of audio before it that arrive later are that turn's, not the answer to what we say next.
  const committedToMs = silenceAtMs ?? c.committedToMs;
  if (text.trim().length === 0) {
    const onset = c.voiceOnsetMs;
    // Her voice was heard since the turn before: its words are still to come, and its place is kept for them.
    const voiced =
      silenceAtMs !== undefined &&
      onset !== undefined &&
      onset >= (c.committedToMs ?? -Infinity) &&
      onset < silenceAtMs;
    if (!voiced) return { patch: { caller: emptyCaller(), committedToMs }, ledger: undefined };
    const unheardTurn = { seq: c.seq + 1, endpoint, fromMs: onset, toMs: silenceAtMs, text: '' };
    return { patch: { seq: unheardTurn.seq, caller: emptyCaller(), committedToMs, unheardTurn }, ledger: undefined };
  }
  const seq = c.seq + 1;
  const ledger = callerTurnLedger(c, seq, endpoint, silenceAtMs);
  const history = endpoint === 'backchannel' ? c.history : appendHistory(c.history, { speaker: 'caller', text });
  return { patch: { seq, caller: emptyCaller(), history, committedToMs }, ledger };
}

/** At the end of an agent turn, words that were only "uh-huh" over the agent are not the caller's next turn. */
export function dropBackchannels(c: CallContext): { patch: Patch; ledger: CallerTurnLedger | undefined } {
  if (!isBackchannelOnly(callerText(c))) return { patch: {}, ledger: undefined };
  return commitCaller(c, 'backchannel', undefined);
}

export function union(a: readonly Topic[], b: readonly Topic[]): Topic[] {
  return [...new Set([...a, ...b])];
}

/**
 * The call is ending: close whatever agent turn is open (interrupted if audio was still pending) and commit whatever
 * the caller had said, so both reach the ledger before the call ends.
 */
export function closeOpenTurns(
  c: CallContext,
  heard: HeardText,
): {
  patch: Patch;
  ledgers: Array<AgentTurnLedger | CallerTurnLedger>;
} {
  const f = finishTurn(c, pending(c).length > 0, heard);
  const after = patched(c, f.patch);
  const r = commitCaller(after, 'hangup', after.lastSilenceMs);
  const ledgers = [f.ledger, r.ledger].filter((l): l is AgentTurnLedger | CallerTurnLedger => l !== undefined);
  return { patch: { ...f.patch, ...r.patch }, ledgers };
}
