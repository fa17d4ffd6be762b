import { DEFAULT_TIMING } from '../../machines/timing.js';
import { CallSession, type SessionDeps } from '../../src/call/session.js';
import type { CallResult } from '../../src/call/quality.js';
import type { CallRecorder } from '../../src/db/recorder.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import type { ConversationInput, FactsOnlyInput, LlmChunk, LlmProvider } from '../../src/providers/llm/types.js';
import type { AsrStreamEvent, AsrProvider, AsrStream } from '../../src/providers/asr/types.js';
import type { Logger } from '../../src/log.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import type { OutboundPlayer, PlayerListener, UtteranceAudio } from '../../src/telephony/outbound-player.js';
import { MockTts } from './tts-prefetch-helpers.js';
import { waitFor } from '../support/wait.js';

// A real CallSession (real call machine, reply/speaker/asr actors) over scripted providers and a fake transport,
// driven in real time by VAD edges and recogniser events, for the wrap-up tests.

/** A recogniser whose results the test sends. */
export class ScriptedAsr implements AsrProvider {
  readonly name = 'scripted-asr';
  readonly capabilities = {
    interimResults: true,
    utteranceEnd: false,
    vadEvents: false,
    finalize: true,
    contextHints: false,
    confidence: true,
  };
  #onEvent: ((e: AsrStreamEvent) => void) | undefined;
  /** finalize() calls (the machine asks for the final of words in flight, e.g. when the caller hangs up). */
  finalizes = 0;
  open(opts: { onEvent(e: AsrStreamEvent): void }): Promise<AsrStream> {
    this.#onEvent = opts.onEvent;
    return Promise.resolve({
      push() {},
      finalize: () => void this.finalizes++,
      close: () => Promise.resolve(),
    });
  }
  emit(e: AsrStreamEvent): void {
    this.#onEvent?.(e);
  }
}

/** Plays every utterance at once (`hold` = false) or keeps it playing until `release()` (the agent is speaking). */
export class ScriptedPlayer {
  listener: PlayerListener = {};
  hold = false;
  readonly said: string[] = [];
  readonly #held: string[] = [];
  enqueue(a: UtteranceAudio): void {
    this.said.push(a.text);
    this.listener.started?.(a.utteranceId, a.text);
    void (async () => {
      try {
        for await (const _ of a.chunks); // read the audio like the real player
      } catch {
        return; // aborted (the call ended, a barge-in): never played, as with the real player
      }
      if (this.hold) this.#held.push(a.utteranceId);
      else this.listener.played?.(a.utteranceId);
    })();
  }
  release(): void {
    for (const id of this.#held.splice(0)) this.listener.played?.(id);
  }
  clear() {
    return { interrupted: undefined, cancelled: [], droppedMs: 0 };
  }
}

export type RecorderCall = [method: string, arg: unknown];

/** A recorder that keeps every call in order (the database path is tested in wrap-up-db.test.ts). */
export function listRecorder(): { recorder: CallRecorder; calls: RecorderCall[] } {
  const calls: RecorderCall[] = [];
  const ok = (method: string) => (arg: unknown) => {
    calls.push([method, arg]);
    return Promise.resolve('committed' as const);
  };
  const ledger = {
    agentTurn: ok('agentTurn'),
    callerTurn: ok('callerTurn'),
    facts: ok('facts'),
    ended: ok('ended'),
    status: ok('status'),
  };
  return { recorder: { begin: () => ledger } as unknown as CallRecorder, calls };
}

/**
 * The offline interviewer, counted, and optionally like a cloud LLM whose tool calls come at the end of the
 * stream: `factsLast` yields the reply's text at once and its facts only when `releaseFacts()` is called.
 */
export class CountingLlm implements LlmProvider {
  readonly name = 'counting';
  readonly capabilities = { streaming: true, tools: true };
  readonly inner = new OfflineInterviewer();
  readonly replies: ConversationInput[] = [];
  readonly extractions: FactsOnlyInput[] = [];
  factsLast = false;
  /** Replace the facts-only pass (failures, slowness). */
  extract: ((input: FactsOnlyInput, signal: AbortSignal) => ReturnType<OfflineInterviewer['extractFacts']>) | undefined;
  #release: (() => void) | undefined;

  async *respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    this.replies.push(input);
    const held: LlmChunk[] = [];
    for await (const c of this.inner.respond(input, signal)) {
      if (this.factsLast && (c.type === 'facts' || c.type === 'done')) held.push(c);
      else yield c;
    }
    if (held.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      this.#release = resolve;
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    yield* held;
  }

  releaseFacts(): void {
    this.#release?.();
  }

  extractFacts(input: FactsOnlyInput, signal: AbortSignal) {
    this.extractions.push(input);
    return this.extract ? this.extract(input, signal) : this.inner.extractFacts(input, signal);
  }
}

export interface Harness {
  session: CallSession;
  asr: ScriptedAsr;
  player: ScriptedPlayer;
  llm: CountingLlm;
  states: string[];
  ended: Promise<CallResult>;
  endedAt: () => number | undefined;
  nowMs(): number;
  /** The caller's words: voice, a final, silence (the end-of-turn wait starts). */
  callerSays(text: string): Promise<void>;
  waitForState(part: string, what?: string): Promise<void>;
}

export function startCall(opts: {
  log: Logger;
  recorder: CallRecorder | undefined;
  callId?: string;
  wrapUpTimeoutMs?: number;
  llm?: CountingLlm;
  direction?: 'inbound' | 'outbound';
  /** Instead of the counting mock. */
  tts?: TtsProvider;
  /** Session dependencies added or replaced (a real TTS chain, a flow experiment, a call lookup). */
  deps?: Partial<SessionDeps>;
}): Harness {
  const t0 = performance.now();
  const nowMs = () => Math.round(performance.now() - t0);
  const asr = new ScriptedAsr();
  const player = new ScriptedPlayer();
  const llm = opts.llm ?? new CountingLlm();
  const states: string[] = [];
  let resolveEnded!: (r: CallResult) => void;
  let endedAt: number | undefined;
  const ended = new Promise<CallResult>((r) => (resolveEnded = r));
  const deps: SessionDeps = {
    providers: { asr, llm, tts: opts.tts ?? new MockTts() },
    timing: DEFAULT_TIMING,
    log: opts.log,
    recorder: opts.recorder,
    ttsPrefetch: false,
    ...(opts.wrapUpTimeoutMs !== undefined ? { wrapUpTimeoutMs: opts.wrapUpTimeoutMs } : {}),
    observer: {
      state: (_id, s) => states.push(s),
      ended: (r) => {
        endedAt = performance.now();
        resolveEnded(r);
      },
    },
    ...opts.deps,
  };
  const transport = {
    start: {
      callSid: 'CA00000000000000000000000000000001',
      streamSid: 'MZ1',
      accountSid: 'AC1',
      tracks: ['inbound'],
      customParameters: {
        callId: opts.callId ?? 'wrap-up-call',
        direction: opts.direction ?? 'inbound',
        gymName: 'Quick Fit',
      },
      startedAt: Date.now(),
    },
    player: player as unknown as OutboundPlayer,
    nowMs,
    close: () => undefined,
    log: opts.log,
  };
  const session = new CallSession(transport.start, transport, deps);
  const waitForState = (part: string, what = part) =>
    waitFor(() => (states[states.length - 1] ?? '').includes(part), { what });
  return {
    session,
    asr,
    player,
    llm,
    states,
    ended,
    endedAt: () => endedAt,
    nowMs,
    waitForState,
    async callerSays(text: string) {
      const start = nowMs();
      session.onVad({ kind: 'voice', atMs: start });
      // Longer than VAD_MIN_SPEECH: the machine counts it as speech.
      await new Promise((r) => setTimeout(r, DEFAULT_TIMING.vadMinSpeechMs + 60));
      asr.emit({ type: 'final', text, confidence: 0.9, speechFinal: true, startMs: start, endMs: nowMs() });
      session.onVad({ kind: 'silence', atMs: nowMs() });
    },
  };
}
