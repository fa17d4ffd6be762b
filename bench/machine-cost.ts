import { assign, createActor, createMachine } from 'xstate';
import type { CallRecording } from './machine-replay.js';

// Measuring helpers of bench:machine (bench/machine.ts): process CPU time, medians, the cost of the chart's shape
// alone, and the call machine's share of a whole call's CPU, which is its budget.

/** Process CPU time (user + system, GC included) in µs: on a shared machine, wall time would count other processes. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * CPU of a whole conversing call in the server, in % of one core: bench:load's figure at 200 calls, its lowest
 * per-call figure (0.33–0.47 % over the passing rows, docs/benchmarks/load.md), so the machine's share is not
 * flattered. `--call-cpu-percent` replaces it when a new bench:load run says otherwise.
 */
export const CALL_CPU_PERCENT = 0.33;
/** The call machine may cost at most this share of a call's CPU (issue 14). */
export const MACHINE_BUDGET_PERCENT = 10;

export interface CallShare {
  /** Seconds from the recorded call's first event to its last. */
  callSeconds: number;
  /** Events the machine processes per second of that call (timers included). */
  eventsPerSecond: number;
  /** The machine's CPU per second of call, µs. */
  usPerCallSecond: number;
  /** The same in % of one core. */
  percentOfCore: number;
  /** The same in % of a conversing call's CPU. */
  percentOfCall: number;
}

/** What `usPerEvent` (CPU per event on the replayed call) amounts to over the recorded call's length. */
export function callShare(
  rec: CallRecording,
  eventsPerCall: number,
  usPerEvent: number,
  callCpuPercent: number,
): CallShare {
  const callSeconds = rec.events.at(-1)!.atMs / 1000;
  const eventsPerSecond = eventsPerCall / callSeconds;
  const usPerCallSecond = usPerEvent * eventsPerSecond;
  const percentOfCore = usPerCallSecond / 1e4; // 1e6 µs of CPU per second is 100 % of a core
  return {
    callSeconds,
    eventsPerSecond,
    usPerCallSecond,
    percentOfCore,
    percentOfCall: (100 * percentOfCore) / callCpuPercent,
  };
}

export function describeShare(s: CallShare, callCpuPercent: number): string {
  const verdict = s.percentOfCall <= MACHINE_BUDGET_PERCENT ? 'met' : 'NOT MET';
  return (
    `call machine on the recorded call: ${s.eventsPerSecond.toFixed(2)} events/s over ${s.callSeconds.toFixed(1)} s, ` +
    `${s.usPerCallSecond.toFixed(1)} µs CPU per call-second = ${s.percentOfCore.toFixed(4)} % of a core = ` +
    `${s.percentOfCall.toFixed(1)} % of a conversing call's ${callCpuPercent} % of a core ` +
    `(budget ≤ ${MACHINE_BUDGET_PERCENT} %: ${verdict})`
  );
}

/**
 * What the chart's shape costs by itself: synthetic machines whose only transition is one context assign (the
 * one-assign floor without any of the call machine's logic), shaped like the call machine (`live` with 4
 * parallel regions, the active state 2 levels below its region, a 27-key context) and with less of each.
 * XState rebuilds the state value from all active nodes and copies the whole context on every assign.
 */
export function shapeFloors(actors: number, sends: number): Array<[string, number]> {
  const shapes: Array<[string, number, number, number]> = [
    ['4 regions, depth 2, 27 keys', 4, 2, 27],
    ['3 regions, depth 2, 27 keys', 3, 2, 27],
    ['4 regions, depth 1, 27 keys', 4, 1, 27],
    ['4 regions, depth 2, 8 keys', 4, 2, 8],
    ['1 region, depth 1, 8 keys', 1, 1, 8],
  ];
  return shapes.map(([name, regions, depth, keys]) => {
    let leaf: object = { on: { A: { actions: assign({ k0: ({ context }) => (context.k0 as number) + 1 }) } } };
    for (let d = 1; d < depth; d++) leaf = { initial: 'x', states: { x: leaf } };
    const states = Object.fromEntries(
      Array.from({ length: regions }, (_, i) => [`r${i}`, { initial: 'x', states: { x: i === 0 ? leaf : {} } }]),
    );
    const context: Record<string, unknown> = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
    const m = createMachine({ context, initial: 'live', states: { live: { type: 'parallel', states }, ended: {} } });
    const live = Array.from({ length: actors }, () => createActor(m).start());
    const t = cpuNow();
    for (let k = 0; k < sends; k++) for (const a of live) a.send({ type: 'A' });
    const us = (cpuNow() - t) / (sends * actors);
    live.forEach((a) => a.stop());
    return [name, us];
  });
}
