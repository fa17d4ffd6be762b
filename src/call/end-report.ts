import type { CallEndedEvent, EndReason } from '../../machines/events.js';
import type { CallLedger } from '../db/recorder.js';
import type { Logger } from '../log.js';
import { logCallSummary, type CallSummaryCollector } from '../ops/call-summary.js';
import type { Metrics } from '../ops/metrics.js';
import type { CallResult } from './quality.js';

/**
 * The end of a call in the summary line, the metrics and the database: the machine's counts (barge-ins, goodbye)
 * and the measured response gaps go to the summary and metrics, then the call's record is closed with its reason,
 * latency summary and providers. Started/ended counts and the active-calls gauge belong to admission
 * (ops/capacity.ts), not here.
 */
export function reportEnd(
  reason: EndReason,
  result: CallResult,
  ended: CallEndedEvent | undefined,
  summary: CallSummaryCollector,
  ledger: CallLedger | undefined,
  metrics: Metrics | undefined,
  log: Logger,
): void {
  if (ended) summary.goodbye(ended.metrics.goodbyeCompleted);
  for (let i = 0; i < (ended?.metrics.bargeIns ?? 0); i++) summary.bargeIn(false);
  for (let i = 0; i < (ended?.metrics.falseBargeIns ?? 0); i++) summary.bargeIn(true);
  for (const g of result.responseGapsMs) summary.responseGap(g);
  const s = summary.end(reason);
  logCallSummary(log, s);
  if (ended) {
    for (let i = 0; i < ended.metrics.bargeIns; i++) metrics?.bargeIn('interrupt');
    for (let i = 0; i < ended.metrics.falseBargeIns; i++) metrics?.bargeIn('false');
  }
  ledger?.ended({
    reason,
    latency: { responseGapMs: s.responseGapMs, serverAddedMs: result.serverAddedMs },
    providers: s.providers,
    // What the call came to, from the machine (machines/outcomes.ts); a call that failed before it ended has none.
    outcome: ended?.outcome,
    keys: ended?.keys,
    holdMs: ended?.metrics.holdMs,
    falseBargeIns: ended?.metrics.falseBargeIns,
    refusals: ended?.refusals,
    callback: ended?.callback,
  });
}
