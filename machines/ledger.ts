import type { AgentTurnLedger, CallerTurnLedger, CallEndedEvent, CallOutput, LedgerUtterance } from './events.js';
import type { AgentTurn, CallContext, Utterance } from './context.js';
import { callerText, cutUtterance } from './context.js';
import { outcomeOf } from './line.js';
import type { HeardText } from './heard.js';

// Pure builders for the emitted ledger events. The machine decides *when* a turn ends; these decide *what* is
// recorded, so persistence gets the same shape whichever way a turn ended (played, cut, hang-up).

function ledgerUtterance(u: Utterance): LedgerUtterance {
  const status = u.status === 'played' ? 'played' : u.status === 'cut' ? 'cut' : 'unplayed';
  return { utteranceId: u.id, text: u.text, heardText: u.heard, status, startMs: u.startMs, endMs: u.endMs };
}

/**
 * Close an agent turn: anything not played by now was cut (if it had started) or never heard. A cut utterance
 * that was said again after a false interruption is left out of the heard text, so history reads as heard.
 */
export function closeAgentTurn(turn: AgentTurn, interrupted: boolean, heard: HeardText): AgentTurn {
  // Their end time stays unknown: nothing says when the audio stopped (a hang-up, a reply abandoned).
  const utterances = turn.utterances.map((u) =>
    u.status === 'queued' || u.status === 'playing' ? cutUtterance(u, heard, u.endMs) : u,
  );
  return { ...turn, utterances, interrupted: turn.interrupted || interrupted };
}

export function agentTurnLedger(callId: string, turn: AgentTurn): AgentTurnLedger {
  const utterances = turn.utterances.map(ledgerUtterance);
  const heard = turn.utterances
    .filter((u, i) => !(u.status === 'cut' && turn.utterances.slice(i + 1).some((v) => v.resumed && v.text === u.text)))
    .map((u) => u.heard)
    .filter((h) => h.length > 0);
  const starts = turn.utterances.map((u) => u.startMs).filter((v): v is number => v !== undefined);
  const ends = turn.utterances.map((u) => u.endMs).filter((v): v is number => v !== undefined);
  return {
    type: 'ledger.agentTurn',
    callId,
    seq: turn.seq,
    reason: turn.reason,
    text: turn.utterances.map((u) => u.text).join(' '),
    heardText: heard.join(' '),
    interrupted: turn.interrupted,
    startMs: starts.length > 0 ? Math.min(...starts) : undefined,
    endMs: ends.length > 0 ? Math.max(...ends) : undefined,
    utterances,
  };
}

export function callerTurnLedger(
  c: CallContext,
  seq: number,
  endpoint: CallerTurnLedger['endpoint'],
  silenceAtMs: number | undefined,
): CallerTurnLedger {
  const b = c.caller;
  return {
    type: 'ledger.callerTurn',
    callId: c.callId,
    seq,
    text: callerText(c),
    confidence: b.finalsCount > 0 ? b.confidenceSum / b.finalsCount : 0,
    startMs: b.startMs ?? c.voiceOnsetMs,
    endMs: b.endMs ?? silenceAtMs,
    endpoint,
  };
}

export function endedEvent(c: CallContext): CallEndedEvent {
  return {
    type: 'call.ended',
    callId: c.callId,
    reason: c.endReason ?? 'error',
    socketClosed: c.socketClosed,
    facts: c.facts,
    metrics: { ...c.metrics },
    error: c.error,
    outcome: outcomeOf(c),
    keys: c.line.keys,
    refusals: c.line.refusals,
    callback: c.line.callback,
  };
}

export function callOutput(c: CallContext): CallOutput {
  return { reason: c.endReason ?? 'error', outcome: outcomeOf(c), facts: c.facts, metrics: { ...c.metrics } };
}
