import type { AgentTurnLedger, CallerTurnLedger } from '../../machines/events.js';
import { replyStamps } from '../call/quality.js';
import { stageRecord, type Attributes, type SpanRecord } from './records.js';

// One agent turn of a call as its trace shows it. The turn collects what is done for the agent's next turn (the
// end-of-turn decision, the LLM and TTS requests, speculative ones included) until the machine closes the turn
// (ledger.agentTurn); then its span is written with the latency stages as children, measured by the stamps the
// call takes anyway and cut into stages exactly as CallQuality cuts them (replyStamps):
//
//   asr_final         the audio of the caller's last word arrived → the recogniser's final of it arrived
//   llm_first_token   the caller's turn ended (the reply was asked for) → the first chunk of the reply
//   tts_first_byte    the turn's first sentence was sent to TTS → its first audio bytes
//   first_frame       those bytes → the turn's first media frame sent to Twilio
//
// The turn span runs from the earliest of these (or of its requests) to the end of the agent turn.

/** A recogniser final: when it arrived, and since when its last word was heard (if the recogniser says). */
export interface FinalStamp {
  readonly at: number;
  readonly latencyMs: number | undefined;
}

/** The caller's turn an agent turn answers. */
export interface AnsweredTurn {
  readonly final: FinalStamp | undefined;
  readonly endpoint: CallerTurnLedger['endpoint'];
}

/** Stamps of one utterance: its synthesis requested / resolved, its first frame sent. */
export interface UtteranceStamps {
  synthAt?: number;
  resolvedAt?: number;
  frameAt?: number;
}

/** Requests kept per turn; beyond that they are counted (turn.dropped_spans), never held. */
export const MAX_TURN_CHILDREN = 64;

export class TurnRecord {
  readonly opened: number;
  decidedAt: number | undefined;
  llmAt: number | undefined;
  readonly children: SpanRecord[] = [];
  dropped = 0;
  /** Requests of this turn still running. */
  running = 0;
  closed:
    { at: number; ledger: AgentTurnLedger; answered: AnsweredTurn | undefined; first: UtteranceStamps } | undefined;

  constructor(opened: number) {
    this.opened = opened;
  }

  decided(at: number): void {
    this.decidedAt ??= at;
  }

  firstChunk(at: number): void {
    if (this.decidedAt !== undefined) this.llmAt ??= at;
  }

  /** A request of this turn started; false when the turn holds too many (its span is then not written). */
  adopt(rec: SpanRecord): boolean {
    if (this.children.length >= MAX_TURN_CHILDREN) {
      this.dropped++;
      return false;
    }
    this.children.push(rec);
    this.running++;
    return true;
  }
}

/** The first synthesis request (with its resolution) and the first frame among a turn's utterances. */
export function firstOf(stamps: readonly UtteranceStamps[]): UtteranceStamps {
  let synth: UtteranceStamps | undefined;
  let frameAt: number | undefined;
  for (const s of stamps) {
    if (s.synthAt !== undefined && (synth?.synthAt === undefined || s.synthAt < synth.synthAt)) synth = s;
    if (s.frameAt !== undefined && (frameAt === undefined || s.frameAt < frameAt)) frameAt = s.frameAt;
  }
  return { synthAt: synth?.synthAt, resolvedAt: synth?.resolvedAt, frameAt };
}

/** The latency-stage spans of a closed turn, and the end-of-turn-to-first-audio figure when it has one. */
export function stageSpans(t: TurnRecord): { stages: SpanRecord[]; endOfTurnToFirstAudioMs: number | undefined } {
  const stages: SpanRecord[] = [];
  const final = t.closed?.answered?.final;
  if (final?.latencyMs !== undefined) stages.push(stageRecord('asr_final', final.at - final.latencyMs, final.at));
  const first = t.closed?.first ?? {};
  const { frameAt } = first;
  if (frameAt === undefined) {
    // Nothing was heard (cut before its audio, the call ended): the stages that completed.
    if (t.decidedAt !== undefined && t.llmAt !== undefined)
      stages.push(stageRecord('llm_first_token', t.decidedAt, t.llmAt));
    if (first.synthAt !== undefined && first.resolvedAt !== undefined)
      stages.push(stageRecord('tts_first_byte', first.synthAt, first.resolvedAt));
    return { stages, endOfTurnToFirstAudioMs: undefined };
  }
  const s = replyStamps(
    {
      requestedAt: t.decidedAt ?? first.synthAt,
      llmAt: t.decidedAt === undefined ? undefined : t.llmAt,
      ttsRequestedAt: first.synthAt,
      ttsAt: first.resolvedAt,
    },
    frameAt,
  );
  // A stage without its stamps (a line said without asking the LLM) is left out, not shown as zero.
  if (t.decidedAt !== undefined && t.llmAt !== undefined)
    stages.push(stageRecord('llm_first_token', s.requestedAt, s.llmAt));
  if (first.synthAt !== undefined) stages.push(stageRecord('tts_first_byte', s.ttsRequestedAt, s.ttsAt));
  stages.push(stageRecord('first_frame', s.ttsAt, s.frameAt));
  return { stages, endOfTurnToFirstAudioMs: t.decidedAt === undefined ? undefined : frameAt - t.decidedAt };
}

/** The turn's own span (times and attributes) around its stages and requests. */
export function turnSpan(t: TurnRecord, stages: readonly SpanRecord[], eotMs: number | undefined): SpanRecord {
  const all = [...stages, ...t.children];
  const closedAt = t.closed?.at ?? t.opened;
  const start = Math.min(t.opened, t.decidedAt ?? Infinity, ...all.map((r) => r.start));
  const end = Math.max(closedAt, ...all.map((r) => r.end ?? closedAt));
  const l = t.closed?.ledger;
  const attributes: Attributes = {};
  if (l !== undefined) {
    attributes['turn.seq'] = l.seq;
    attributes['turn.reason'] = l.reason;
    attributes['turn.interrupted'] = l.interrupted;
    attributes['turn.utterances'] = l.utterances.length;
  }
  const answered = t.closed?.answered;
  if (answered !== undefined) attributes['turn.caller_endpoint'] = answered.endpoint;
  if (eotMs !== undefined) attributes['turn.end_of_turn_to_first_audio_ms'] = Math.round(eotMs);
  if (t.dropped > 0) attributes['turn.dropped_spans'] = t.dropped;
  return { name: 'turn', kind: 'internal', start, end, attributes, events: [], error: undefined };
}
