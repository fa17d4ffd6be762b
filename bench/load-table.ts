// The result of one bench:load run and its row in the printed table.

export interface RunResult {
  calls: number;
  connected: number;
  /** Still up at the end of the window (the rest were ended by the server's call machine). */
  live: number;
  cpuPctPerCall: number;
  /** Share of the server's CPU spent in the kernel (socket writes and reads, epoll). */
  sysShare: number;
  /** Agent frames sent per call per second: how much of the time the agents were talking. */
  talkFps: number;
  rssKbPerCall: number;
  loopP99Ms: number;
  /** The server's main thread: on a CPU, and runnable but waiting for one, in % of the window's wall time. */
  mainCpuPct: number;
  mainWaitPct: number;
  /** Server GC pauses in the window: ms per second, and the longest. */
  gcMsPerS: number;
  gcMaxMs: number;
  /** Server-side send lateness (pacing clock). */
  sendP99Ms: number;
  sendOver20: number;
  sendFrames: number;
  dropped: number;
  /** At the simulators. */
  jitterP99Ms: number;
  lateFrames: number;
  frames: number;
  underruns: number;
  driverLoopP99Ms: number;
  driverCpuPct: number;
  /** The driver's main thread runnable but waiting for a CPU, % of the window. */
  driverWaitPct: number;
  fakesCpuPct: number;
  /** Audio messages the server sent to Deepgram per call per second (each one a send syscall on both ends). */
  asrMsgsPerCallS: number;
  load1: number;
}

export const HEAD =
  '  calls  conn/live  srv CPU/call (kernel)  talk fps  RSS/call  srv loop p99  main cpu/wait  srv GC ms/s (max)  srv send p99 (>20 ms)  sim jitter p99  late/frames  ' +
  'underruns  dropped  driver loop p99  driver CPU/wait  fakes CPU  asr msg/s  load1';

export function row(r: RunResult): string {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  return [
    String(r.calls).padStart(7),
    `${r.connected}/${r.live}`.padStart(9),
    `${f(r.cpuPctPerCall, 3)} % (${f(100 * r.sysShare, 0)} %)`.padStart(21),
    f(r.talkFps, 1).padStart(8),
    `${Math.round(r.rssKbPerCall)} KB`.padStart(9),
    `${f(r.loopP99Ms)} ms`.padStart(12),
    `${f(r.mainCpuPct, 0)} %/${f(r.mainWaitPct, 0)} %`.padStart(13),
    `${f(r.gcMsPerS)} (${f(r.gcMaxMs)} ms)`.padStart(17),
    `${f(r.sendP99Ms)} ms (${r.sendOver20}/${r.sendFrames})`.padStart(21),
    `${f(r.jitterP99Ms)} ms`.padStart(14),
    `${r.lateFrames}/${r.frames}`.padStart(11),
    String(r.underruns).padStart(9),
    String(r.dropped).padStart(7),
    `${f(r.driverLoopP99Ms)} ms`.padStart(15),
    `${f(r.driverCpuPct, 0)} %/${f(r.driverWaitPct, 0)} %`.padStart(15),
    `${f(r.fakesCpuPct, 0)} %`.padStart(9),
    f(r.asrMsgsPerCallS, 1).padStart(9),
    f(r.load1, 2).padStart(6),
  ].join('  ');
}
