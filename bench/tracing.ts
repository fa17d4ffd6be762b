import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { AgentTurnLedger, CallerTurnLedger } from '../machines/events.js';
import { createLogger } from '../src/log.js';
import { emptyFacts } from '../src/facts/model.js';
import { DEEPGRAM_CAPABILITIES } from '../src/providers/asr/deepgram.js';
import type { AsrProvider } from '../src/providers/asr/types.js';
import type { LlmChunk, LlmProvider } from '../src/providers/llm/types.js';
import type { TtsProvider } from '../src/providers/tts/types.js';
import { NO_CALL_TRACE, type CallTrace } from '../src/tracing/call-trace.js';
import { startTracing, type Tracing } from '../src/tracing/tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { cpuNow, median } from './machine-cost.js';

// What tracing costs a call, against a baseline in the same run. One simulated call drives exactly what the session
// does per call and per turn (src/call/session.ts, ports.ts): providers wrapped by the call's trace, the recogniser
// fed 50 frames a second, per turn the latency stamps, one LLM request streamed, three TTS requests played, the
// ledger events; fake providers, no network, no machine. Variants, interleaved round by round:
//   baseline  the same work with no tracing code at all (a build without it);
//   off       the shipped default without OTEL_EXPORTER_OTLP_ENDPOINT: NO_TRACING, the no-op trace at every point;
//   on-drop   tracing on, spans batched to an exporter that drops them (our recording + the SDK's spans);
//   on-otlp   tracing on, OTLP/HTTP JSON to a collector in another process (what production pays).
// Process CPU (user + system) per turn; medians over rounds. The order of the variants turns round by round, so
// the garbage one leaves for the next is spread over all of them (a forced GC between rounds was tried: it flushes
// compiled code and made every variant slower).
//
//   npm run build && npm run bench:tracing [-- --calls 20 --turns 10 --rounds 7]

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const CALLS = arg('calls', 20);
const TURNS = arg('turns', 10);
const ROUNDS = arg('rounds', 7);
/** A turn: the caller speaks and the agent answers, about 5 s of audio in at 50 frames a second. */
const FRAMES_PER_TURN = 250;
const LLM_CHUNKS = 30;
const TTS_REQUESTS = 3;
const TTS_CHUNKS = 25;

const frame = new Uint8Array(160);
let sink = 0;

const asr: AsrProvider = {
  name: 'fake-asr',
  model: 'm',
  capabilities: DEEPGRAM_CAPABILITIES,
  open: async () => ({ push: (b) => void (sink += b.length), finalize: () => undefined, close: async () => undefined }),
};

const llm: LlmProvider = {
  name: 'fake-llm',
  model: 'm',
  capabilities: { streaming: true, tools: true },
  async *respond(input): AsyncIterable<LlmChunk> {
    input.onMetric?.({ kind: 'llm-first-token', provider: 'fake-llm', ms: 1 });
    for (let i = 0; i < LLM_CHUNKS; i++) yield { type: 'text', delta: 'word ' };
    input.onUsage?.({ inputTokens: 500, outputTokens: LLM_CHUNKS });
    yield { type: 'done', finishReason: 'stop' };
  },
};

const pcm = new Uint8Array(1920);
const tts: TtsProvider = {
  name: 'fake-tts',
  capabilities: { sampleRate: 24000, streaming: true },
  synthesize: async (_text, _signal, request) => {
    request?.onMetric?.({ kind: 'tts-first-byte', provider: 'fake-tts', ms: 1 });
    return {
      sampleRate: 24000,
      provider: 'fake-tts',
      chunks: (async function* () {
        for (let i = 0; i < TTS_CHUNKS; i++) yield pcm;
      })(),
    };
  },
};

const INPUT = {
  gymName: 'Gym',
  direction: 'outbound' as const,
  facts: emptyFacts(),
  missing: [],
  asked: [],
  history: [],
  reason: 'reply' as const,
};

const callerTurn = (callId: string, seq: number): CallerTurnLedger => ({
  type: 'ledger.callerTurn',
  callId,
  seq,
  text: 'we open at six',
  confidence: 0.9,
  startMs: 0,
  endMs: 1,
  endpoint: 'semantic',
});

const agentTurn = (callId: string, seq: number, ids: string[]): AgentTurnLedger => ({
  type: 'ledger.agentTurn',
  callId,
  seq,
  reason: 'reply',
  text: 't',
  heardText: 't',
  interrupted: false,
  startMs: 0,
  endMs: 1,
  utterances: ids.map((utteranceId) => ({
    utteranceId,
    text: 't',
    heardText: 't',
    status: 'played',
    startMs: 0,
    endMs: 1,
  })),
});

/** One call as the session drives it; `trace` undefined is the build without tracing. */
async function call(n: number, trace: CallTrace | undefined): Promise<void> {
  const callId = `call-${n}`;
  const p = trace ? { asr: trace.asr(asr), llm: trace.llm(llm), tts: trace.tts(tts) } : { asr, llm, tts };
  const now = () => performance.now();
  const stream = await p.asr.open({ onEvent: () => undefined });
  for (let turn = 0; turn < TURNS; turn++) {
    for (let f = 0; f < FRAMES_PER_TURN; f++) stream.push(frame);
    trace?.asrFinal(now(), 100);
    trace?.emitted(callerTurn(callId, 2 * turn + 1));
    trace?.replyRequested(now());
    let first = true;
    for await (const c of p.llm.respond(INPUT, new AbortController().signal)) {
      if (first && c.type === 'text') trace?.llmFirstChunk(now());
      first = false;
    }
    const ids: string[] = [];
    for (let s = 0; s < TTS_REQUESTS; s++) {
      const id = `${callId}:u${turn * TTS_REQUESTS + s}`;
      ids.push(id);
      trace?.synthRequested(id, now());
      const audio = await p.tts.synthesize('A sentence.', new AbortController().signal);
      trace?.synthResolved(id, now());
      let firstFrame = true;
      for await (const c of audio.chunks) {
        if (firstFrame) trace?.firstFrame(id, now());
        firstFrame = false;
        sink += c.length;
      }
    }
    trace?.emitted(agentTurn(callId, 2 * turn + 2, ids));
  }
  await stream.close();
  trace?.end({ reason: 'facts-complete' });
}

/**
 * The off path alone, in CPU ns per turn: one turn's hook calls on the no-op trace (the stamps of ports.ts, the
 * ledger events of session.ts) in a tight loop, less the same loop without them.
 */
function noopTurnNs(turns = 2_000_000): number {
  const ct = callerTurn('c', 1);
  const at = agentTurn('c', 2, ['u1', 'u2', 'u3']);
  let x = 0;
  const time = (turn: (i: number) => void): number => {
    const t0 = cpuNow();
    for (let i = 0; i < turns; i++) turn(i);
    return ((cpuNow() - t0) * 1000) / turns;
  };
  const empty = time((i) => void (x += i));
  const hooks = time((i) => {
    x += i;
    NO_CALL_TRACE.asrFinal(i, 100);
    NO_CALL_TRACE.emitted(ct);
    NO_CALL_TRACE.replyRequested(i);
    NO_CALL_TRACE.llmFirstChunk(i);
    for (const id of ['u1', 'u2', 'u3']) {
      NO_CALL_TRACE.synthRequested(id, i);
      NO_CALL_TRACE.synthResolved(id, i);
      NO_CALL_TRACE.firstFrame(id, i);
    }
    NO_CALL_TRACE.emitted(at);
  });
  if (x < 0) console.log(x);
  return hooks - empty;
}

type Variant = 'baseline' | 'off' | 'on-drop' | 'on-otlp';

/**
 * One round: CALLS calls, then the tracing's shutdown, which sends what the batch processor still holds, so a
 * round pays for its own spans (a fresh tracing per round, made before the clock starts).
 */
async function round(make: () => Promise<Tracing | undefined>): Promise<number> {
  const tracing = await make();
  const t0 = cpuNow();
  for (let c = 0; c < CALLS; c++) await call(c, tracing?.call({ callId: `call-${c}`, direction: 'outbound' }));
  await tracing?.shutdown();
  return (cpuNow() - t0) / (CALLS * TURNS);
}

/** A collector in a process of its own: its CPU is not ours. Answers every POST /v1/traces with 200. */
function collectorMain(): void {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      spans += (body.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', () => {
    process.send?.({ spans });
    server.close();
    process.exit(0);
  });
}

/** Drops every batch, as a collector that accepted it would. */
const DROP: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

async function main(): Promise<void> {
  const log = createLogger('error');
  const loadedOtel = () =>
    Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@opentelemetry'));
  const options = { log, instanceId: 'bench' };
  await startTracing(undefined, options);
  const offModules = loadedOtel().length;
  const child = fork(fileURLToPath(import.meta.url), ['--collector']);
  const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
  const settings = { url: `http://127.0.0.1:${port}/v1/traces`, headers: {}, serviceName: 'bench' };
  const t1 = performance.now();
  const { otlpTracing } = await import('../src/tracing/otlp.js');
  const loadMs = performance.now() - t1;
  const variants: [Variant, () => Promise<Tracing | undefined>][] = [
    ['baseline', async () => undefined],
    ['off', () => startTracing(undefined, options)],
    ['on-drop', async () => otlpTracing(settings, options, DROP)],
    ['on-otlp', () => startTracing(settings, options)],
  ];
  const results = new Map<Variant, number[]>(variants.map(([v]) => [v, []]));
  for (const [, make] of variants) await round(make); // warm-up: JIT every path once
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < variants.length; i++) {
      const [v, make] = variants[(r + i) % variants.length] as (typeof variants)[number];
      results.get(v)?.push(await round(make));
    }
  const base = median(results.get('baseline') ?? []);
  console.log(`tracing bench: ${CALLS} calls × ${TURNS} turns per round, ${ROUNDS} rounds`);
  console.log(
    `@opentelemetry modules loaded with tracing off: ${offModules}; loading the SDK when on: ` +
      `${loadMs.toFixed(0)} ms, ${loadedOtel().length} modules`,
  );
  console.log('| variant | CPU per turn (median) | vs baseline | rounds (µs per turn) |');
  console.log('| --- | ---: | ---: | --- |');
  for (const [v] of variants) {
    const xs = results.get(v) ?? [];
    const m = median(xs);
    const d = m - base;
    const pct = ((m / base - 1) * 100).toFixed(1);
    console.log(
      `| ${v} | ${m.toFixed(1)} µs | ${d >= 0 ? '+' : ''}${d.toFixed(1)} µs (${pct} %) | ${xs.map((x) => x.toFixed(0)).join(', ')} |`,
    );
  }
  child.send('stop');
  const { spans } = await new Promise<{ spans: number }>((r) => child.once('message', r));
  console.log(`the no-op hooks of one turn alone (tight loop, less the empty loop): ${noopTurnNs().toFixed(1)} ns`);
  console.log(`spans received by the collector: ${spans}; bytes through the fakes: ${sink}`);
}

if (process.argv.includes('--collector')) collectorMain();
else await main();
