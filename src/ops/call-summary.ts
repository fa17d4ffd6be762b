import type { Logger } from '../log.js';
import type { CallDirection } from '../../machines/events.js';

// One log line per call, written when it ends, so an operator can grep one line to see how a call went.
// It holds counts, timings and provider names only: no transcript text, phone numbers, gym names or caller
// words, by construction (the collector accepts no free text; the few string fields are reduced to tokens).

export interface CallSummary {
  callId: string;
  direction: CallDirection;
  endReason: string;
  durationMs: number;
  agentTurns: number;
  agentTurnsInterrupted: number;
  callerTurns: number;
  bargeIns: number;
  falseBargeIns: number;
  /** Caller end of turn → first agent audio, per turn. */
  responseGapMs: { count: number; p50: number; p90: number; max: number } | null;
  providers: { asr?: string; llm?: string; tts: string[] };
  providerErrors: number;
  fallbacks: number;
  facts: { hoursDays: number; plans: number; classes: number };
  goodbyeCompleted: boolean | null;
}

const token = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .slice(0, 40) || 'unknown';

function percentile(sorted: readonly number[], p: number): number {
  // Nearest-rank percentile: always one of the observed values.
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

export class CallSummaryCollector {
  private readonly startedAt: number;
  private agentTurns = 0;
  private agentTurnsInterrupted = 0;
  private callerTurns = 0;
  private bargeIns = 0;
  private falseBargeIns = 0;
  private readonly gaps: number[] = [];
  private providerErrors = 0;
  private fallbacks = 0;
  private readonly providers: { asr?: string; llm?: string; tts: string[] } = { tts: [] };
  private facts = { hoursDays: 0, plans: 0, classes: 0 };
  private goodbyeCompleted: boolean | null = null;
  private summary: CallSummary | undefined;

  constructor(
    readonly callId: string,
    readonly direction: CallDirection,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  agentTurn(interrupted: boolean): void {
    this.agentTurns++;
    if (interrupted) this.agentTurnsInterrupted++;
  }

  callerTurn(): void {
    this.callerTurns++;
  }

  responseGap(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.gaps.push(Math.round(ms));
  }

  bargeIn(falseAlarm: boolean): void {
    if (falseAlarm) this.falseBargeIns++;
    else this.bargeIns++;
  }

  providerError(): void {
    this.providerErrors++;
  }

  fallback(toTts: string): void {
    this.fallbacks++;
    this.ttsUsed(toTts);
  }

  providersUsed(p: { asr?: string; llm?: string; tts?: string }): void {
    if (p.asr) this.providers.asr = token(p.asr);
    if (p.llm) this.providers.llm = token(p.llm);
    if (p.tts) this.ttsUsed(p.tts);
  }

  /** Counts of what is known so far (the latest totals, not increments). */
  factsKnown(f: { hoursDays: number; plans: number; classes: number }): void {
    this.facts = { ...f };
  }

  goodbye(completed: boolean): void {
    this.goodbyeCompleted = completed;
  }

  private ttsUsed(name: string): void {
    const t = token(name);
    if (!this.providers.tts.includes(t)) this.providers.tts.push(t);
  }

  /** Idempotent: the first call fixes the summary (a call ends once, whichever path reports it first). */
  end(reason: string): CallSummary {
    if (this.summary) return this.summary;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    this.summary = {
      callId: this.callId,
      direction: this.direction,
      endReason: token(reason),
      durationMs: Math.max(0, Math.round(this.now() - this.startedAt)),
      agentTurns: this.agentTurns,
      agentTurnsInterrupted: this.agentTurnsInterrupted,
      callerTurns: this.callerTurns,
      bargeIns: this.bargeIns,
      falseBargeIns: this.falseBargeIns,
      responseGapMs:
        sorted.length === 0
          ? null
          : {
              count: sorted.length,
              p50: percentile(sorted, 50),
              p90: percentile(sorted, 90),
              max: sorted[sorted.length - 1] ?? 0,
            },
      providers: { ...this.providers, tts: [...this.providers.tts] },
      providerErrors: this.providerErrors,
      fallbacks: this.fallbacks,
      facts: { ...this.facts },
      goodbyeCompleted: this.goodbyeCompleted,
    };
    return this.summary;
  }
}

/** Writes the one summary line. `log` should already be the call's child logger (callId bound). */
export function logCallSummary(log: Pick<Logger, 'info'>, s: CallSummary): void {
  log.info({ event: 'call.summary', ...s }, 'call summary');
}
