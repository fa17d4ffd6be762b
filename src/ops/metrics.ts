import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallDirection, CallMode } from '../../machines/events.js';
import type { VadKind } from '../audio/vad.js';
import type { Language } from '../language/index.js';
import type { UnheardAction } from '../telephony/unheard.js';

// Prometheus metrics of the app. One Metrics object per process (see getMetrics) is created lazily, never at
// import time; tests create their own with createMetrics(). Other modules call the typed helpers below instead
// of touching prom-client, so metric names and label sets stay in one file and label values stay bounded.

/** The four per-turn latencies of the issue, each measured from its own start (see docs/operations.md). */
export type TurnStage =
  | 'end_of_turn_to_first_audio' // caller's end of turn decided → first agent media frame sent
  | 'asr_final' // caller stopped speaking → final transcript received
  | 'llm_first_token' // request sent → first text delta
  | 'tts_first_byte'; // synthesis requested → first audio byte

export type Modality = 'asr' | 'llm' | 'tts' | 'telephony' | 'db';
export type RejectReason = 'rate_limited' | 'login_throttled' | 'at_capacity' | 'draining';
export type DspOp = 'ulaw_encode' | 'ulaw_decode' | 'resample' | 'frame_features';

// Latency buckets in seconds: turn-taking lives between 5 ms and a few seconds.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
// DSP work per 20 ms chunk is microseconds; anything near a millisecond is a problem worth seeing.
const DSP_BUCKETS = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 5e-3];

/** Label values come from other modules; a bug there must not explode the series count. */
export class LabelGuard {
  private readonly seen = new Set<string>();
  constructor(private readonly maxDistinct = 32) {}
  clean(value: string): string {
    const v = value
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40);
    if (v === '') return 'unknown';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.maxDistinct) return 'other';
    this.seen.add(v);
    return v;
  }
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, GC, handles) from prom-client. Default true. */
  processMetrics?: boolean;
  /** Resolution of the event-loop delay monitor in ms. Default 20. */
  eventLoopResolutionMs?: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly activeCalls: Gauge;
  private readonly callsStarted: Counter<'direction'>;
  private readonly callsEnded: Counter<'direction' | 'reason'>;
  private readonly turnLatency: Histogram<'stage'>;
  private readonly providerErrors: Counter<'modality' | 'provider' | 'code'>;
  private readonly providerFallbacks: Counter<'modality' | 'from' | 'to' | 'reason'>;
  private readonly ttsCacheLookups: Counter<'provider' | 'result'>;
  private readonly bargeIns: Counter<'outcome'>;
  private readonly vadStreams: Counter<'kind'>;
  private readonly deskBlocked: Counter<'claim'>;
  private readonly inboundUnheard: Counter<'language' | 'mode' | 'action'>;
  private readonly dspSeconds: Histogram<'op'>;
  private readonly rejections: Counter<'reason' | 'surface'>;
  private readonly campaignDials: Counter;
  private readonly campaignSettles: Counter<'outcome' | 'decision'>;
  private readonly loopDelay: IntervalHistogram;
  private readonly reasons = new LabelGuard(32);
  private readonly providers = new LabelGuard(16);
  private readonly codes = new LabelGuard(48);
  private readonly outcomes = new LabelGuard(48);

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.activeCalls = new Gauge({ name: 'gym_agent_active_calls', help: 'Calls in progress', registers });
    this.callsStarted = new Counter({
      name: 'gym_agent_calls_started_total',
      help: 'Calls admitted, by direction',
      labelNames: ['direction'],
      registers,
    });
    this.callsEnded = new Counter({
      name: 'gym_agent_calls_ended_total',
      help: 'Calls ended, by direction and end reason',
      labelNames: ['direction', 'reason'],
      registers,
    });
    this.turnLatency = new Histogram({
      name: 'gym_agent_turn_latency_seconds',
      help: 'Per-turn latencies: end of turn to first audio, ASR final, LLM first token, TTS first byte',
      labelNames: ['stage'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.providerErrors = new Counter({
      name: 'gym_agent_provider_errors_total',
      help: 'Provider failures by modality, provider and error code',
      labelNames: ['modality', 'provider', 'code'],
      registers,
    });
    this.providerFallbacks = new Counter({
      name: 'gym_agent_provider_fallbacks_total',
      help: 'Fail-overs from one provider to the next',
      labelNames: ['modality', 'from', 'to', 'reason'],
      registers,
    });
    this.ttsCacheLookups = new Counter({
      name: 'gym_agent_tts_phrase_cache_total',
      help: 'Short lines looked up in the TTS phrase cache: hit = played from memory, miss = requested',
      labelNames: ['provider', 'result'],
      registers,
    });
    this.bargeIns = new Counter({
      name: 'gym_agent_barge_ins_total',
      help: 'Caller interruptions while the agent spoke: interrupt = playback stopped, false = resumed (cough, noise)',
      labelNames: ['outcome'],
      registers,
    });
    this.vadStreams = new Counter({
      name: 'gym_agent_vad_streams_total',
      help: 'Media streams whose caller audio reached the VAD, by the frame classifier that ran (VAD_KIND)',
      labelNames: ['kind'],
      registers,
    });
    this.deskBlocked = new Counter({
      name: 'gym_agent_front_desk_blocked_total',
      help: 'Front-desk sentences the guard stopped before the speaker, by the kind of claim the stored facts did not back',
      labelNames: ['claim'],
      registers,
    });
    this.inboundUnheard = new Counter({
      name: 'gym_agent_inbound_unheard_total',
      help: 'Inbound calls not held because the recogniser does not hear their language, by language, mode and action (transferred to the staff, hung up)',
      labelNames: ['language', 'mode', 'action'],
      registers,
    });
    this.dspSeconds = new Histogram({
      name: 'gym_agent_dsp_seconds',
      help: 'Time spent in one native DSP call (one audio chunk)',
      labelNames: ['op'],
      buckets: DSP_BUCKETS,
      registers,
    });
    this.rejections = new Counter({
      name: 'gym_agent_rejections_total',
      help: 'Requests or calls turned away, by reason and surface (api, review, webhook, media)',
      labelNames: ['reason', 'surface'],
      registers,
    });
    this.campaignDials = new Counter({
      name: 'gym_agent_campaign_dials_total',
      help: 'Campaign calls this process placed (handed to the telephony provider)',
      registers,
    });
    this.campaignSettles = new Counter({
      name: 'gym_agent_campaign_settles_total',
      help: 'Campaign calls this process settled, by attempt outcome and what came next (call again, or final)',
      labelNames: ['outcome', 'decision'],
      registers,
    });

    // A dedicated delay monitor (rather than only prom-client's default one) so the lag gauge exists even when
    // process metrics are off, and so tests can read it.
    this.loopDelay = monitorEventLoopDelay({ resolution: opts.eventLoopResolutionMs ?? 20 });
    this.loopDelay.enable();
    const delay = this.loopDelay;
    new Gauge({
      name: 'gym_agent_event_loop_lag_p99_seconds',
      help: 'p99 event-loop delay since the previous scrape',
      registers,
      collect() {
        // The histogram reports NaN/huge values before its first sample; report 0 until it has one.
        const p99 = delay.count > 0 ? delay.percentile(99) / 1e9 : 0;
        this.set(p99);
        delay.reset();
      },
    });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  callStarted(direction: CallDirection): void {
    this.callsStarted.inc({ direction });
    this.activeCalls.inc();
  }

  /** A call's VAD classified its first frames with this classifier: which detector production really runs. */
  vadRan(kind: VadKind): void {
    this.vadStreams.inc({ kind });
  }

  /** The front desk's guard stopped a sentence whose claims (hours, time, price, ...) no stored fact backs. */
  deskGuardBlocked(claims: readonly string[]): void {
    for (const claim of claims) this.deskBlocked.inc({ claim });
  }

  /** An inbound call in a language the recogniser does not hear was put through to the staff or ended politely. */
  inboundLanguageUnheard(language: Language, mode: CallMode, action: UnheardAction): void {
    this.inboundUnheard.inc({ language, mode, action });
  }

  callEnded(direction: CallDirection, reason: string): void {
    this.callsEnded.inc({ direction, reason: this.reasons.clean(reason) });
    this.activeCalls.dec();
  }

  /** Milliseconds in, seconds out (Prometheus convention). Negative or non-finite values are dropped. */
  observeTurn(stage: TurnStage, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.turnLatency.observe({ stage }, ms / 1000);
  }

  providerError(modality: Modality, provider: string, code: string): void {
    this.providerErrors.inc({ modality, provider: this.providers.clean(provider), code: this.codes.clean(code) });
  }

  providerFallback(modality: Modality, from: string, to: string, reason: string): void {
    this.providerFallbacks.inc({
      modality,
      from: this.providers.clean(from),
      to: this.providers.clean(to),
      reason: this.codes.clean(reason),
    });
  }

  ttsCache(provider: string, hit: boolean): void {
    this.ttsCacheLookups.inc({ provider: this.providers.clean(provider), result: hit ? 'hit' : 'miss' });
  }

  bargeIn(outcome: 'interrupt' | 'false'): void {
    this.bargeIns.inc({ outcome });
  }

  observeDsp(op: DspOp, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.dspSeconds.observe({ op }, seconds);
  }

  /** Wraps one DSP call and records its duration; returns what fn returns. */
  timeDsp<T>(op: DspOp, fn: () => T): T {
    const t0 = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      this.observeDsp(op, Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  rejected(reason: RejectReason, surface: 'api' | 'review' | 'webhook' | 'media'): void {
    this.rejections.inc({ reason, surface });
  }

  /** The campaign engine placed one call (src/campaigns/engine.ts). */
  campaignDialled(): void {
    this.campaignDials.inc();
  }

  /** The campaign engine settled one call: its attempt outcome, and whether the gym is called again or final. */
  campaignSettled(outcome: string, decision: 'call' | 'final'): void {
    this.campaignSettles.inc({ outcome: this.outcomes.clean(outcome), decision });
  }

  /** Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops the event-loop monitor; call on shutdown and in tests. */
  close(): void {
    this.loopDelay.disable();
    this.registry.clear();
  }
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  return new Metrics(opts);
}

let shared: Metrics | undefined;

/** The process-wide instance, created on first use so importing this module has no side effects. */
export function getMetrics(): Metrics {
  shared ??= new Metrics();
  return shared;
}
