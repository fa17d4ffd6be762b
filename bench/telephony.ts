import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadDsp } from '../src/dsp/index.js';
import { createLogger } from '../src/log.js';
import { CallCapacity } from '../src/ops/capacity.js';
import type { CallHandler, CallTransport } from '../src/telephony/call-handler.js';
import { MemoryCallStore } from '../src/telephony/call-store.js';
import { TelephonyServer } from '../src/telephony/server.js';
import { StreamTokens, streamTokenKey } from '../src/telephony/stream-token.js';
import { twilioRoutes } from '../src/telephony/webhooks.js';
import { answerInbound } from '../src/sim/inbound.js';
import type { SimulatedStream } from '../src/sim/media-client.js';

// Server CPU per call and outbound pacing jitter at N concurrent simulated media streams, providers faked.
// The server runs in a child process (so its CPU is measured alone); this process runs the Twilio simulators.
// Each call: caller audio 50 frames/s in; the agent speaks continuously (fake streaming TTS at 24 kHz through
// the real player: addon resample → μ-law → paced frames + marks); inbound frames go through the addon decode,
// a VAD feature pass and a no-op recogniser. Baseline (same run): a bare 20 ms setTimeout scheduler in the idle
// server process before any stream connects, i.e. the timer jitter Node itself gives us.
//
//   npm run build && npm run bench:telephony -- [--streams 100,500] [--seconds 8]

const AUTH = 'bench-token';
const PUBLIC = 'https://bench.example.test';

interface Measure {
  cpuMs: number;
  wallMs: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  frames: number;
  restarts: number;
  loopDelayP99: number;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] as number;
}

// ---------------- server side (child process) ----------------

async function serverMain(): Promise<void> {
  const dsp = loadDsp();
  let late: number[] = [];
  const agents = new Set<BenchAgent>();
  const restartsNow = () => [...agents].reduce((a, g) => a + g.restarts, 0);
  let restarts0 = 0;
  const tone = Buffer.alloc(24000 * 2 * 3);
  for (let i = 0; i < tone.length / 2; i++) tone.writeInt16LE(Math.round(6000 * Math.sin(i / 9)), i * 2);

  class BenchAgent implements CallHandler {
    #n = 0;
    #closed = false;
    get restarts(): number {
      return this.tr.player.stats.restarts;
    }
    constructor(private readonly tr: CallTransport) {
      agents.add(this);
      tr.player.listener = {
        frameSent: (ms) => late.push(ms),
        played: () => this.#speak(),
      };
      this.#speak();
    }
    #speak(): void {
      if (this.#closed) return;
      // Fake streaming TTS: 3 s of 24 kHz PCM in 40 ms chunks, produced a little faster than real time.
      async function* stream(): AsyncIterable<Uint8Array> {
        for (let off = 0; off < tone.length; off += 1920) {
          yield new Uint8Array(tone.buffer, tone.byteOffset + off, Math.min(1920, tone.length - off));
          if (off % (1920 * 10) === 0) await new Promise((r) => setTimeout(r, 5));
        }
      }
      this.tr.player.enqueue({
        utteranceId: `u${++this.#n}`,
        text: 'we open at six',
        sampleRate: 24000,
        chunks: stream(),
      });
    }
    onAudio(a: { pcm: Int16Array; mulaw: Uint8Array }): void {
      dsp.frameFeatures(a.pcm, 160); // VAD features
    }
    onVad(): void {}
    onDtmf(): void {}
    onEnd(): void {
      this.#closed = true;
    }
  }

  // The voice webhook admits each call and mints its stream token, as in production.
  const admission = new CallCapacity({ max: 100_000 });
  const store = new MemoryCallStore();
  const streamTokens = new StreamTokens(streamTokenKey(AUTH));
  const server = new TelephonyServer({
    host: '127.0.0.1',
    port: 0,
    publicBaseUrl: PUBLIC,
    twilioAuthToken: AUTH,
    apiToken: undefined,
    admission,
    streamTokens,
    callStore: store,
    routes: twilioRoutes({ store, admission, publicBaseUrl: PUBLIC, streamTokens, log: createLogger('warn') }),
    dsp,
    log: createLogger('warn'),
    handlerFactory: (_s, tr) => new BenchAgent(tr),
  });
  const port = await server.listen();

  // Baseline: bare timer jitter in this process, idle.
  const base: number[] = [];
  await new Promise<void>((resolve) => {
    const t0 = performance.now();
    let k = 0;
    const tick = () => {
      k++;
      base.push(Math.max(0, performance.now() - (t0 + k * 20)));
      if (k >= 150) return resolve();
      setTimeout(tick, Math.max(0, t0 + (k + 1) * 20 - performance.now()));
    };
    setTimeout(tick, 20);
  });
  process.send?.({
    type: 'ready',
    port,
    baseline: { p50: pct(base, 0.5), p99: pct(base, 0.99), max: Math.max(...base) },
  });

  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') {
      late = [];
      restarts0 = restartsNow();
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
      loop.reset();
      loop.enable();
    } else if (m.type === 'stop') {
      const c = process.cpuUsage(cpu0);
      loop.disable();
      const out: Measure = {
        cpuMs: (c.user + c.system) / 1000,
        wallMs: performance.now() - wall0,
        lateP50: pct(late, 0.5),
        lateP99: pct(late, 0.99),
        lateMax: late.reduce((a, b) => Math.max(a, b), 0),
        frames: late.length,
        restarts: restartsNow() - restarts0,
        loopDelayP99: loop.percentile(99) / 1e6,
      };
      process.send?.({ type: 'result', out });
    } else if (m.type === 'exit') {
      server.close();
      process.exit(0);
    }
  });
}

// ---------------- simulator side (parent) ----------------

function ask<T>(child: ChildProcess, type: string, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== answer) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    if (type !== '') child.send({ type });
  });
}

const children = new Set<ChildProcess>();

async function level(n: number, seconds: number) {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_CPU_PROF=1 writes a .cpuprofile of the server process to the working directory.
    execArgv: process.env.BENCH_CPU_PROF ? ['--cpu-prof'] : [],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = await ask<{ port: number; baseline: { p50: number; p99: number; max: number } }>(child, '', 'ready');
  const dsp = loadDsp();
  const base = `http://127.0.0.1:${ready.port}`;
  const streams: SimulatedStream[] = [];
  // Calls arrive in batches of 25 every 50 ms, like a busy trunk, not all in one tick.
  for (let i = 0; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) =>
      answerInbound({
        localBaseUrl: base,
        publicBaseUrl: PUBLIC,
        authToken: AUTH,
        accountSid: 'AC' + '0'.repeat(32),
        from: `+1555010${String(1000 + i + j).padStart(4, '0')}`,
        dsp,
      }),
    );
    streams.push(...(await Promise.all(batch)));
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  const cpu0 = process.cpuUsage();
  const arrivalsFrom = streams.map((s) => s.agentArrivals.length);
  child.send({ type: 'start' });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { out } = await ask<{ out: Measure }>(child, 'stop', 'result');
  const simCpu = process.cpuUsage(cpu0);
  // Client side: deviation of consecutive arrivals from 20 ms (includes this process's own scheduling noise).
  const gaps: number[] = [];
  streams.forEach((s, i) => {
    const a = s.agentArrivals.slice(arrivalsFrom[i]);
    for (let k = 1; k < a.length; k++) gaps.push(Math.abs((a[k] as number) - (a[k - 1] as number) - 20));
  });
  const underruns = streams.reduce((acc, s) => acc + s.report().underruns, 0);
  await Promise.all(streams.map((s) => s.hangUp()));
  child.send({ type: 'exit' });
  await new Promise((r) => child.once('exit', r));
  return {
    n,
    seconds,
    baseline: ready.baseline,
    out,
    simCpuMs: (simCpu.user + simCpu.system) / 1000,
    gapP99: pct(gaps, 0.99),
    underruns,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? def) : def;
  };
  const levels = opt('--streams', '100,500').split(',').map(Number);
  const seconds = Number(opt('--seconds', '8'));
  const rows = [];
  for (const n of levels) {
    // A level that cannot keep up (e.g. on an overloaded machine) is reported as such, not waited on forever.
    const limitMs = seconds * 1000 + 90_000;
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      level(n, seconds),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), limitMs))),
    ]);
    clearTimeout(timer);
    if (r === undefined) {
      process.stdout.write(
        `streams=${n}: did not complete within ${limitMs / 1000} s (simulators or server starved)\n`,
      );
      for (const c of children) c.kill('SIGKILL');
      continue;
    }
    rows.push(r);
    const perCall = r.out.cpuMs / r.out.wallMs / n; // fraction of a core per call
    process.stdout.write(
      `streams=${n}: server CPU ${(perCall * 100).toFixed(3)} % of a core per call (${((r.out.cpuMs / r.out.wallMs) * 100).toFixed(1)} % total); ` +
        `pacing lateness p50 ${r.out.lateP50.toFixed(2)} ms, p99 ${r.out.lateP99.toFixed(2)} ms, max ${r.out.lateMax.toFixed(1)} ms over ${r.out.frames} frames; ` +
        `baseline bare-timer p99 ${r.baseline.p99.toFixed(2)} ms (ratio ${(r.out.lateP99 / Math.max(0.01, r.baseline.p99)).toFixed(1)}x); ` +
        `event-loop delay p99 ${r.out.loopDelayP99.toFixed(1)} ms; client arrival |gap-20| p99 ${r.gapP99.toFixed(1)} ms; ` +
        `server CPU ${((r.out.cpuMs * 1000) / Math.max(1, r.out.frames)).toFixed(1)} µs per outbound frame (incl. its inbound frame); ` +
        `schedule restarts ${r.out.restarts}; client underruns ${r.underruns}; simulator CPU ${((r.simCpuMs / r.out.wallMs) * 100).toFixed(0)} %\n`,
    );
  }
  process.stdout.write(JSON.stringify(rows) + '\n');
  process.exit(0); // simulators of an abandoned level may still hold sockets
}

if (process.argv.includes('--server')) void serverMain();
else
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${String((e as Error)?.stack ?? e)}\n`);
    process.exitCode = 1;
  });
