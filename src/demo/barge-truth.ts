import type { SimReport } from '../sim/stream-report.js';

// Barge-ins as the simulator saw them, not as the call machine counted them. The machine counts an interruption
// as false only when no words came; noise that the recogniser turned into words, or the agent's own echo, passes
// for a real one there. The simulator knows when she really made sound (her say() frames) and when the agent
// stopped (Twilio's `clear` reaching it), so every stop is judged by that: true when her sound was on the line at
// the stop or ended at most TRUE_TAIL_MS before it (the confirmation of an interruption comes shortly after her
// words), false otherwise. Stops made by the agent's own goodbye (closing clears the rest) are not barge-ins.

/** Her sound may have ended this long before the stop and still be what stopped the agent. */
export const TRUE_TAIL_MS = 600;

export interface BargeTruth {
  /** Times the agent's audio was stopped before the call's closing. */
  stops: number;
  /** Stops with none of her sound on the line: the room, the echo, or noise recognised as words. */
  falseStops: number;
  /** For each true stop, her sound's onset → the stop (ms): how fast an interruption was honoured. */
  onsetToStopMs: number[];
}

export function bargeTruth(
  report: Pick<SimReport, 'clearsAtMs' | 'callerSoundMs'>,
  closingAtMs = Infinity,
): BargeTruth {
  const out: BargeTruth = { stops: 0, falseStops: 0, onsetToStopMs: [] };
  for (const c of report.clearsAtMs) {
    if (c >= closingAtMs) continue;
    out.stops++;
    const hers = report.callerSoundMs.filter(([from, to]) => from <= c && to >= c - TRUE_TAIL_MS).at(-1);
    if (hers === undefined) out.falseStops++;
    else out.onsetToStopMs.push(Math.round(c - hers[0]));
  }
  return out;
}
