import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type HrTime,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { AgentTurnLedger, CallEmitted } from '../../machines/events.js';
import type { HangupPort } from '../call/hangup-actor.js';
import type { AsrProvider } from '../providers/asr/types.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { KeypadPort } from '../telephony/keypad/types.js';
import type { CallEnd, CallInfo, CallTrace } from './call-trace.js';
import { tracedAsr, tracedHangup, tracedKeypad, tracedLlm, tracedTts, type RequestSource } from './provider-spans.js';
import { describeError, RequestSpan, type Attributes, type SpanRecord } from './records.js';
import {
  firstOf,
  stageSpans,
  TurnRecord,
  turnSpan,
  type AnsweredTurn,
  type FinalStamp,
  type UtteranceStamps,
} from './turn.js';

// A call's trace when tracing is on: the root span `call` opens with the call; each agent turn is written as a
// `turn` span once the machine closes it and its requests have ended; requests that belong to no turn (the
// recogniser's session, the hang-up, the wrap-up's facts pass) go under the root as they end. At the end of the
// call, work still running gets END_GRACE_MS, then every span still open is ended (provider.status unfinished)
// and the root closes, so a call that fails or is hung up mid-turn leaves nothing open.

const END_GRACE_MS = 2000;
/** Utterances whose stamps are held at once (a turn has a handful; a runaway machine must not grow this). */
const MAX_UTTERANCES = 256;

export class SpanCallTrace implements CallTrace, RequestSource {
  readonly recording = true;
  readonly #tracer: Tracer;
  readonly #root: Span;
  readonly #ctx: Context;
  readonly #onDone: (t: SpanCallTrace) => void;
  readonly #graceMs: number;
  /** The agent turn being prepared or spoken. */
  #turn: TurnRecord | undefined;
  /** Turns the machine closed whose requests still run. */
  readonly #closing = new Set<TurnRecord>();
  readonly #running = new Set<RequestSpan>();
  readonly #utterances = new Map<string, UtteranceStamps>();
  #final: FinalStamp | undefined;
  #answered: AnsweredTurn | undefined;
  #ending: { at: number; end: CallEnd; timer: NodeJS.Timeout | undefined } | undefined;
  #done = false;
  /** The latest end of anything written: the root ends no earlier. */
  #lastEnd: number;
  /**
   * Wall clock minus the monotonic clock, taken once for the call: every time of its spans is converted with it, so
   * their order is the order of the stamps (the SDK converts each span's times with an offset of its own, which
   * differs from span to span by up to a millisecond and can put a child outside its parent).
   */
  readonly #epochOffsetMs = Date.now() - (performance.timeOrigin + performance.now());

  constructor(tracer: Tracer, info: CallInfo, onDone: (t: SpanCallTrace) => void, graceMs = END_GRACE_MS) {
    this.#tracer = tracer;
    this.#onDone = onDone;
    this.#graceMs = graceMs;
    const start = performance.now();
    this.#lastEnd = start;
    const attributes: Attributes = { 'call.id': info.callId, 'call.direction': info.direction };
    if (info.gymId !== undefined) attributes['gym.id'] = info.gymId;
    const startTime = this.#time(start);
    this.#root = tracer.startSpan('call', { kind: SpanKind.SERVER, startTime, attributes, root: true });
    this.#ctx = trace.setSpan(ROOT_CONTEXT, this.#root);
  }

  asrFinal(at: number, latencyMs: number | undefined): void {
    if (!this.#done) this.#final = { at, latencyMs };
  }

  replyRequested(at: number): void {
    if (!this.#done) this.#pending(at).decided(at);
  }

  llmFirstChunk(at: number): void {
    if (!this.#done) this.#turn?.firstChunk(at);
  }

  synthRequested(utteranceId: string, at: number): void {
    if (this.#done) return;
    this.#pending(at);
    const u = this.#utterance(utteranceId);
    if (u !== undefined) u.synthAt ??= at;
  }

  synthResolved(utteranceId: string, at: number): void {
    const u = this.#utterances.get(utteranceId);
    if (u !== undefined && u.synthAt !== undefined) u.resolvedAt ??= at;
  }

  firstFrame(utteranceId: string, at: number): void {
    if (this.#done) return;
    const u = this.#utterance(utteranceId);
    if (u !== undefined) u.frameAt ??= at;
  }

  emitted(e: CallEmitted): void {
    if (this.#done) return;
    switch (e.type) {
      case 'ledger.callerTurn':
        // Words over the agent that did not take the turn answer nothing.
        if (e.endpoint !== 'backchannel') this.#answered = { final: this.#final, endpoint: e.endpoint };
        this.#final = undefined;
        return;
      case 'ledger.agentTurn':
        return this.#close(e);
      default:
        return;
    }
  }

  asr(p: AsrProvider): AsrProvider {
    return tracedAsr(p, this);
  }
  llm(p: LlmProvider): LlmProvider {
    return tracedLlm(p, this);
  }
  tts(p: TtsProvider): TtsProvider {
    return tracedTts(p, this);
  }
  hangup(p: HangupPort | undefined): HangupPort | undefined {
    return p && tracedHangup(p, this);
  }
  keypad(k: KeypadPort | undefined): KeypadPort | undefined {
    return k && tracedKeypad(k, this);
  }

  request(name: string, attributes: Attributes, scope: 'turn' | 'call'): RequestSpan {
    // After the end nothing is written: a late request of a finished call records into a span nobody keeps.
    if (this.#done) return new RequestSpan(name, attributes, () => undefined);
    const owner = scope === 'turn' ? this.#pending(performance.now()) : undefined;
    const span = new RequestSpan(name, attributes, (s) => this.#ended(s, owner));
    if (owner !== undefined && !owner.adopt(span.record)) return new RequestSpan(name, attributes, () => undefined);
    this.#running.add(span);
    return span;
  }

  end(end: CallEnd): void {
    if (this.#ending !== undefined || this.#done) return;
    this.#ending = { at: performance.now(), end, timer: undefined };
    if (this.#running.size === 0) return this.#finish();
    this.#ending.timer = setTimeout(() => this.#finish(), this.#graceMs);
    this.#ending.timer.unref();
  }

  /** The server stops: write everything now, whatever still runs. */
  abort(): void {
    this.end({ reason: 'server-shutdown' });
    this.#finish();
  }

  #pending(at: number): TurnRecord {
    return (this.#turn ??= new TurnRecord(at));
  }

  #utterance(id: string): UtteranceStamps | undefined {
    let u = this.#utterances.get(id);
    if (u === undefined && this.#utterances.size < MAX_UTTERANCES) this.#utterances.set(id, (u = {}));
    return u;
  }

  #close(ledger: AgentTurnLedger): void {
    const at = performance.now();
    const t = this.#turn ?? new TurnRecord(at);
    this.#turn = undefined;
    const stamps: UtteranceStamps[] = [];
    for (const u of ledger.utterances) {
      const s = this.#utterances.get(u.utteranceId);
      if (s !== undefined) stamps.push(s);
      this.#utterances.delete(u.utteranceId);
    }
    t.closed = { at, ledger, answered: this.#answered, first: firstOf(stamps) };
    this.#answered = undefined;
    if (t.running === 0) this.#writeTurn(t);
    else this.#closing.add(t);
  }

  #ended(s: RequestSpan, owner: TurnRecord | undefined): void {
    this.#running.delete(s);
    if (owner === undefined) this.#write(s.record, this.#ctx);
    else {
      owner.running--;
      if (owner.running === 0 && this.#closing.delete(owner)) this.#writeTurn(owner);
    }
    if (this.#ending !== undefined && this.#running.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#done || this.#ending === undefined) return;
    this.#done = true;
    clearTimeout(this.#ending.timer);
    // Ending a request writes it (or its turn, if it was the turn's last): after this loop only turns remain.
    for (const s of [...this.#running]) s.unfinished();
    for (const t of this.#closing) this.#writeTurn(t);
    this.#closing.clear();
    // Work for a turn the agent never spoke (a reply cut off by the hang-up): under the root, as it was.
    for (const r of this.#turn?.children ?? []) this.#write(r, this.#ctx);
    this.#turn = undefined;
    this.#utterances.clear();
    const { end, at } = this.#ending;
    this.#root.setAttribute('call.end_reason', end.reason);
    if (end.outcome !== undefined) this.#root.setAttribute('call.outcome', end.outcome);
    if (end.error !== undefined) {
      this.#root.setAttribute('error.type', describeError(end.error).type);
      this.#root.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.#root.end(this.#time(Math.max(at, this.#lastEnd)));
    this.#onDone(this);
  }

  #writeTurn(t: TurnRecord): void {
    const { stages, endOfTurnToFirstAudioMs } = stageSpans(t);
    const rec = turnSpan(t, stages, endOfTurnToFirstAudioMs);
    const span = this.#start(rec, this.#ctx);
    const ctx = trace.setSpan(this.#ctx, span);
    for (const r of [...stages, ...t.children]) this.#write(r, ctx);
    this.#stop(span, rec);
  }

  #write(r: SpanRecord, parent: Context): void {
    const span = this.#start(r, parent);
    for (const e of r.events) span.addEvent(e.name, e.attributes, this.#time(e.at));
    this.#stop(span, r);
  }

  #start(r: SpanRecord, parent: Context): Span {
    const kind = r.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
    return this.#tracer.startSpan(r.name, { kind, startTime: this.#time(r.start), attributes: r.attributes }, parent);
  }

  #stop(span: Span, r: SpanRecord): void {
    if (r.error !== undefined) {
      span.setAttribute('error.type', r.error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    const end = r.end ?? performance.now();
    this.#lastEnd = Math.max(this.#lastEnd, end);
    span.end(this.#time(end));
  }

  /** A performance.now() stamp as wall-clock time, to the microsecond. */
  #time(at: number): HrTime {
    const ms = performance.timeOrigin + this.#epochOffsetMs + at;
    const seconds = Math.floor(ms / 1000);
    return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e3) * 1e3)];
  }
}
