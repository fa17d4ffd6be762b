import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDsp } from '../src/dsp/index.js';
import { synthSpeech } from '../src/fakes/audio.js';
import { answerInbound } from '../src/sim/inbound.js';
import type { SimulatedStream } from '../src/sim/media-client.js';
import type { BackgroundKind } from '../src/sim/noise/index.js';
import {
  AUTH,
  fakesMain,
  LINES,
  loopMonitor,
  mainThreadSched,
  serverMain,
  type Msg,
  type ProcStats,
} from './load-procs.js';
import { parseBackground, sharedBed } from './load-noise.js';
import { lateness, pct } from './load-stats.js';

const BENCH_ACCOUNT = 'AC' + '0'.repeat(32);
import { HEAD, row, type RunResult } from './load-table.js';

// N simultaneous simulated calls against ONE server process (the whole app: call machine, sessions, the real
// Deepgram/OpenAI/ElevenLabs SDKs, the embedded database), with the protocol fakes in a second process and the
// Twilio simulators in this one (the driver). Every call converses: the caller speaks, the agent answers through
// the fakes. Reported per N: server CPU per call (% of one core), RSS per call, server event-loop lag p99, the
// server's own send lateness of every agent frame (its pacing, measured where it happens), the pacing jitter
// at the simulators (agent frames against their 20 ms grid: server + network + the driver's own lag, which is
// reported next to it), late frames (> 20 ms off the grid), frames uWS dropped, and the driver's and fakes' CPU.
//
//   npm run build && npm run bench:load -- --calls 200 [--seconds 10]
//   npm run bench:load -- --search [--from 100] [--max 1600] [--criterion sim|server] [--budget 540]
//       largest N with pacing jitter p99 <= 20 ms (doubling, then 3 bisection steps; no run starts after --budget s)
//   --profile DIR writes .cpuprofile files of the server and fakes processes (run the driver with --cpu-prof).
//   --background music|music-vocals|chatter|street|hvac [--snr-db 12]: a noisy line on every call (load-noise.ts).
//   --vad KIND: the server's VAD_KIND (compare detectors in one session).

// ---------------- driver ----------------

function child(
  role: string,
  args: string[] = [],
  profileDir?: string,
  nodeFlags: string[] = [],
): Promise<{ proc: ChildProcess; ready: Msg & { kind: 'ready' } }> {
  const execArgv = [...process.execArgv, ...nodeFlags];
  if (profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const proc = fork(fileURLToPath(import.meta.url), ['--role', role, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: Msg) =>
      m.kind === 'ready' ? resolve({ proc, ready: m }) : reject(new Error(JSON.stringify(m))),
    );
    proc.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
}

function askStats(proc: ChildProcess): Promise<ProcStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('message', on);
      reject(new Error('a child process did not answer a stats request within 30 s'));
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runLoad(
  procs: { server: ChildProcess; fakes: ChildProcess },
  port: number,
  n: number,
  seconds: number,
  progress: (s: string) => void,
  background?: { kind: BackgroundKind; snrDb: number },
): Promise<RunResult> {
  const dsp = loadDsp();
  const base = `http://127.0.0.1:${port}`;
  const idle = await askStats(procs.server);
  const streams: SimulatedStream[] = [];
  const lines = LINES.map((l) => {
    const b = synthSpeech(l, { sampleRate: 8000 });
    return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
  });
  const bed = background && sharedBed(background.kind, background.snrDb, lines);
  let stop = false;
  const wakers: (() => void)[] = [];
  // Each caller waits for the agent to speak and finish, then says its next line: no timers of its own.
  const drive = async (s: SimulatedStream, k: number) => {
    let heard = false;
    let wake: (() => void) | undefined;
    const wakeUp = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    s.onAgentAudio(() => {
      heard = true;
      wakeUp();
    });
    wakers.push(wakeUp);
    for (let i = k; !stop; i++) {
      if (!heard) await new Promise<void>((r) => (wake = r));
      if (stop) return;
      await s.agentIdle(600);
      // A pause of 0-3 s on top, different per call and turn: otherwise calls that connected together stay in
      // step (all talking, then all listening) and the load in the window depends on where the cycle falls.
      await sleep(((k * 7919 + i * 104_729) % 31) * 100);
      if (stop) return;
      heard = false;
      await s.say(lines[i % lines.length] as Int16Array);
    }
  };
  const loop = loopMonitor();
  for (let i = 0; i < n; i += 20) {
    // A server too busy to answer an upgrade within 10 s fails the run instead of stalling it; a stream that
    // connects after that is hung up at once.
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, () => {
        // As Twilio does: the voice webhook admits the call, its TwiML names the stream (and carries its token).
        const connecting = answerInbound({
          localBaseUrl: base,
          publicBaseUrl: base,
          authToken: AUTH,
          accountSid: BENCH_ACCOUNT,
          dsp,
        });
        return new Promise<SimulatedStream | undefined>((resolve) => {
          let timedOut = false;
          const timer = setTimeout(() => {
            timedOut = true;
            resolve(undefined);
          }, 10_000);
          connecting.then(
            (s) => {
              clearTimeout(timer);
              if (timedOut) void s.hangUp().catch(() => undefined);
              else resolve(s);
            },
            () => {
              clearTimeout(timer);
              resolve(undefined);
            },
          );
        });
      }),
    );
    for (const s of batch) {
      if (!s) continue;
      if (bed) s.setLineNoise(bed.forCall(streams.length));
      streams.push(s);
    }
    if (streams.length % 100 === 0 || i + 20 >= n) progress(`  connected ${streams.length}/${n}`);
    await sleep(100);
  }
  // Calls the server ended (its call machine hung up) are not simultaneous calls any more: counted.
  let endedByServer = 0;
  for (const s of streams) void s.closed.then(() => void (stop || endedByServer++));
  const drivers = streams.map((s, k) => drive(s, k));
  // Let every call get past its greeting into conversation before measuring.
  await sleep(4000);
  const [s0, f0] = await Promise.all([askStats(procs.server), askStats(procs.fakes)]);
  const d0 = process.cpuUsage();
  const dSched0 = mainThreadSched();
  loop.reset();
  const from = performance.now();
  for (let t = 0; t < seconds; t += 5) {
    await sleep(Math.min(5, seconds - t) * 1000);
    progress(`  measuring ${Math.min(seconds, t + 5)}/${seconds} s`);
  }
  const [s1, f1] = await Promise.all([askStats(procs.server), askStats(procs.fakes)]);
  const to = performance.now();
  const dCpu = process.cpuUsage(d0);
  const dSched1 = mainThreadSched();
  const live = streams.length - endedByServer;
  const driverLoopP99Ms = loop.percentile(99) / 1e6;
  loop.disable();
  stop = true;
  for (const w of wakers) w();
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
  await Promise.race([Promise.all(drivers.map((d) => d.catch(() => undefined))), sleep(5000)]);
  const wall = s1.at - s0.at;
  const connected = streams.length;
  const p = s1.pacing;
  const result: RunResult = {
    calls: n,
    connected,
    live,
    cpuPctPerCall: connected > 0 ? (100 * (s1.cpuMs - s0.cpuMs)) / wall / connected : NaN,
    sysShare: (s1.cpuSysMs - s0.cpuSysMs) / (s1.cpuMs - s0.cpuMs),
    talkFps: connected > 0 ? (p?.frames ?? 0) / connected / (wall / 1000) : NaN,
    rssKbPerCall: connected > 0 ? (s1.rssBytes - idle.rssBytes) / 1024 / connected : NaN,
    loopP99Ms: s1.loopP99Ms,
    mainCpuPct: (100 * (s1.mainOnCpuMs - s0.mainOnCpuMs)) / wall,
    mainWaitPct: (100 * (s1.mainWaitMs - s0.mainWaitMs)) / wall,
    gcMsPerS: s1.gc.totalMs / (wall / 1000),
    gcMaxMs: s1.gc.maxMs,
    sendP99Ms: p?.p99 ?? NaN,
    sendOver20: p?.over20 ?? 0,
    sendFrames: p?.frames ?? 0,
    dropped: p?.dropped ?? 0,
    jitterP99Ms: pct(late, 0.99),
    lateFrames: late.filter((x) => x > 20).length,
    frames: late.length,
    underruns,
    driverLoopP99Ms,
    driverCpuPct: (100 * (dCpu.user + dCpu.system)) / 1000 / (to - from),
    driverWaitPct: (100 * (dSched1.waitMs - dSched0.waitMs)) / (to - from),
    fakesCpuPct: (100 * (f1.cpuMs - f0.cpuMs)) / (f1.at - f0.at),
    asrMsgsPerCallS:
      connected > 0 ? ((f1.asrMessages ?? 0) - (f0.asrMessages ?? 0)) / connected / ((f1.at - f0.at) / 1000) : NaN,
    load1: loadavg()[0] ?? NaN,
  };
  // Give the server a moment to end every call before the next run.
  await sleep(2000);
  return result;
}

/** `sim`: pacing jitter at the simulators (end to end, includes the driver's lag); `server`: send lateness. */
let criterion: 'sim' | 'server' = 'sim';

function passes(r: RunResult): boolean {
  const jitter = criterion === 'sim' ? r.jitterP99Ms : r.sendP99Ms;
  return r.connected === r.calls && r.live === r.calls && jitter <= 20 && r.dropped === 0;
}

async function driverMain(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '10' },
      search: { type: 'boolean', default: false },
      from: { type: 'string', default: '100' },
      max: { type: 'string', default: '1600' },
      role: { type: 'string' },
      profile: { type: 'string' },
      /** Extra Node/V8 flags for the server process only (experiments, e.g. --trace-gc). */
      'server-flags': { type: 'string', default: '' },
      criterion: { type: 'string', default: 'sim' },
      /** Search: no new run starts after this many seconds. */
      budget: { type: 'string', default: '540' },
      background: { type: 'string', default: 'none' },
      /** The server's VAD_KIND (default: the configured default). */
      vad: { type: 'string', default: '' },
      'snr-db': { type: 'string', default: '12' },
    },
  });
  if (values.criterion !== 'sim' && values.criterion !== 'server') throw new Error('--criterion is sim or server');
  criterion = values.criterion;
  const budgetMs = Number(values.budget) * 1000;
  const bgKind = parseBackground(values.background);
  const background = bgKind && { kind: bgKind, snrDb: Number(values['snr-db']) };
  const seconds = Number(values.seconds);
  const t0 = performance.now();
  const progress = (s: string) =>
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  progress(
    `bench:load: load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; starting fakes and server…`,
  );
  const fakes = await child('fakes', [], values.profile);
  const urls = fakes.ready.urls;
  if (!urls) throw new Error('fakes process gave no URLs');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const serverFlags = values['server-flags'].split(/\s+/).filter((f) => f !== '');
  const server = await child(
    'server',
    ['--urls', JSON.stringify(urls), '--port', String(port), '--vad', values.vad],
    values.profile,
    serverFlags,
  ).catch((e: unknown) => {
    // A server that fails to start (its embedded database on a busy machine) must not leave the fakes behind.
    fakes.proc.kill('SIGKILL');
    throw e;
  });
  const results: RunResult[] = [];
  try {
    const run = async (n: number) => {
      progress(`N = ${n}`);
      const r = await runLoad({ server: server.proc, fakes: fakes.proc }, port, n, seconds, progress, background);
      results.push(r);
      progress(`${passes(r) ? 'PASS' : 'FAIL'} ${row(r).trim()}`);
      return r;
    };
    if (!values.search) {
      await run(Number(values.calls));
    } else {
      // Doubling until pacing breaks, then bisect (3 steps) between the last good and the first bad N.
      let good = 0;
      let bad = 0;
      const inBudget = () => performance.now() - t0 < budgetMs;
      for (let n = Number(values.from); n <= Number(values.max) && inBudget(); n *= 2) {
        if (passes(await run(n))) good = n;
        else {
          bad = n;
          break;
        }
      }
      for (let i = 0; i < 3 && bad > 0 && bad - good > Math.max(20, good / 10) && inBudget(); i++) {
        const mid = Math.round((good + bad) / 2 / 10) * 10;
        if (passes(await run(mid))) good = mid;
        else bad = mid;
      }
      process.stdout.write(
        `largest N with pacing jitter p99 <= 20 ms (${criterion === 'sim' ? 'at the simulators' : 'server send lateness'}): ${good}` +
          `${bad ? ` (failed at ${bad})` : ` (limit not reached; --max ${values.max})`}\n`,
      );
    }
  } finally {
    server.proc.send({ kind: 'stop' });
    fakes.proc.send({ kind: 'stop' });
    // Bounded: a child that does not exit within 10 s is killed.
    await Promise.all(
      [server.proc, fakes.proc].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
            p.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
  process.stdout.write([HEAD, ...results.map(row)].join('\n') + '\n');
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const roleIndex = process.argv.indexOf('--role');
const role = roleIndex >= 0 ? process.argv[roleIndex + 1] : undefined;
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1] ?? '';
const entry =
  role === 'fakes'
    ? fakesMain()
    : role === 'server'
      ? serverMain(JSON.parse(arg('--urls')), Number(arg('--port')), arg('--vad'))
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
