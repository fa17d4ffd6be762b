import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { synthSpeech } from '../src/fakes/audio.js';
import { FakeDeepgram } from '../src/fakes/deepgram.js';
import { FakeElevenLabs } from '../src/fakes/elevenlabs.js';
import { FakeOpenAi } from '../src/fakes/openai.js';
import { fakeProviderEnv, type FakeUrls } from '../src/fakes/index.js';
import { createLogger } from '../src/log.js';
import { startServer } from '../src/main.js';
import { createMetrics } from '../src/ops/metrics.js';
import { sharedPacingClock } from '../src/telephony/pacing-clock.js';

// The two child processes of bench/load.ts: the protocol fakes, and the server (the whole app) they serve. Both
// answer the driver's {kind:'stats'} over IPC with their CPU time, RSS and event-loop lag, and exit on {kind:'stop'}.

export const AUTH = 'load-bench-token';
export const LINES = [
  'we are open six a.m. to ten p.m. every day',
  'it is forty nine dollars a month',
  'we have yoga and spin',
];

const LEADS = ['Thanks, that helps.', 'Great, thank you.', 'Okay, noted.', 'Perfect, got it.', 'Good to know.'];
const TOPICS = [
  'the hours on Saturday',
  'Sunday hours',
  'holiday hours',
  'the yearly price',
  'a day pass',
  'a student discount',
  'the joining fee',
  'spin classes',
  'pilates',
  'boxing',
  'the pool',
  'the sauna',
  'personal training',
  'parking',
  'showers and lockers',
  'towel service',
  'childcare',
  'the cancellation policy',
  'a free trial',
  'group discounts',
  'the busiest times',
  'the weight room',
  'the cardio machines',
  'classes for seniors',
  'classes for beginners',
  'early morning access',
  'the climbing wall',
  'the running track',
  'massage',
  'nutrition advice',
];

export interface ProcStats {
  cpuMs: number;
  cpuSysMs: number;
  rssBytes: number;
  loopP99Ms: number;
  /**
   * The main (event-loop) thread's own scheduler accounting, cumulative (Linux `/proc/self/task/<pid>/schedstat`;
   * NaN elsewhere): time on a CPU, and time it was runnable but waiting for a CPU (the machine was busy).
   */
  mainOnCpuMs: number;
  mainWaitMs: number;
  /** GC pauses of the main isolate since the last stats request: count, total and longest (ms). */
  gc: { count: number; totalMs: number; maxMs: number };
  /** Fakes only: audio messages the Deepgram fake has received (cumulative, all connections). */
  asrMessages?: number;
  at: number;
  /** Server only: the pacing clock's per-frame send lateness since the last stats request. */
  pacing?: { frames: number; p50: number; p99: number; max: number; over20: number; dropped: number };
}

export type Msg =
  | { kind: 'ready'; port?: number; urls?: { deepgram: string; openai: string; eleven: string } }
  | { kind: 'stats'; stats: ProcStats }
  | { kind: 'error'; message: string };

/** Cumulative on-CPU and run-queue wait time of the main thread (ms), from the kernel's schedstat. */
export function mainThreadSched(): { onCpuMs: number; waitMs: number } {
  try {
    const [on, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1').split(' ');
    return { onCpuMs: Number(on) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return { onCpuMs: NaN, waitMs: NaN };
  }
}

/** GC pauses of this isolate, summed until read (the observer's callback runs on the loop, after the pause). */
function gcMonitor(): () => ProcStats['gc'] {
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      if (e.duration > gc.maxMs) gc.maxMs = e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return () => {
    const r = gc;
    gc = { count: 0, totalMs: 0, maxMs: 0 };
    return r;
  };
}

// monitorEventLoopDelay records the whole interval between its timer's runs, so with resolution 10 its
// percentiles include the 10 ms period itself: a p99 of 15 ms is 5 ms of lag.
export function loopMonitor(): IntervalHistogram {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return loop;
}

/** Answers {kind:'stats'} with CPU, RSS and loop lag (reset on every read), and exits on {kind:'stop'}. */
function serveStats(loop: IntervalHistogram, extra: () => Partial<ProcStats> = () => ({}), stop = async () => {}) {
  const gc = gcMonitor();
  process.on('message', (m: { kind: string }) => {
    if (m.kind === 'stats') {
      const c = process.cpuUsage();
      const sched = mainThreadSched();
      const stats: ProcStats = {
        cpuMs: (c.user + c.system) / 1000,
        cpuSysMs: c.system / 1000,
        rssBytes: process.memoryUsage().rss,
        loopP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
        mainOnCpuMs: sched.onCpuMs,
        mainWaitMs: sched.waitMs,
        gc: gc(),
        at: performance.now(),
        ...extra(),
      };
      loop.reset();
      process.send?.({ kind: 'stats', stats } satisfies Msg);
    } else if (m.kind === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
}

// ---------------- fakes process ----------------

export async function fakesMain(): Promise<void> {
  const lines = Array.from({ length: 200_000 }, (_v, i) => LINES[i % LINES.length] as string);
  const deepgram = await new FakeDeepgram({ lines, finalDelayMs: 0 }).start();
  // A different question every turn: the call machine drops a repeated question and ends a call that goes idle,
  // and a benchmark of N simultaneous calls must keep all N talking for the whole window.
  const openai = await new FakeOpenAi({
    reply: (body) => {
      const messages = Array.isArray(body.messages) ? (body.messages as { role?: string }[]) : [];
      const turn = messages.filter((m) => m.role === 'user').length;
      const lead = LEADS[turn % LEADS.length] as string;
      return { text: `${lead} And what about ${TOPICS[turn % TOPICS.length] as string}?` };
    },
  }).start();
  // Every reply is the same sentence: synthesise each text once, not once per call and turn.
  const voice = new Map<string, Buffer>();
  const synth = (text: string, sampleRate: number) => {
    const key = `${sampleRate}:${text}`;
    let pcm = voice.get(key);
    if (pcm === undefined) voice.set(key, (pcm = synthSpeech(text, { sampleRate })));
    return pcm;
  };
  const eleven = await new FakeElevenLabs({ timing: { firstByteMs: 0 }, synth }).start();
  serveStats(loopMonitor(), () => ({
    asrMessages: deepgram.connections.reduce((n, c) => n + c.audioMessages, 0),
  }));
  process.send?.({
    kind: 'ready',
    urls: { deepgram: deepgram.url, openai: openai.url, eleven: eleven.url },
  } satisfies Msg);
}

// ---------------- server process ----------------

/** `vadKind`: the server's VAD_KIND ('' = the default), so a run can compare detectors. */
export async function serverMain(urls: FakeUrls, port: number, vadKind = ''): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-bench-load-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    TWILIO_AUTH_TOKEN: AUTH,
    ...fakeProviderEnv(urls),
    TTS_PROVIDERS: 'elevenlabs',
    MAX_CONCURRENT_CALLS: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    ...(vadKind === '' ? {} : { VAD_KIND: vadKind }),
  });
  const server = await startServer(config, {
    log: createLogger('error'),
    metrics: createMetrics({ processMetrics: false }),
  });
  const clock = sharedPacingClock;
  serveStats(
    loopMonitor(),
    () => {
      const h = clock.lateness;
      const pacing = {
        frames: h.count,
        p50: h.percentile(0.5),
        p99: h.percentile(0.99),
        max: h.max,
        over20: h.over(20),
        dropped: clock.framesDropped,
      };
      h.reset();
      clock.framesDropped = 0;
      return { pacing };
    },
    async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  );
  process.send?.({ kind: 'ready', port: server.port } satisfies Msg);
}
