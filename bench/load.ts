import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { loadDsp } from '../src/dsp/index.js';
import { synthSpeech } from '../src/fakes/audio.js';
import { FakeDeepgram } from '../src/fakes/deepgram.js';
import { FakeElevenLabs } from '../src/fakes/elevenlabs.js';
import { FakeOpenAi } from '../src/fakes/openai.js';
import { createLogger } from '../src/log.js';
import { startServer } from '../src/main.js';
import { createMetrics } from '../src/ops/metrics.js';
import { SimulatedStream } from '../src/sim/media-client.js';
import { MEDIA_STREAM_PATH } from '../src/telephony/server.js';

// N simultaneous simulated calls against ONE server process (the whole app: call machine, sessions, the real
// Deepgram/OpenAI/ElevenLabs SDKs, the embedded database), with the protocol fakes in a second process and the
// Twilio simulators in this one. Every call converses: the caller speaks, the agent answers through the fakes.
// Reported per N: server CPU per call (% of one core), RSS per call, server event-loop lag p99, outbound pacing
// jitter p99 (agent frames at the simulator against their 20 ms grid) and late frames (> 20 ms off the grid).
//
//   npm run build && npm run bench:load -- --calls 50 [--seconds 15]
//   npm run bench:load -- --search [--max 2000]      largest N with pacing jitter p99 <= 20 ms

const AUTH = 'load-bench-token';
const LEAD_FRAMES = 10;
const LINES = [
  'we are open six a.m. to ten p.m. every day',
  'it is forty nine dollars a month',
  'we have yoga and spin',
];

interface ServerStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBytes: number;
  loopP99Ms: number;
  at: number;
}

type Msg =
  | { kind: 'ready'; port?: number; urls?: { deepgram: string; openai: string; eleven: string } }
  | { kind: 'stats'; stats: ServerStats }
  | { kind: 'error'; message: string };

// ---------------- fakes process ----------------

async function fakesMain(): Promise<void> {
  const lines = Array.from({ length: 200_000 }, (_v, i) => LINES[i % LINES.length] as string);
  const deepgram = await new FakeDeepgram({ lines, finalDelayMs: 0 }).start();
  const openai = await new FakeOpenAi({
    reply: () => ({ text: 'Thanks, that helps. And what else should I know about the gym?' }),
  }).start();
  const eleven = await new FakeElevenLabs({ timing: { firstByteMs: 0 } }).start();
  process.send?.({
    kind: 'ready',
    urls: { deepgram: deepgram.url, openai: openai.url, eleven: eleven.url },
  } satisfies Msg);
}

// ---------------- server process ----------------

async function serverMain(urls: { deepgram: string; openai: string; eleven: string }, port: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-bench-load-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    TWILIO_AUTH_TOKEN: AUTH,
    DEEPGRAM_API_KEY: 'bench',
    DEEPGRAM_BASE_URL: urls.deepgram,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: urls.openai,
    ELEVENLABS_API_KEY: 'bench',
    ELEVENLABS_BASE_URL: urls.eleven,
    TTS_PROVIDERS: 'elevenlabs',
    MAX_CONCURRENT_CALLS: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
  });
  const server = await startServer(config, {
    log: createLogger('error'),
    metrics: createMetrics({ processMetrics: false }),
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (m: { kind: string }) => {
    if (m.kind === 'stats') {
      const c = process.cpuUsage();
      const stats: ServerStats = {
        cpuUserMs: c.user / 1000,
        cpuSystemMs: c.system / 1000,
        rssBytes: process.memoryUsage().rss,
        loopP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
        at: performance.now(),
      };
      loop.reset();
      process.send?.({ kind: 'stats', stats } satisfies Msg);
    } else if (m.kind === 'stop') {
      void server
        .close()
        .then(() => rm(dataDir, { recursive: true, force: true }))
        .then(() => process.exit(0));
    }
  });
  process.send?.({ kind: 'ready', port: server.port } satisfies Msg);
}

// ---------------- driver ----------------

function child(role: string, args: string[] = []): Promise<{ proc: ChildProcess; ready: Msg & { kind: 'ready' } }> {
  const proc = fork(fileURLToPath(import.meta.url), ['--role', role, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: Msg) =>
      m.kind === 'ready' ? resolve({ proc, ready: m }) : reject(new Error(JSON.stringify(m))),
    );
    proc.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
}

function askStats(proc: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('message', on);
      reject(new Error('the server process did not answer a stats request within 30 s'));
    }, 30_000);
    const on = (m: Msg) => {
      if (m.kind !== 'stats') return;
      clearTimeout(timer);
      proc.off('message', on);
      resolve(m.stats);
    };
    proc.on('message', on);
    proc.send({ kind: 'stats' });
  });
}

interface RunResult {
  calls: number;
  connected: number;
  cpuPctPerCall: number;
  rssKbPerCall: number;
  loopP99Ms: number;
  jitterP99Ms: number;
  lateFrames: number;
  frames: number;
  underruns: number;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] as number;
}

/** Lateness of each agent frame against the 20 ms grid of its run (a run = frames less than 100 ms apart). */
function lateness(arrivals: readonly number[], from: number, to: number): number[] {
  const out: number[] = [];
  let run: number[] = [];
  const flush = () => {
    // The player sends its lead (up to 200 ms) back to back when a run starts; the grid is where the run settles.
    const steady = run.slice(LEAD_FRAMES);
    if (steady.length > 5) {
      const offsets = steady.map((t, i) => t - i * 20);
      const base = Math.min(...offsets);
      for (let i = 0; i < steady.length; i++) {
        const t = steady[i] as number;
        if (t >= from && t <= to) out.push((offsets[i] as number) - base);
      }
    }
    run = [];
  };
  for (let i = 0; i < arrivals.length; i++) {
    const t = arrivals[i] as number;
    if (run.length > 0 && t - (run[run.length - 1] as number) > 100) flush();
    run.push(t);
  }
  flush();
  return out;
}

async function runLoad(server: ChildProcess, port: number, n: number, seconds: number, progress: (s: string) => void) {
  const dsp = loadDsp();
  const url = `ws://127.0.0.1:${port}${MEDIA_STREAM_PATH}`;
  const signedUrl = url;
  const idle = await askStats(server);
  const streams: SimulatedStream[] = [];
  const lines = LINES.map((l) => {
    const b = synthSpeech(l, { sampleRate: 8000 });
    return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
  });
  let stop = false;
  const drive = async (s: SimulatedStream, k: number) => {
    let frames = 0;
    s.onAgentAudio(() => frames++);
    for (let i = k; !stop; i++) {
      const before = frames;
      while (!stop && frames === before) await new Promise((r) => setTimeout(r, 50));
      if (stop) return;
      await s.agentIdle(600);
      if (stop) return;
      await s.say(lines[i % lines.length] as Int16Array);
    }
  };
  for (let i = 0; i < n; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, () =>
        SimulatedStream.connect({
          url,
          signedUrl,
          authToken: AUTH,
          dsp,
          customParameters: { callId: randomUUID(), direction: 'inbound' },
        }).catch(() => undefined),
      ),
    );
    for (const s of batch) if (s) streams.push(s);
    progress(`  connected ${streams.length}/${n}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const drivers = streams.map((s, k) => drive(s, k));
  // Let every call get past its greeting into conversation before measuring.
  await new Promise((r) => setTimeout(r, 4000));
  const s0 = await askStats(server);
  const from = performance.now();
  for (let t = 0; t < seconds; t += 5) {
    await new Promise((r) => setTimeout(r, Math.min(5, seconds - t) * 1000));
    progress(`  measuring ${Math.min(seconds, t + 5)}/${seconds} s`);
  }
  const s1 = await askStats(server);
  const to = performance.now();
  stop = true;
  const late = streams.flatMap((s) => lateness(s.agentArrivals, from, to));
  const underruns = streams.reduce((a, s) => a + s.report().underruns, 0);
  // A stream whose close handshake does not finish within 5 s is counted, not waited for.
  const closedInTime = await Promise.all(
    streams.map((s) =>
      Promise.race([
        s.hangUp().then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref()),
      ]),
    ),
  );
  const notClosed = closedInTime.filter((ok) => !ok).length;
  if (notClosed > 0) progress(`  ${notClosed} stream(s) not closed within 5 s of the stop message`);
  await Promise.race([
    Promise.all(drivers.map((d) => d.catch(() => undefined))),
    new Promise((r) => setTimeout(r, 5000)),
  ]);
  const wall = s1.at - s0.at;
  const cpu = s1.cpuUserMs + s1.cpuSystemMs - (s0.cpuUserMs + s0.cpuSystemMs);
  const connected = streams.length;
  const result: RunResult = {
    calls: n,
    connected,
    cpuPctPerCall: connected > 0 ? (100 * cpu) / wall / connected : NaN,
    rssKbPerCall: connected > 0 ? (s1.rssBytes - idle.rssBytes) / 1024 / connected : NaN,
    loopP99Ms: s1.loopP99Ms,
    jitterP99Ms: pct(late, 0.99),
    lateFrames: late.filter((x) => x > 20).length,
    frames: late.length,
    underruns,
  };
  // Give the server a moment to end every call before the next run.
  await new Promise((r) => setTimeout(r, 2000));
  return result;
}

function row(r: RunResult): string {
  return (
    `${String(r.calls).padStart(6)}  ${String(r.connected).padStart(9)}  ${r.cpuPctPerCall.toFixed(2).padStart(9)} %  ` +
    `${Math.round(r.rssKbPerCall).toString().padStart(8)} KB  ${r.loopP99Ms.toFixed(1).padStart(9)} ms  ` +
    `${r.jitterP99Ms.toFixed(1).padStart(9)} ms  ${r.lateFrames}/${r.frames}  ${r.underruns}`
  );
}

async function driverMain(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '15' },
      search: { type: 'boolean', default: false },
      max: { type: 'string', default: '2000' },
      role: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const progress = (s: string) => process.stderr.write(s + '\n');
  progress('bench:load: starting the fakes process and the server process…');
  const fakes = await child('fakes');
  const urls = fakes.ready.urls;
  if (!urls) throw new Error('fakes process gave no URLs');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = await child('server', ['--urls', JSON.stringify(urls), '--port', String(port)]);
  const results: RunResult[] = [];
  const head = '  calls  connected  CPU/call     RSS/call   loop p99     jitter p99   late frames  underruns';
  try {
    const run = async (n: number) => {
      progress(`N = ${n}`);
      const r = await runLoad(server.proc, port, n, seconds, progress);
      results.push(r);
      progress(row(r));
      return r;
    };
    if (!values.search) {
      await run(Number(values.calls));
    } else {
      // Doubling until pacing breaks, then bisect between the last good and the first bad N.
      let good = 0;
      let bad = 0;
      for (let n = 25; n <= Number(values.max); n *= 2) {
        const r = await run(n);
        if (r.jitterP99Ms <= 20 && r.connected === n) good = n;
        else {
          bad = n;
          break;
        }
      }
      for (let i = 0; i < 3 && bad > 0 && bad - good > Math.max(10, good / 10); i++) {
        const mid = Math.round((good + bad) / 2);
        const r = await run(mid);
        if (r.jitterP99Ms <= 20 && r.connected === mid) good = mid;
        else bad = mid;
      }
      process.stdout.write(
        `largest N with pacing jitter p99 <= 20 ms: ${good}${bad ? ` (failed at ${bad})` : ' (limit not reached)'}\n`,
      );
    }
  } finally {
    server.proc.send({ kind: 'stop' });
    fakes.proc.kill('SIGTERM');
  }
  process.stdout.write([head, ...results.map(row)].join('\n') + '\n');
}

const roleIndex = process.argv.indexOf('--role');
const role = roleIndex >= 0 ? process.argv[roleIndex + 1] : undefined;
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1] ?? '';
const entry =
  role === 'fakes'
    ? fakesMain()
    : role === 'server'
      ? serverMain(JSON.parse(arg('--urls')), Number(arg('--port')))
      : driverMain();
entry.then(
  () => {
    if (role === undefined) process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`bench:load (${role ?? 'driver'}): ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
