import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { InspectionEvent } from 'xstate';
import { synthesizePhoneAudio } from '../src/audio/speech.js';
import { ulawLevelDbfs } from '../src/audio/ulaw-level.js';
import { DemoEnvironment } from '../src/demo/environment.js';
import { loadDsp } from '../src/dsp/index.js';
import { createLogger } from '../src/log.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { median } from './machine-cost.js';

// The offline recogniser on the event loop (ASR_OFFLINE_THREADS=0, as before) against worker threads (the
// default), in the same run: outbound calls through the whole offline server (fake Twilio, Media Streams, the call
// machine), `--calls` at once per round, each gym answering with a person's hello and then waiting. Per call:
//   greet     her hello's last voiced frame → the agent's first audio (SPEAKER.STARTED): how soon she is greeted;
//   vadLag    the VAD's silence edge seen (detectedAtMs) minus the edge's own time minus its 200 ms hangover:
//             how late the server handled her audio;
//   stall     the event loop's longest delay (perf_hooks, 5 ms resolution) during the call (every call of the
//             process waits that long: media pacing, VAD, statechart).
// Rounds alternate the order of the two servers. Medians over all calls of each mode.
//
//   npm run build && node dist/bench/asr-workers.js [--rounds 4] [--calls 2]

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg('rounds', 4);
const CALLS = arg('calls', 2);
const HELLOS = [
  ['Hello, Echo Gym, how can I help you?', 'slt'],
  ['Iron Works Fitness, this is Sam speaking.', 'kal16'],
  ['Good afternoon, Harbor Athletic Club, how may I help?', 'slt'],
] as const;
const HANGOVER_MS = 200;

type Mode = 'event-loop' | 'threads';
interface Sample {
  /** Which of HELLOS she said. */
  hello: number;
  greet: number;
  vadLag: number;
  stall: number;
}

const dsp = loadDsp();
const hellos = await Promise.all(
  HELLOS.map(async ([text, voice]) => {
    const { pcm, mulaw } = await synthesizePhoneAudio(
      new FliteTts({ voice, mode: 'inline', levelDbfs: null }),
      dsp,
      text,
    );
    return { pcm, speechEndMs: lastVoicedMs(mulaw) };
  }),
);

/** End of the last 20 ms frame above −40 dBFS (as the line carries it): where her hello's voice stops. */
function lastVoicedMs(mulaw: Uint8Array): number {
  let end = 0;
  for (let f = 0; (f + 1) * 160 <= mulaw.length; f++)
    if (ulawLevelDbfs(mulaw.subarray(f * 160, (f + 1) * 160)) > -40) end = (f + 1) * 20;
  return end;
}

interface Server {
  env: DemoEnvironment;
  dir: string;
  /** Per call id: when its first agent audio started and the VAD's silence edges (wall ms). */
  spoke: Map<string, number>;
  lags: Map<string, number[]>;
}

async function startServer(mode: Mode): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), `bench-asr-${mode}-`));
  const spoke = new Map<string, number>();
  const lags = new Map<string, number[]>();
  const inspect = (e: InspectionEvent): void => {
    if (e.type !== '@xstate.event') return;
    const snap = e.actorRef.getSnapshot() as { context?: { callId?: string } } | undefined;
    const id = snap?.context?.callId;
    if (id === undefined) return;
    const ev = e.event as { type: string; atMs?: number; detectedAtMs?: number };
    if (ev.type === 'SPEAKER.STARTED' && !spoke.has(id)) spoke.set(id, performance.now());
    if (ev.type === 'VAD.SILENCE' && ev.atMs !== undefined && ev.detectedAtMs !== undefined)
      lags.set(id, [...(lags.get(id) ?? []), ev.detectedAtMs - ev.atMs - HANGOVER_MS]);
  };
  const env = await DemoEnvironment.start({
    dataDir: dir,
    log: createLogger('silent'),
    inspect,
    env: { ASR_OFFLINE_THREADS: mode === 'event-loop' ? '0' : 'auto' },
  });
  return { env, dir, spoke, lags };
}

let phoneNo = 0;
async function oneCall(s: Server, k: number): Promise<Sample> {
  const hello = hellos[k % hellos.length]!;
  const phone = `+1201555${String(1000 + (phoneNo++ % 9000)).padStart(4, '0')}`;
  let t0 = 0;
  let over = false;
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const call: { id?: string } = {};
  s.env.routing.callees.set(phone, async (stream) => {
    t0 = performance.now();
    await stream.say(hello.pcm);
    // She waits for the greeting, then hangs up once the agent has talked for a second.
    for (let i = 0; i < 100 && !over; i++) {
      await stream.say(new Int16Array(800));
      const spoke = call.id === undefined ? undefined : s.spoke.get(call.id);
      if (spoke !== undefined && performance.now() - spoke > 1000) break;
    }
    await stream.hangUp();
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const callId = await s.env.placeCall(phone, 'Echo Gym');
  call.id = callId;
  s.env.routing.watch(callId, { ended: () => ((over = true), ended()) });
  await done;
  loop.disable();
  const longest = loop.max / 1e6;
  const spokeAt = s.spoke.get(callId) ?? Number.NaN;
  const lag = s.lags.get(callId) ?? [];
  return {
    greet: spokeAt - (t0 + hello.speechEndMs),
    vadLag: lag[0] ?? Number.NaN,
    stall: longest,
    hello: k % hellos.length,
  };
}

const servers: Record<Mode, Server> = {
  'event-loop': await startServer('event-loop'),
  threads: await startServer('threads'),
};
const samples: Record<Mode, Sample[]> = { 'event-loop': [], threads: [] };
const load0 = loadavg()[0]!;
for (let r = 0; r < ROUNDS; r++) {
  const order: Mode[] = r % 2 === 0 ? ['event-loop', 'threads'] : ['threads', 'event-loop'];
  for (const mode of order) {
    const got = await Promise.all(Array.from({ length: CALLS }, (_, k) => oneCall(servers[mode], r + k)));
    samples[mode].push(...got);
    console.error(
      `round ${r + 1}/${ROUNDS} ${mode}: ${got.map((g) => `hello ${g.hello}: greet ${g.greet.toFixed(0)} ms, stall ${g.stall.toFixed(0)} ms`).join('; ')}`,
    );
  }
}
const fmt = (xs: number[]): string => {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length === 0 ? 'n/a' : `${median(ok).toFixed(0)} (max ${Math.max(...ok).toFixed(0)})`;
};
console.log(
  `| recogniser | calls | greet after her hello, ms: median (max) | greeted inside her hello | VAD edge handled late, ms | longest event-loop stall, ms |`,
);
console.log('| --- | ---: | --- | ---: | --- | --- |');
for (const mode of ['event-loop', 'threads'] as const) {
  const s = samples[mode];
  const inside = s.filter((x) => x.greet < 0).length;
  console.log(
    `| ${mode} | ${s.length} | ${fmt(s.map((x) => x.greet))} | ${inside} | ${fmt(s.map((x) => x.vadLag))} | ${fmt(s.map((x) => x.stall))} |`,
  );
}
console.log(
  `load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores), ${ROUNDS} rounds of ${CALLS} calls at once`,
);
for (const s of Object.values(servers)) {
  await s.env.close();
  await rm(s.dir, { recursive: true, force: true });
}
