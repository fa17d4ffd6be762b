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

/** One reply's stamps (performance.now()) as consecutive times, from the request to the first media frame sent. */
export interface ReplyStamps {
  readonly requestedAt: number;
  readonly llmAt: number;
  readonly ttsRequestedAt: number;
  readonly ttsAt: number;
  readonly frameAt: number;
}

/**
 * The stamps a reply took, made consecutive: a missing one (no LLM chunk before the audio, no TTS request of this
 * reply) or one out of order collapses its stage to 0. The call's quality and its trace (src/tracing/) both read
 * the stages this way.
 */
export function replyStamps(
  s: { requestedAt?: number; llmAt?: number; ttsRequestedAt?: number; ttsAt?: number },
  frameAt: number,
): ReplyStamps {
  const requestedAt = Math.min(s.requestedAt ?? frameAt, frameAt);
  const llmAt = Math.min(Math.max(s.llmAt ?? requestedAt, requestedAt), frameAt);
  const ttsRequestedAt = Math.min(Math.max(s.ttsRequestedAt ?? llmAt, llmAt), frameAt);
  const ttsAt = Math.min(Math.max(s.ttsAt ?? ttsRequestedAt, ttsRequestedAt), frameAt);
  return { requestedAt, llmAt, ttsRequestedAt, ttsAt, frameAt };
}

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

  // Each stamp is taken once by the caller (`at`, performance.now()) and given to the trace too (src/call/ports.ts).
  replyRequested(at = performance.now()): void {
    if (this.#replyRequestedAt !== undefined) return;
    this.#replyRequestedAt = at;
    this.#llmAt = undefined;
    this.#ttsPending = undefined;
    this.#ttsAt = undefined;
  }

  llmFirstChunk(at = performance.now()): void {
    if (this.#replyRequestedAt !== undefined && this.#llmAt === undefined) this.#llmAt = at;
  }

  synthRequested(id: string, at = performance.now()): void {
    if (this.#replyRequestedAt !== undefined && this.#ttsPending === undefined) this.#ttsPending = { id, at };
  }

  synthResolved(id: string, at = performance.now()): void {
    if (this.#ttsPending?.id === id && this.#ttsAt === undefined) this.#ttsAt = at;
  }

  /** The first frame of an utterance left; returns the server-added time when it answers a request. */
  firstAudio(at = performance.now()): number | undefined {
    const now = this.nowMs();
    let added: number | undefined;
    let stages: ServerStages | undefined;
    const latency: TurnLatency = {};
    if (this.#replyRequestedAt !== undefined) {
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

  #stagesUntil(frameAt: number): ServerStages {
    const s = replyStamps(
      {
        requestedAt: this.#replyRequestedAt,
        llmAt: this.#llmAt,
        ttsRequestedAt: this.#ttsPending?.at,
        ttsAt: this.#ttsAt,
      },
      frameAt,
    );
    return {
      llm: s.llmAt - s.requestedAt,
      toTts: s.ttsRequestedAt - s.llmAt,
      tts: s.ttsAt - s.ttsRequestedAt,
      toFrame: s.frameAt - s.ttsAt,
    };
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
        // A reply to this turn is the next agent audio; its gap starts at the caller's last word. A late one's
        // reply (the greeting after her hello) is already under way: no gap of its own.
        if (e.late !== true) this.#callerEndMs = e.endMs;
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
