import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadDsp } from '../src/dsp/index.js';
import { synthesizePhoneAudio } from '../src/audio/speech.js';
import { freePort } from '../src/net/free-port.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { FakeTwilio } from '../src/sim/fake-twilio.js';
import { answerInbound } from '../src/sim/inbound.js';
import type { SimulatedStream } from '../src/sim/media-client.js';
import type { MemSample, SoakMsg, SoakServerSettings } from './soak-server.js';

// Waves of simultaneous offline calls against ONE server process, and its memory after each wave and after a quiet
// period with full GCs: does what a call allocates outside the V8 heap (WASM memories, worker threads, buffers)
// come back when the calls end? Each call is an inbound call as Twilio makes it (signed voice webhook, then the
// media stream the TwiML names), answered by a simulated receptionist who speaks flite-synthesised answers (so the
// offline recogniser really decodes), and who hangs up after `turns` answers. Used by bench/soak.ts and
// test/acceptance/soak.test.ts.

export interface SoakOptions {
  /** Simultaneous calls per wave. */
  calls: number;
  waves: number;
  /** Answers the receptionist gives before she hangs up. */
  turns: number;
  /** Quiet period before the final sample (the GCs come after it). */
  quietMs: number;
  /** Count live WebAssembly memories in the server (a FinalizationRegistry; small overhead). */
  census?: boolean;
  /** Extra Node/V8 flags for the server process. */
  serverFlags?: string[];
  progress?: (line: string) => void;
}

export interface WaveResult {
  /** Calls that connected and ended (by either side) within the wave's time limit. */
  completed: number;
  /** Calls that never connected (upgrade refused, webhook failed). */
  failed: number;
  seconds: number;
  /** Memory right after the wave's calls ended, before any forced GC. */
  after: MemSample;
  /** The same after full GCs. */
  afterGc: MemSample;
}

export interface SoakResult {
  /** The server just started (database open and migrated, providers chosen), before any call, after full GCs. */
  started: MemSample;
  /** After one warm-up call (every lazily loaded module, model and worker in place), the quiet period (an idle
   * decoding thread is stopped) and full GCs: what the server keeps between calls. */
  baseline: MemSample;
  waves: WaveResult[];
  /** After the last wave, the quiet period and full GCs. */
  final: MemSample;
}

const LINES = [
  'we are open from six a.m. to ten p.m. monday through friday',
  'a monthly membership is forty nine dollars',
  'we have yoga spin and pilates classes',
];
/** No call may hold a wave open for ever: a call still up after this long is hung up by the receptionist. */
const CALL_LIMIT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class SoakServer {
  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(settings: SoakServerSettings, flags: string[]): Promise<SoakServer> {
    // Under a TypeScript loader (tests) this module is a .ts file and so is the server's.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const proc = fork(new URL(`./soak-server${ext}`, import.meta.url), [JSON.stringify(settings)], {
      execArgv: [...process.execArgv, '--expose-gc', ...flags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<SoakMsg>((resolve, reject) => {
      proc.once('message', resolve);
      proc.once('exit', (code) => reject(new Error(`soak server exited with ${code} during start-up`)));
    });
    if (ready.kind !== 'ready') throw new Error(`soak server failed to start: ${JSON.stringify(ready)}`);
    return new SoakServer(proc, ready.port);
  }

  mem(quietMs: number, gc: boolean): Promise<MemSample> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the soak server gave no memory sample in 60 s')), 60_000);
      const on = (m: SoakMsg) => {
        if (m.kind !== 'mem') return;
        clearTimeout(timer);
        this.proc.off('message', on);
        resolve(m.sample);
      };
      this.proc.on('message', on);
      this.proc.send({ kind: 'mem', quietMs, gc });
    });
  }

  /** Bounded: a server that does not exit within 10 s is killed. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.send({ kind: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface Caller {
  base: string;
  accountSid: string;
  authToken: string;
  lines: Int16Array[];
  turns: number;
}

/** One inbound call, start to end; resolves with why it never connected, or undefined once it has ended. */
async function oneCall(c: Caller, dsp: ReturnType<typeof loadDsp>, k: number): Promise<string | undefined> {
  let stream: SimulatedStream;
  try {
    stream = await answerInbound({
      localBaseUrl: c.base,
      publicBaseUrl: c.base,
      authToken: c.authToken,
      accountSid: c.accountSid,
      dsp,
      from: `+1555010${String(1000 + (k % 9000)).padStart(4, '0')}`,
    });
  } catch (e) {
    return `not connected: ${(e as Error).message.slice(0, 120)}`;
  }
  const limit = setTimeout(() => void stream.hangUp(), CALL_LIMIT_MS);
  let ended = false;
  void stream.closed.then(() => (ended = true));
  let heard: (() => void) | undefined;
  stream.onAgentAudio(() => heard?.());
  const agentSpoke = () => new Promise<void>((r) => (heard = r));
  // The receptionist answers each question once the agent has finished it, then hangs up.
  for (let t = 0; t < c.turns && !ended; t++) {
    await Promise.race([agentSpoke().then(() => stream.agentIdle(700)), stream.closed]);
    if (ended) break;
    await Promise.race([stream.say(c.lines[(k + t) % c.lines.length] as Int16Array), stream.closed]);
  }
  if (!ended) await Promise.race([agentSpoke().then(() => stream.agentIdle(700)), stream.closed, sleep(15_000)]);
  await stream.hangUp();
  clearTimeout(limit);
  return undefined;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const t0 = performance.now();
  const progress = (line: string) => o.progress?.(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
  const dsp = loadDsp();
  const accountSid = 'AC' + randomBytes(16).toString('hex');
  const authToken = randomBytes(16).toString('hex');
  // The agent's hang-up goes to Twilio's REST API; the fake answers it (404 for calls it did not place, which the
  // agent treats as done) so nothing leaves the machine.
  const twilio = new FakeTwilio({ accountSid, authToken, dsp });
  const twilioUrl = await twilio.listen();
  const voice = new FliteTts({ voice: 'slt', mode: 'inline' });
  const lines = await Promise.all(LINES.map(async (l) => (await synthesizePhoneAudio(voice, dsp, l)).pcm));
  const port = await freePort();
  const settings = { port, twilioUrl, accountSid, authToken, census: o.census ?? false };
  const server = await SoakServer.start(settings, o.serverFlags ?? []);
  const caller: Caller = { base: `http://127.0.0.1:${port}`, accountSid, authToken, lines, turns: o.turns };
  const wave = async (n: number, first: number) => {
    const t0 = performance.now();
    // Calls ring 100 ms apart, as a burst of real calls would (the server commits each call row before it answers
    // the webhook; all of a wave in the same millisecond only measures the embedded database's queue).
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_v, i) => sleep(i * 100).then(() => oneCall(caller, dsp, first + i))),
    );
    // The server ends a call a moment after its stream closes (wrap-up, database writes): wait for that.
    for (let i = 0; i < 100; i++) {
      const m = await server.mem(0, false);
      if (m.activeCalls === 0) break;
      await sleep(100);
    }
    const why = [...new Set(outcomes.filter((x) => x !== undefined))];
    if (why.length > 0) progress(`  calls that failed: ${why.join('; ')}`);
    const completed = outcomes.filter((x) => x === undefined).length;
    return { completed, failed: n - completed, seconds: (performance.now() - t0) / 1000 };
  };
  try {
    const started = await server.mem(0, true);
    progress(`started ${fmt(started)}`);
    await wave(1, 0);
    const baseline = await server.mem(o.quietMs, true);
    progress(`baseline ${fmt(baseline)}`);
    const waves: WaveResult[] = [];
    for (let w = 0; w < o.waves; w++) {
      const r = await wave(o.calls, (w + 1) * o.calls);
      const after = await server.mem(0, false);
      const afterGc = await server.mem(0, true);
      waves.push({ ...r, after, afterGc });
      progress(`wave ${w + 1}: ${r.completed}/${o.calls} calls in ${r.seconds.toFixed(0)} s; after ${fmt(after)}`);
      progress(`        after gc ${fmt(afterGc)}`);
    }
    const final = await server.mem(o.quietMs, true);
    progress(`after ${o.quietMs / 1000} s quiet + gc ${fmt(final)}`);
    return { started, baseline, waves, final };
  } finally {
    await server.stop();
    await twilio.close();
  }
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

export function fmt(m: MemSample): string {
  const parts = Object.entries(m.wasmByPackage ?? {}).map(([p, b]) => `${p} ${mb(b)}`);
  const wasm = m.wasmMemories === undefined ? '' : `, ${m.wasmMemories} WASM memories (${parts.join(', ')})`;
  return `rss ${mb(m.rss)}, external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)}, heap ${mb(m.heapUsed)}${wasm}`;
}
