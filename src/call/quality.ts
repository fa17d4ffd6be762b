import { emptyCallMetrics, type CallEmitted, type CallEndedEvent, type CallMetrics } from '../../machines/events.js';
import { questionTopics } from '../../machines/text.js';
import { answeredTopics, emptyFacts, type GymFacts, type Topic } from '../facts/model.js';
import type { TurnLatency } from '../db/recorder.js';
import type { ReplyLatency } from './observer.js';

// What a call looked like from the outside, measured independently of the machine's own counters where that is
// possible: response gaps (caller's end of turn → first agent audio frame sent), server-added time (the reply was
// requested → first frame sent) and repeated questions (a question about a topic already answered, found in the
// agent's words, not trusted from the machine's guard). Feeds the call summary, the demo JSON and the suite.

export interface TranscriptLine {
  speaker: 'agent' | 'caller';
  text: string;
  heard: string;
  interrupted: boolean;
  startMs: number | null;
  endMs: number | null;
}

export interface CallResult {
  callId: string;
  endReason: string;
  facts: GymFacts;
  transcript: TranscriptLine[];
  metrics: CallMetrics & { repeatedQuestions: number };
  /** Per caller turn: caller end of speech → first agent audio frame sent (media time, ms). */
  responseGapsMs: number[];
  /** Per reply: reply requested (end-of-turn decision) → first agent audio frame sent (ms). */
  serverAddedMs: number[];
  /** The same minus the providers' own waits (LLM first chunk, TTS first audio): what this server adds itself. */
  serverOwnMs: number[];
  /** Per reply, where the server-added time went (benchmarks and the latency doc). */
  serverStagesMs: ServerStages[];
  durationMs: number;
  error: string | undefined;
}

/**
 * Consecutive stages of one reply's server-added time (ms); they sum to it. A stage that did not happen (a reply
 * spoken without a TTS request, e.g. a holding line) is 0.
 */
export interface ServerStages {
  /** Reply requested → first LLM chunk: the LLM request's round trip (provider wait). */
  llm: number;
  /** First LLM chunk → first TTS request: reply actor, sentence splitter, machine, speaker command. */
  toTts: number;
  /** TTS request → first checked audio bytes: the TTS request's round trip (provider wait). */
  tts: number;
  /** First audio bytes → first media frame sent: speaker hand-off, resample, μ-law, pacer, socket write. */
  toFrame: number;
}

const NO_METRICS: CallMetrics = emptyCallMetrics();

/** Topics an agent text asks about: its sentences that end with a question mark and name a topic. */
export function topicsAskedIn(text: string): Topic[] {
  const out = new Set<Topic>();
  for (const sentence of text.match(/[^.!?]*\?/g) ?? []) for (const t of questionTopics(sentence)) out.add(t);
  return [...out];
}

export class CallQuality {
  readonly #transcript: TranscriptLine[] = [];
  readonly #gaps: number[] = [];
  readonly #serverAdded: number[] = [];
  readonly #serverOwn: number[] = [];
  readonly #stages: ServerStages[] = [];
  // Time stamps (performance.now()) of the reply being measured.
  #llmAt: number | undefined;
  #ttsPending: { id: string; at: number } | undefined;
  #ttsAt: number | undefined;
  readonly #startedAt = performance.now();
  #facts: GymFacts = emptyFacts();
  #repeated = 0;
  #replyRequestedAt: number | undefined;
  #callerEndMs: number | undefined;
  #pendingLatency: TurnLatency | undefined;

  constructor(
    readonly callId: string,
    private readonly nowMs: () => number,
    /** Each reply's latency as its first frame leaves (the live monitor). */
    private readonly onReply?: (l: ReplyLatency) => void,
  ) {}

  replyRequested(): void {
    if (this.#replyRequestedAt !== undefined) return;
    this.#replyRequestedAt = performance.now();
    this.#llmAt = undefined;
    this.#ttsPending = undefined;
    this.#ttsAt = undefined;
  }

  llmFirstChunk(): void {
    if (this.#replyRequestedAt !== undefined && this.#llmAt === undefined) this.#llmAt = performance.now();
  }

  synthRequested(id: string): void {
    if (this.#replyRequestedAt !== undefined && this.#ttsPending === undefined)
      this.#ttsPending = { id, at: performance.now() };
  }

  synthResolved(id: string): void {
    if (this.#ttsPending?.id === id && this.#ttsAt === undefined) this.#ttsAt = performance.now();
  }

  /** The first frame of an utterance left; returns the server-added time when it answers a request. */
  firstAudio(): number | undefined {
    const now = this.nowMs();
    let added: number | undefined;
    let stages: ServerStages | undefined;
    const latency: TurnLatency = {};
    if (this.#replyRequestedAt !== undefined) {
      const at = performance.now();
      added = at - this.#replyRequestedAt;
      stages = this.#stagesUntil(at);
      this.#serverAdded.push(added);
      this.#stages.push(stages);
      this.#serverOwn.push(Math.max(0, added - stages.llm - stages.tts));
      latency['endOfTurnToFirstAudioMs'] = Math.round(added);
      this.#replyRequestedAt = undefined;
    }
    if (this.#callerEndMs !== undefined) {
      const gap = Math.max(0, now - this.#callerEndMs);
      this.#gaps.push(gap);
      latency['responseGapMs'] = Math.round(gap);
      this.#callerEndMs = undefined;
    }
    if (Object.keys(latency).length > 0) {
      this.#pendingLatency = { ...this.#pendingLatency, ...latency };
      this.onReply?.({
        responseGapMs: latency['responseGapMs'] ?? undefined,
        endOfTurnToFirstAudioMs: latency['endOfTurnToFirstAudioMs'] ?? undefined,
        stages,
      });
    }
    return added;
  }

  // Missing stamps (no LLM chunk before the audio, no TTS request of this reply) collapse their stage to 0.
  #stagesUntil(frameAt: number): ServerStages {
    const t0 = this.#replyRequestedAt ?? frameAt;
    const llmAt = Math.min(this.#llmAt ?? t0, frameAt);
    const ttsReqAt = Math.min(Math.max(this.#ttsPending?.at ?? llmAt, llmAt), frameAt);
    const ttsAt = Math.min(Math.max(this.#ttsAt ?? ttsReqAt, ttsReqAt), frameAt);
    return { llm: llmAt - t0, toTts: ttsReqAt - llmAt, tts: ttsAt - ttsReqAt, toFrame: frameAt - ttsAt };
  }

  /** Latency figures measured for the agent turn being recorded now. */
  latencyOf(_seq: number): TurnLatency | undefined {
    const l = this.#pendingLatency;
    this.#pendingLatency = undefined;
    return l;
  }

  emitted(e: CallEmitted): void {
    switch (e.type) {
      case 'ledger.agentTurn': {
        const answered = answeredTopics(this.#facts);
        this.#repeated += topicsAskedIn(e.text).filter((t) => answered.has(t)).length;
        this.#transcript.push({
          speaker: 'agent',
          text: e.text,
          heard: e.heardText,
          interrupted: e.interrupted,
          startMs: e.startMs ?? null,
          endMs: e.endMs ?? null,
        });
        return;
      }
      case 'ledger.callerTurn':
        if (e.endpoint === 'backchannel' || e.text.trim() === '') return;
        // A reply to this turn is the next agent audio; its gap starts at the caller's last word.
        this.#callerEndMs = e.endMs;
        this.#transcript.push({
          speaker: 'caller',
          text: e.text,
          heard: e.text,
          interrupted: false,
          startMs: e.startMs ?? null,
          endMs: e.endMs ?? null,
        });
        return;
      case 'ledger.facts':
        this.#facts = e.facts;
        return;
      default:
        return;
    }
  }

  result(endReason: string, ended: CallEndedEvent | undefined, error: Error | undefined): CallResult {
    return {
      callId: this.callId,
      endReason,
      facts: ended?.facts ?? this.#facts,
      transcript: [...this.#transcript].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0)),
      metrics: { ...(ended?.metrics ?? NO_METRICS), repeatedQuestions: this.#repeated },
      responseGapsMs: this.#gaps.map(Math.round),
      serverAddedMs: [...this.#serverAdded],
      serverOwnMs: [...this.#serverOwn],
      serverStagesMs: [...this.#stages],
      durationMs: Math.round(performance.now() - this.#startedAt),
      error: error?.message ?? ended?.error,
    };
  }
}
