import type { InspectionEvent, Observer } from 'xstate';
import type {
  CallEmitted,
  CallEndedEvent,
  CallDirection,
  EndReason,
  FactsLedger,
  TurnTiming,
} from '../../machines/events.js';
import type { CallLedger, CallRecorder } from '../db/recorder.js';
import type { Logger } from '../log.js';
import { CallSummaryCollector, logCallSummary } from '../ops/call-summary.js';
import type { Metrics } from '../ops/metrics.js';
import type { AsrProvider } from '../providers/asr/types.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type {
  CallHandler,
  CallHandlerFactory,
  CallTransport,
  InboundAudio,
  StartInfo,
  StreamEndReason,
  VadEdge,
} from '../telephony/call-handler.js';
import { asrActor, AudioTap } from './asr-actor.js';
import { createCallActor, type CallPorts } from './call-actor.js';
import { hangupActor, type HangupPort } from './hangup-actor.js';
import { CallQuality, type CallResult } from './quality.js';
import { replyActor, type ReplyPolicy } from './reply-actor.js';
import { speakerActor } from './speaker-actor.js';
import { stateString } from './state-string.js';
import { WrapUp, wrapUpTimeoutMs, type CallEndState, type WrapUpOutcome } from './wrap-up.js';
import { TtsPrefetch } from './tts-prefetch.js';
import { greetingLines } from '../../machines/text.js';

// One CallSession per Media Streams connection: it builds the call's XState actor with the real providers as its
// invoked actors, feeds it the media pipeline's events, writes what it emits to the database (turn by turn) and
// to metrics, and makes sure that whatever happens (a provider failing, a bug in a guard, the caller vanishing)
// ends THIS call cleanly and nothing else. Per-frame audio goes to the recogniser directly, never via the actor.

export interface CallProviders {
  readonly asr: AsrProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
}

/** Watches calls from outside (the demo's live view, tests, benchmarks). Every hook is optional and guarded. */
export interface CallObserver {
  started?(info: { callId: string; direction: CallDirection; callSid: string }): void;
  emitted?(callId: string, e: CallEmitted): void;
  state?(callId: string, state: string): void;
  ended?(result: CallResult): void;
}

export interface CallDetails {
  readonly gymName?: string | undefined;
  readonly direction?: CallDirection | undefined;
  readonly phoneNumber?: string | undefined;
}

export interface SessionDeps {
  readonly providers: CallProviders;
  readonly timing: TurnTiming;
  readonly log: Logger;
  readonly recorder?: CallRecorder | undefined;
  readonly metrics?: Metrics | undefined;
  /** Twilio REST hang-up; undefined when no Twilio account is configured (the socket is closed instead). */
  readonly rest?: HangupPort | undefined;
  /** Details of calls we placed (gym name, number) that the stream's parameters may not carry. */
  readonly lookup?: ((callId: string, callSid: string) => CallDetails | undefined) | undefined;
  readonly inspect?: Observer<InspectionEvent> | ((e: InspectionEvent) => void) | undefined;
  readonly observer?: CallObserver | undefined;
  /** Default streaming; `whole-reply` reproduces the original system's policy (benchmarks only). */
  readonly replyPolicy?: ReplyPolicy | undefined;
  /** Bound on the facts-only pass after a hang-up (src/call/wrap-up.ts); default 2 × PROVIDER_DEADLINE_MS. */
  readonly wrapUpTimeoutMs?: number | undefined;
  /** Synthesise the greeting and held preemptive sentences ahead (TTS_PREFETCH, default on). */
  readonly ttsPrefetch?: boolean | undefined;
}

export function createCallHandlerFactory(deps: SessionDeps): CallHandlerFactory {
  return (start, transport) => new CallSession(start, transport, deps);
}

export class CallSession implements CallHandler {
  readonly callId: string;
  readonly direction: CallDirection;
  readonly #deps: SessionDeps;
  readonly #transport: CallTransport;
  readonly #log: Logger;
  readonly #tap = new AudioTap();
  readonly #actor: ReturnType<typeof createCallActor>;
  readonly #ledger: CallLedger | undefined;
  readonly #summary: CallSummaryCollector;
  readonly #quality: CallQuality;
  readonly #wrapUp: WrapUp;
  #ended: CallEndedEvent | undefined;
  #finished = false;
  #streamOpen = true;

  constructor(start: StartInfo, transport: CallTransport, deps: SessionDeps) {
    this.#deps = deps;
    this.#transport = transport;
    this.#log = transport.log;
    const p = start.customParameters;
    this.callId = p['callId'] ?? start.callSid;
    const details = deps.lookup?.(this.callId, start.callSid);
    this.direction = p['direction'] === 'outbound' || details?.direction === 'outbound' ? 'outbound' : 'inbound';
    const gymName = p['gymName'] ?? details?.gymName ?? '';
    const { asr, tts } = deps.providers;
    // The reply actor's LLM is watched so the end of the call knows which caller words no reply went through.
    this.#wrapUp = new WrapUp(
      deps.providers.llm,
      this.#log,
      deps.wrapUpTimeoutMs ?? wrapUpTimeoutMs(deps.timing.providerDeadlineMs),
    );
    const llm = this.#wrapUp.watch(deps.providers.llm);
    const providers = { asr: asr.name, llm: llm.name, tts: tts.name };
    // Prewarm the LLM connection while the greeting plays (the speaker actor does the same for TTS); skipped by the
    // provider when another call used it moments ago. A failure costs nothing: the first reply connects itself.
    llm
      .warm?.()
      .catch((e: unknown) => this.#log.debug({ err: (e as Error).message, provider: llm.name }, 'llm warm-up failed'));

    this.#summary = new CallSummaryCollector(this.callId, this.direction);
    this.#summary.providersUsed(providers);
    this.#quality = new CallQuality(this.callId, () => transport.nowMs());
    this.#ledger = deps.recorder?.begin({
      callId: this.callId,
      direction: this.direction,
      gymName: gymName || null,
      phoneNumber: details?.phoneNumber ?? null,
      twilioCallSid: start.callSid,
      status: 'in-progress',
      providers,
      at: start.startedAt,
    });

    // Speculative TTS (docs/call-machine.md): the greeting is known now, so its request leaves before the machine
    // says it (outbound: while the callee says hello); the reply actor adds held preemptive sentences.
    const prefetch = deps.ttsPrefetch === false ? undefined : new TtsPrefetch(tts, { log: this.#log });
    if (prefetch) for (const line of greetingLines(this.direction, gymName)) prefetch.start(line);
    const ports: CallPorts = {
      asr: asrActor(asr, this.#tap, this.#log),
      reply: replyActor(
        llm,
        this.#log,
        { requested: () => this.#quality.replyRequested(), firstChunk: () => this.#quality.llmFirstChunk() },
        deps.replyPolicy,
        prefetch,
      ),
      speaker: speakerActor(
        tts,
        transport.player,
        () => transport.nowMs(),
        this.#log,
        {
          synthRequested: (id) => this.#quality.synthRequested(id),
          synthResolved: (id) => this.#quality.synthResolved(id),
          started: () => {
            const ms = this.#quality.firstAudio();
            if (ms !== undefined) {
              deps.metrics?.observeTurn('end_of_turn_to_first_audio', ms);
            }
          },
        },
        prefetch,
      ),
      hangup: hangupActor(deps.rest, start.callSid, (r) => this.#closeSocket(r), this.#log),
    };
    this.#actor = createCallActor(ports, {
      input: { callId: this.callId, direction: this.direction, gymName, timing: deps.timing },
      ...(deps.inspect ? { inspect: deps.inspect } : {}),
    });
    this.#wire();
    this.#actor.start();
    this.#notify(() =>
      deps.observer?.started?.({ callId: this.callId, direction: this.direction, callSid: start.callSid }),
    );
    this.#actor.send({ type: 'MEDIA.START' });
  }

  #wire(): void {
    const a = this.#actor;
    const obs = this.#deps.observer;
    a.on('*', (e) => {
      const ev = e as CallEmitted;
      // XState 5 lets an exception thrown by an emitted-event handler escape to the process, so nothing in
      // here may throw: a metrics or recorder bug must not end this call, let alone the others.
      try {
        this.#wrapUp.emitted(ev);
        this.#quality.emitted(ev);
        this.#persist(ev);
      } catch (err) {
        // The write-queue already handles database outages; this is a bug in our own bookkeeping.
        this.#log.error({ err: (err as Error).message, event: ev.type }, 'recording an emitted event failed');
      }
      this.#notify(() => obs?.emitted?.(this.callId, ev));
    });
    let last = '';
    a.subscribe({
      next: (snap) => {
        const s = stateString(snap.value);
        if (s !== last) {
          last = s;
          this.#notify(() => obs?.state?.(this.callId, s));
        }
        if (snap.status === 'done') this.#finish(undefined);
      },
      // One call's failure (a throwing guard, an actor bug) ends that call, never the process.
      error: (err) => this.#finish(err instanceof Error ? err : new Error(String(err))),
      complete: () => this.#finish(undefined),
    });
  }

  #persist(e: CallEmitted): void {
    const l = this.#ledger;
    switch (e.type) {
      case 'ledger.agentTurn': {
        this.#summary.agentTurn(e.interrupted);
        const latency = this.#quality.latencyOf(e.seq);
        l?.agentTurn({
          text: e.text,
          heardText: e.heardText,
          interrupted: e.interrupted,
          startMs: e.startMs ?? null,
          endMs: e.endMs ?? null,
          latency: latency ?? null,
        });
        return;
      }
      case 'ledger.callerTurn':
        if (e.endpoint === 'backchannel' || e.text.trim() === '') return;
        this.#summary.callerTurn();
        l?.callerTurn({ text: e.text, confidence: e.confidence, startMs: e.startMs ?? null, endMs: e.endMs ?? null });
        return;
      case 'ledger.facts':
        this.#summary.factsKnown({
          hoursDays: Object.keys(e.facts.hours).length,
          plans: e.facts.pricing.length,
          classes: e.facts.classes.length,
        });
        l?.facts(e.facts);
        return;
      case 'call.ended':
        this.#ended = e;
        return;
      case 'call.warning':
        this.#log.warn({ warning: e.message }, 'call warning');
        return;
      case 'call.dtmf':
        return;
    }
  }

  onAudio(audio: InboundAudio): void {
    if (!this.#finished) this.#tap.push(audio.mulaw);
  }

  onVad(edge: VadEdge): void {
    if (this.#finished) return;
    // The recogniser may batch silence (fewer sends); it flushes at the voice edge.
    this.#tap.voice(edge.kind === 'voice');
    // The VAD reports silence a hangover after the last voiced frame (edge.atMs); the machine counts the
    // end-of-turn wait from that frame, so it needs to know when the edge was seen (same stream clock).
    this.#actor.send(
      edge.kind === 'voice'
        ? { type: 'VAD.VOICE', atMs: edge.atMs }
        : { type: 'VAD.SILENCE', atMs: edge.atMs, detectedAtMs: this.#transport.nowMs() },
    );
  }

  onDtmf(digit: string): void {
    if (!this.#finished) this.#actor.send({ type: 'DTMF', digit });
  }

  onEnd(reason: StreamEndReason): void {
    this.#streamOpen = false;
    if (this.#finished) return;
    this.#actor.send({ type: 'CALL.HANGUP', reason });
    // The machine ends on CALL.HANGUP from any state: at once, or after at most HANGUP_ASR_DRAIN_MS when the
    // caller hung up mid-sentence (the recogniser's final of those words). If it has not ended by then plus a
    // margin (a bug), end the call here anyway.
    const bound = setTimeout(() => {
      if (!this.#finished) this.#finish(new Error(`call machine did not end on CALL.HANGUP (${reason})`));
    }, this.#deps.timing.hangupDrainMs + 250);
    bound.unref();
  }

  #closeSocket(reason: string): void {
    if (!this.#streamOpen) return;
    this.#streamOpen = false;
    this.#transport.close(reason);
  }

  /**
   * Runs once: stops every child actor and hangs up at once; then, after the facts-only pass on caller words no
   * reply went through (only when there are any; bounded, src/call/wrap-up.ts), records the end, updates metrics,
   * logs the summary and tells the observer, so whoever reads the call after `ended` finds those facts stored.
   */
  #finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    if (error) this.#log.error({ err: error.message }, 'call failed; ending it');
    const ended = this.#ended;
    const reason = ended?.reason ?? (error ? 'error' : 'caller-hangup');
    const result = this.#quality.result(reason, ended, error);
    const end = this.#endState();
    // Stopping the root actor stops every invoked child: ASR stream closed, LLM aborted, TTS cancelled.
    try {
      this.#actor.stop();
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, 'stopping the call actor failed');
    }
    if (error) {
      // The phone call may still be up: hang it up and close the stream, best effort.
      this.#deps.rest?.hangUp(this.#transport.start.callSid).catch((e: unknown) => {
        this.#log.warn({ err: (e as Error).message }, 'hang-up after a failed call failed');
      });
      this.#closeSocket('call failed');
    } else if (ended?.socketClosed) {
      this.#deps.rest?.hangUp(this.#transport.start.callSid).catch((e: unknown) => {
        this.#log.warn({ err: (e as Error).message }, 'hang-up after the media stream closed failed');
      });
    }
    const wrapUp = end ? this.#wrapUp.run(end) : undefined;
    if (wrapUp === undefined) this.#record(reason, result, undefined);
    else
      wrapUp
        .then((outcome) => this.#record(reason, result, outcome))
        // Off the actor's stack now: nothing may escape as an unhandled rejection (it would end the process).
        .catch((e: unknown) => this.#log.error({ err: (e as Error).message }, 'recording the end of the call failed'));
  }

  /** The call's final context, as the wrap-up needs it (undefined if the actor cannot give one). */
  #endState(): CallEndState | undefined {
    try {
      const c = this.#actor.getSnapshot().context;
      return { gymName: c.gymName, direction: c.direction, facts: c.facts, asked: c.asked, history: c.history };
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, 'no final call context for the wrap-up');
      return undefined;
    }
  }

  #record(reason: EndReason, result: CallResult, outcome: WrapUpOutcome | undefined): void {
    if (outcome?.kind === 'extracted') {
      // The same path as the machine's ledger.facts after REPLY.FACTS: recorder, summary, observer.
      const ev: FactsLedger = { type: 'ledger.facts', callId: this.callId, facts: outcome.facts, added: outcome.added };
      try {
        this.#persist(ev);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'recording the wrap-up facts failed');
      }
      this.#notify(() => this.#deps.observer?.emitted?.(this.callId, ev));
      result = { ...result, facts: outcome.facts };
    }
    const ended = this.#ended;
    if (ended) this.#summary.goodbye(ended.metrics.goodbyeCompleted);
    for (let i = 0; i < (ended?.metrics.bargeIns ?? 0); i++) this.#summary.bargeIn(false);
    for (let i = 0; i < (ended?.metrics.falseBargeIns ?? 0); i++) this.#summary.bargeIn(true);
    for (const g of result.responseGapsMs) this.#summary.responseGap(g);
    const summary = this.#summary.end(reason);
    logCallSummary(this.#log, summary);
    // Started/ended counts and the active-calls gauge belong to admission (ops/capacity.ts), not here.
    const m = this.#deps.metrics;
    if (ended) {
      for (let i = 0; i < ended.metrics.bargeIns; i++) m?.bargeIn('interrupt');
      for (let i = 0; i < ended.metrics.falseBargeIns; i++) m?.bargeIn('false');
    }
    this.#ledger?.ended({
      reason,
      latency: { responseGapMs: summary.responseGapMs, serverAddedMs: result.serverAddedMs },
      providers: summary.providers,
    });
    this.#notify(() => this.#deps.observer?.ended?.(result));
  }

  #notify(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, 'call observer threw');
    }
  }
}
