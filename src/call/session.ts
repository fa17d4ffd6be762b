import type { InspectionEvent, Observer } from 'xstate';
import type {
  AnsweredBy,
  CallDirection,
  EndReason,
  FactsLedger,
  TurnTiming,
  VoicemailPolicy,
} from '../../machines/events.js';
import type { CallLedger, CallRecorder } from '../db/recorder.js';
import type { Logger } from '../log.js';
import { CallSummaryCollector } from '../ops/call-summary.js';
import type { Metrics } from '../ops/metrics.js';
import type { AsrProvider } from '../providers/asr/types.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type {
  CallHandler,
  CallHandlerFactory,
  CallTransport,
  HeardTone,
  InboundAudio,
  StartInfo,
  StreamEndReason,
  VadEdge,
} from '../telephony/call-handler.js';
import { SILENT_DBFS, ulawLevelDbfs } from '../audio/ulaw-level.js';
import { VAD_FRAME_MS } from '../audio/vad.js';
import { finalContext, stopActor, wireActor } from './actor-wiring.js';
import { CallerVoice } from './caller-voice.js';
import { CallLine } from './call-line.js';
import { AudioTap } from './asr-actor.js';
import { createCallActor } from './call-actor.js';
import { LineClock } from './line-clock.js';
import { identifyCall, type CallDetails } from './call-identity.js';
import { hangUpAtEnd } from './end-hangup.js';
import { IvrMemory } from './ivr-memory.js';
import { reportEnd } from './end-report.js';
import { prefetchGreeting } from './greeting-prefetch.js';
import { greetingLines } from '../../machines/text.js';
import { callFlow } from '../flows/call-flow.js';
import type { Flows } from '../flows/load.js';
import type { HangupPort } from './hangup-actor.js';
import { LedgerSwitch } from './ledger-switch.js';
import { notifyObserver, type CallObserver } from './observer.js';
import { callPorts, type IvrPathStore } from './ports.js';
import { gymTimeZone } from '../situations/timezone.js';
import { CallQuality, type CallResult } from './quality.js';
import type { ReplyPolicy } from './reply-actor.js';
import { warmUpLlm } from './warm-up.js';
import { WrapUp, wrapUpTimeoutMs, type WrapUpOutcome } from './wrap-up.js';
import { CallExtras, type ExtrasDeps } from './extras.js';
import { VoicePause } from './voice-pause.js';
import { NO_CALL_TRACE, type CallTrace } from '../tracing/call-trace.js';
import type { Tracing } from '../tracing/tracing.js';
import { DEFAULT_LANGUAGE, type Language } from '../language/index.js';
import { packFor } from '../language/packs.js';
import { openDeskCall, type DeskCall, type DeskDeps } from '../frontdesk/call.js';
import { deskGreetingLines } from '../frontdesk/lines.js';
import { OfflineReceptionist } from '../frontdesk/receptionist.js';
import { speakingIn } from './voice-language.js';
import { deskAsr } from '../frontdesk/desk-asr.js';

// One CallSession per Media Streams connection. It only composes: the call's identity, its XState actor with the
// real providers as invoked actors (ports.ts), the measurements (quality.ts, the summary), the ledger switch that
// writes what the machine emits turn by turn, and the end of the call (hang-up, wrap-up, report), so that whatever
// happens (a provider failing, a bug in a guard, the caller vanishing) ends THIS call cleanly and nothing else.
// Its trace (src/tracing/) sees the providers through request spans and the same stamps as the quality check.
// Per-frame audio goes to the recogniser directly, never via the actor.

export type { CallDetails } from './call-identity.js';
export type { CallObserver } from './observer.js';

export interface CallProviders {
  readonly asr: AsrProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
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
  /** Phone-tree key paths remembered per gym number: replayed on the next call, saved when they reached a person. */
  readonly ivrPaths?: IvrPathStore | undefined;
  /** What to do on a voicemail (VOICEMAIL_ACTION, VOICEMAIL_CALLBACK_NUMBER); default: hang up. */
  readonly voicemail?: VoicemailPolicy | undefined;
  /** The gyms' time zone when a number's region has several (CALL_DEFAULT_TIMEZONE): callbacks are read in it. */
  readonly timeZone?: string | undefined;
  /** CALL_LANGUAGE: the language of a call whose row names none (an inbound call, a call placed before 018). */
  readonly language?: Language | undefined;
  /** Recording (RECORDING, its notice) and the cost per call (src/call/extras.ts). */
  readonly extras?: ExtrasDeps | undefined;
  /** The A/B experiment of conversation flows (FLOWS, src/flows/): each gym's variant; none: the built-in flow. */
  readonly flows?: Flows | undefined;
  /** OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT); none: the call is not traced. */
  readonly tracing?: Tracing | undefined;
  /** The front desk (calls to a number set to front-desk, src/frontdesk/); none: such a call knows no facts. */
  readonly desk?: DeskDeps | undefined;
}

/** Without the app's desk parts a front-desk call still gets a receptionist, one that knows nothing and says so. */
const NO_DESK: DeskDeps = { brain: new OfflineReceptionist(), maxAgeDays: 90, defaultTimeZone: 'UTC' };

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
  /** Her voice pausing inside speech, from the VAD's frames (EARLY_REPLY_PAUSE_MS): told to the recogniser's tap. */
  readonly #pause: VoicePause;
  readonly #actor: ReturnType<typeof createCallActor>;
  readonly #recorded: CallLedger | undefined;
  readonly #ledger: LedgerSwitch;
  readonly #summary: CallSummaryCollector;
  readonly #quality: CallQuality;
  readonly #wrapUp: WrapUp;
  /** Whether sound over the agent is the caller's voice: the line's noise and the agent's echo measured per frame. */
  readonly #voice: CallerVoice;
  /** Level of the caller's last media message, for its VAD frame (onVadFrame follows onAudio for each message). */
  #lineLevelDb = SILENT_DBFS;
  /** The actor's delays run on the line's time as well as the wall's (src/call/line-clock.ts). */
  readonly #clock = new LineClock();
  /** The call's recording and usage meter. */
  readonly #extras: CallExtras;
  /** Both legs' levels and frames for the observer, and its hang-up (the live monitor). */
  readonly #line: CallLine;
  readonly #trace: CallTrace;
  /** Twilio's hang-up, as this call's trace sees it. */
  readonly #rest: HangupPort | undefined;
  /** The number's phone-tree path: recalled at the start of an outbound call, saved when one reached a person. */
  readonly #ivr: IvrMemory;
  #error: Error | undefined;
  /** A front-desk call: no facts wrap-up at its end. */
  readonly #desk: boolean;
  #finished = false;
  #streamOpen = true;
  #settle!: () => void;
  /** CallHandler.finished: settles when the call's trace ends, the last step of its end (#endTrace). */
  readonly finished = new Promise<void>((resolve) => (this.#settle = resolve));

  constructor(start: StartInfo, transport: CallTransport, deps: SessionDeps) {
    this.#deps = deps;
    this.#transport = transport;
    this.#pause = new VoicePause(deps.timing.preemptiveGeneration ? deps.timing.earlyReplyPauseMs : 0, (p) =>
      this.#tap.pause(p),
    );
    const log = (this.#log = transport.log);
    const id = identifyCall(start, deps.lookup);
    this.callId = id.callId;
    this.direction = id.direction;
    const trace = (this.#trace =
      deps.tracing?.call({ callId: id.callId, direction: id.direction, gymId: id.gymId }) ?? NO_CALL_TRACE);
    this.#rest = trace.hangup(deps.rest);
    this.#ivr = new IvrMemory(deps.ivrPaths, id.phoneNumber, id.callId, log);
    const extras = (this.#extras = new CallExtras(deps.extras, deps.providers, id.phoneNumber, transport, log));
    const asr = trace.asr(id.mode === 'front-desk' ? deskAsr(deps.providers.asr) : deps.providers.asr);
    // The gym's variant of the experiment: its turn-taking, its voice (the meter counts what the voice said) and script;
    // the gym's or campaign's brand voice over the variant's.
    const flow = callFlow(deps.flows, id.phoneNumber, deps.timing, trace.tts(deps.providers.tts), id.voices);
    const timing = flow.timing;
    const language = id.language ?? deps.language ?? DEFAULT_LANGUAGE;
    // Each sentence in the language the call speaks then (the actor's, once it runs; it may switch once).
    const tts = speakingIn(extras.meter.watchTts(flow.tts), () => this.#languageNow(language));
    // The reply actor's LLM is watched so the end of the call knows which caller words no reply went through.
    const timeoutMs = deps.wrapUpTimeoutMs ?? wrapUpTimeoutMs(deps.timing.providerDeadlineMs);
    // A front-desk call talks through the desk (its receptionist behind the guard); its caller is not the gym, so
    // nothing they say is ever a fact: no wrap-up pass either.
    const desk: DeskCall | undefined =
      id.mode === 'front-desk'
        ? openDeskCall(
            deps.desk ?? NO_DESK,
            {
              gymId: id.gymId === undefined ? undefined : Number(id.gymId),
              number: id.calledNumber,
              callSid: start.callSid,
            },
            log,
          )
        : undefined;
    this.#desk = desk !== undefined;
    const metered = extras.meter.watchLlm(trace.llm(desk?.llm ?? deps.providers.llm));
    this.#wrapUp = new WrapUp(metered, log, timeoutMs);
    const llm = this.#wrapUp.watch(metered);
    warmUpLlm(llm, log);

    const providers = { asr: asr.name, llm: llm.name, tts: tts.name };
    this.#summary = new CallSummaryCollector(id.callId, id.direction);
    this.#summary.providersUsed(providers);
    const obs = deps.observer;
    this.#quality = new CallQuality(
      id.callId,
      () => transport.nowMs(),
      obs?.latency && ((l) => this.#notify(() => obs.latency?.(id.callId, l))),
    );
    this.#line = new CallLine(() => {
      if (!this.#finished) this.#actor.send({ type: 'OPERATOR.HANGUP' });
    });
    this.#recorded = deps.recorder?.begin({
      callId: id.callId,
      direction: id.direction,
      gymName: id.gymName || null,
      phoneNumber: id.phoneNumber ?? null,
      ...(desk === undefined ? {} : { gymId: id.gymId === undefined ? null : Number(id.gymId), mode: id.mode }),
      twilioCallSid: start.callSid,
      status: 'in-progress',
      providers,
      flow: flow.recorded,
      at: start.startedAt,
    });
    this.#ledger = new LedgerSwitch(this.#recorded, this.#summary, this.#quality, log, asr.capabilities.confidence);

    // The notice is said in the call's language (the policy decides whether there is one).
    const notice = extras.notice === undefined ? undefined : packFor(language).recordingNotice;
    const prefetch =
      deps.ttsPrefetch === false
        ? undefined
        : prefetchGreeting(
            tts,
            log,
            desk === undefined
              ? greetingLines(id.direction, id.gymName, notice, id.brief, flow.script, language)
              : deskGreetingLines(id.gymName, notice, language),
          );
    const ports = callPorts({
      asr,
      llm,
      tts,
      tap: this.#tap,
      player: transport.player,
      nowMs: () => transport.nowMs(),
      quality: this.#quality,
      trace,
      metrics: deps.metrics,
      replyPolicy: deps.replyPolicy,
      prefetch,
      rest: this.#rest,
      callSid: start.callSid,
      closeSocket: (r) => this.#closeSocket(r),
      keypad: trace.keypad(transport.keypad),
      transfer: desk?.transfer,
      watch: obs && {
        recognised: (w) => this.#notify(() => obs.recognised?.(id.callId, w)),
        utteranceStarted: (utteranceId, text) =>
          this.#notify(() => obs.utteranceStarted?.(id.callId, { utteranceId, text })),
      },
      log,
    });
    const timeZone =
      id.brief?.timeZone ??
      (id.phoneNumber === undefined ? deps.timeZone : gymTimeZone(id.phoneNumber, deps.timeZone ?? 'UTC'));
    this.#actor = createCallActor(ports, {
      input: {
        callId: id.callId,
        direction: id.direction,
        gymName: id.gymName,
        timing,
        voicemail: deps.voicemail,
        timeZone,
        recordingNotice: notice,
        brief: id.brief,
        flow: flow.script,
        language,
        mode: id.mode,
      },
      clock: this.#clock,
      ...(deps.inspect ? { inspect: deps.inspect } : {}),
    });
    this.#voice = new CallerVoice(timing, (e) => {
      if (this.#finished) return;
      const { atMs, voice, noisy, hersToMs, roomSpeaks } = e;
      this.#actor.send({
        type: 'CALLER.EVIDENCE',
        atMs,
        voice,
        noisy,
        ...(roomSpeaks === undefined ? {} : { roomSpeaks }),
        ...(hersToMs === undefined ? {} : { hersToMs }),
      });
    });
    transport.player.frameTap = (mulaw) => {
      const level = ulawLevelDbfs(mulaw);
      this.#voice.agentFrame(transport.nowMs(), level);
      this.#line.agentFrame(mulaw, level);
    };
    wireActor(this.#actor, log, {
      record: (e) => {
        this.#wrapUp.emitted(e);
        this.#quality.emitted(e);
        this.#ledger.record(e);
        this.#ivr.emitted(e);
        trace.emitted(e);
      },
      emitted: (e) => this.#notify(() => obs?.emitted?.(id.callId, e)),
      state: (s) => this.#notify(() => obs?.state?.(id.callId, s)),
      finish: (err) => this.#finish(err),
    });
    this.#actor.start();
    this.#notify(() =>
      obs?.started?.({
        callId: id.callId,
        direction: id.direction,
        callSid: start.callSid,
        gymName: id.gymName,
        providers,
        line: this.#line,
      }),
    );
    if (id.direction === 'outbound')
      this.#ivr.recall(
        (e) => this.#actor.send(e),
        () => this.#finished,
      );
    this.#actor.send({ type: 'MEDIA.START' });
  }

  /** The language the call speaks now: the actor's (it may have switched), or `start` before the actor runs. */
  #languageNow(start: Language): Language {
    // Read while the constructor builds the actor (the greeting's prefetch): not assigned yet.
    const actor = this.#actor as ReturnType<typeof createCallActor> | undefined;
    return actor?.getSnapshot().context.language ?? start;
  }

  onAudio(audio: InboundAudio): void {
    if (this.#finished) return;
    // Everything before this message has been heard: delays due by then fire before its voice is judged (one may
    // end the call).
    this.#clock.heard(audio.atMs);
    if (this.#finished) return;
    this.#tap.push(audio.mulaw, audio.atMs + audio.durationMs);
    this.#extras.audio(audio.mulaw, audio.atMs, audio.durationMs);
    this.#lineLevelDb = ulawLevelDbfs(audio.mulaw);
    this.#line.callerFrame(audio.mulaw, this.#lineLevelDb);
  }

  onVadFrame(atMs: number, probability: number, speech = probability > 0.5): void {
    if (this.#finished) return;
    this.#voice.lineFrame(atMs, probability, this.#lineLevelDb);
    this.#pause.frame(speech, VAD_FRAME_MS);
  }

  onVad(edge: VadEdge): void {
    if (this.#finished) return;
    // The recogniser may batch silence (fewer sends); it flushes at the voice edge.
    this.#tap.voice(edge.kind === 'voice');
    this.#pause.edge(edge.kind === 'voice');
    // The VAD reports silence a hangover after the last voiced frame (edge.atMs); the machine counts the
    // end-of-turn wait from that frame, so it needs to know how much of the line had been heard when the edge was
    // seen: the line's time, not the wall's (after a stall the wall is far ahead of the frames being read, and the
    // whole wait would count as already elapsed).
    this.#actor.send(
      edge.kind === 'voice'
        ? { type: 'VAD.VOICE', atMs: edge.atMs }
        : { type: 'VAD.SILENCE', atMs: edge.atMs, detectedAtMs: this.#clock.heardMs ?? this.#transport.nowMs() },
    );
  }

  onDtmf(digit: string, atMs: number): void {
    if (!this.#finished) this.#actor.send({ type: 'DTMF.RECEIVED', digit, atMs });
  }

  onTone(tone: HeardTone): void {
    if (this.#finished) return;
    if (tone.kind === 'beep')
      this.#actor.send({ type: 'TONE.BEEP', atMs: tone.atMs, hz: tone.hz, durationMs: tone.durationMs });
    else this.#actor.send({ type: 'DTMF.RECEIVED', digit: tone.digit, atMs: tone.atMs });
  }

  onAmd(answeredBy: AnsweredBy): void {
    if (!this.#finished) this.#actor.send({ type: 'AMD.RESULT', answeredBy });
  }

  onLinePaused(): void {
    this.#clock.linePaused();
  }

  onEnd(reason: StreamEndReason): void {
    this.#streamOpen = false;
    if (this.#finished) return this.#clock.lineClosed();
    // The machine ends on CALL.HANGUP from any state: at once, or after at most HANGUP_ASR_DRAIN_MS when the
    // caller hung up mid-sentence (the recogniser's final of those words). If it has not ended by then plus a
    // margin (a bug, or a throw below), end the call here anyway: the call's slot waits for it (`finished`).
    const bound = setTimeout(() => {
      if (!this.#finished) this.#finish(new Error(`call machine did not end on CALL.HANGUP (${reason})`));
    }, this.#deps.timing.hangupDrainMs + 250);
    bound.unref();
    this.#clock.lineClosed();
    this.#actor.send({ type: 'CALL.HANGUP', reason });
  }

  #closeSocket(reason: string): void {
    if (!this.#streamOpen) return;
    this.#streamOpen = false;
    this.#clock.lineClosed();
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
    try {
      this.#end(error);
    } catch (err) {
      // The call's slot waits for `finished`: a throw here must not keep it forever.
      this.#log.error({ err: (err as Error).message }, 'ending the call failed');
      this.#settle();
    }
  }

  #end(error: Error | undefined): void {
    this.#line.end();
    this.#error = error;
    const log = this.#log;
    if (error) log.error({ err: error.message }, 'call failed; ending it');
    const ended = this.#ledger.ended;
    const reason = ended?.reason ?? (error ? 'error' : 'caller-hangup');
    const result = this.#quality.result(reason, ended, error);
    const end = finalContext(this.#actor, log);
    stopActor(this.#actor, log);
    const callSid = this.#transport.start.callSid;
    hangUpAtEnd(error, ended, this.#rest, callSid, (r) => this.#closeSocket(r), log);
    const wrapUp = end && !this.#desk ? this.#wrapUp.run(end) : undefined;
    if (wrapUp === undefined) this.#record(reason, result, undefined);
    else
      wrapUp
        .then((outcome) => this.#record(reason, result, outcome))
        // Off the actor's stack now: nothing may escape as an unhandled rejection (it would end the process).
        .catch((e: unknown) => {
          log.error({ err: (e as Error).message }, 'recording the end of the call failed');
          this.#endTrace(reason);
        });
  }

  /** The trace ends after the wrap-up (its facts pass is part of the call), whatever became of the recording. */
  #endTrace(reason: EndReason): void {
    try {
      this.#trace.end({ reason, outcome: this.#ledger.ended?.outcome, error: this.#error });
    } finally {
      this.#settle();
    }
  }

  #record(reason: EndReason, result: CallResult, outcome: WrapUpOutcome | undefined): void {
    try {
      this.#recordEnd(reason, result, outcome);
    } finally {
      this.#endTrace(reason);
    }
  }

  #recordEnd(reason: EndReason, result: CallResult, outcome: WrapUpOutcome | undefined): void {
    if (outcome?.kind === 'extracted') {
      // The same path as the machine's ledger.facts after REPLY.FACTS: recorder, summary, observer.
      const ev: FactsLedger = { type: 'ledger.facts', callId: this.callId, facts: outcome.facts, added: outcome.added };
      try {
        this.#ledger.record(ev);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'recording the wrap-up facts failed');
      }
      this.#notify(() => this.#deps.observer?.emitted?.(this.callId, ev));
      result = { ...result, facts: outcome.facts };
    }
    const { metrics } = this.#deps;
    reportEnd(reason, result, this.#ledger.ended, this.#summary, this.#recorded, metrics, this.#log);
    this.#extras.end(this.#recorded, this.#transport.start.startedAt);
    this.#notify(() => this.#deps.observer?.ended?.(result));
  }

  #notify(fn: () => void): void {
    notifyObserver(this.#log, fn);
  }
}
