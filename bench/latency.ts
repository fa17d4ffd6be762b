import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CallResult, ServerStages } from '../src/call/quality.js';
import { DemoEnvironment } from '../src/demo/environment.js';
import { median } from '../src/demo/scenarios.js';
import { synthSpeech } from '../src/fakes/audio.js';
import { FakeDeepgram } from '../src/fakes/deepgram.js';
import { FakeElevenLabs } from '../src/fakes/elevenlabs.js';
import { FakeOpenAi, type ScriptedReply } from '../src/fakes/openai.js';
import { fakeProviderEnv, type FakeUrls } from '../src/fakes/index.js';
import { createLogger } from '../src/log.js';

// Turn latency of the whole server with the cloud providers' real SDKs talking to local protocol fakes
// (Deepgram live WS, OpenAI chat SSE, ElevenLabs streaming), over the real Twilio wire protocol:
//   - voice-to-voice: caller's end of speech → first agent audio frame received by the simulator;
//   - server-added: the machine's end-of-turn decision (reply requested) → first media frame sent; with instant
//     fakes that is our processing plus two SDK round trips over loopback (chat request, TTS request);
//   - server-own: server-added minus the providers' waits (LLM request → first chunk, TTS request → audio accepted),
//     i.e. what the statechart, actors, sentence splitter, resampler/encoder and pacer add themselves.
// Modes, in one run: `instant` fakes; `modelled` fakes (ASR final 150 ms after speech end, LLM first token 350 ms
// then 30 tokens/s, TTS first byte 200 ms); `instant-before` / `modelled-before` = the same fakes with the end of
// turn as it was before issue 15 (no semantic end of turn, Deepgram endpointing 300 ms): same-run baselines;
// `original` = modelled fakes under the original Python system's policy (3.0 s silence wait, then the whole reply,
// a 2.5 s pause, one TTS request for everything).
//
// `modelled-final-only` = modelled with EARLY_REPLY_PAUSE_MS=0: no early reply at her pause on the interim words
// (nor its unbatched audio), the early reply starts at the recogniser's final: the same-run baseline of that change.
// The Deepgram fake sends interims every `--interim-ms` of audio (default 1000, as Deepgram's docs show them) with the
// words heard so far, and in modelled modes 150 ms late like its finals.
//
// `modelled-no-cache` = modelled with TTS_CACHE_MB=0: every line requested, none replayed from the phrase cache
// (src/providers/tts/phrase-cache.ts); its same-run baseline. Each mode starts a new server, so its cache starts
// empty: the first call's lines are requested, and the calls after it replay the short ones they share.
//
// `late-final` = instant fakes, but the recogniser's final comes 600 ms after the end of speech, i.e. after the
// 400 ms end-of-turn wait: preemptive generation (and so TTS prefetch) cannot start before the decision.
// TTS prefetch (src/call/tts-prefetch.ts, TTS_PREFETCH) is measured on and off in the same run (`--prefetch`);
// the original policy always runs without it.
//
// The fakes run in a child process (they stand for remote services; `--fakes-in-process` puts them on the server's
// event loop, as the first version of this benchmark did).
//
// `--vad KIND` sets VAD_KIND (default: the configured default). The caller here is synthetic (harmonic tones with a
// speech-like envelope, src/fakes/audio.ts): the energy-based detectors hear it as speech, a neural one may not.
//
//   npm run build && npm run bench:latency [-- --calls 3] [--json] [--prefetch both|on|off] [--fakes-in-process]
//                    [--vad hybrid] [--interim-ms 1000]
//                    [--modes instant,instant-before,modelled,modelled-before,original,late-final]

const PHONE = '+12015550199';
// Punctuated as Deepgram returns them (the client asks for punctuate and smart_format): a final period is the
// recogniser's judgement that the sentence is finished, which the semantic end of turn uses.
const CALLER_LINES = [
  'Hello.',
  'We are open six a.m. to ten p.m. every day.',
  'It is forty nine dollars a month.',
  'We have yoga and spin classes.',
];
// The scripted model answers by how many caller turns the conversation has: ask the next question, and after
// the last answer say goodbye and end the call.
function scriptedReply(body: Record<string, unknown>): ScriptedReply {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: string }[]) : [];
  const callerTurns = messages.filter((m) => m.role === 'user').length;
  if (callerTurns >= CALLER_LINES.length)
    return {
      text: "Thank you, that's everything I needed. Goodbye!",
      toolCalls: [{ name: 'end_call', arguments: '{"reason":"facts-complete"}' }],
      finishReason: 'tool_calls',
    };
  const questions = ['What are your opening hours?', 'How much does a membership cost?', 'Which classes do you offer?'];
  return { text: `Thanks. ${questions[Math.min(questions.length - 1, Math.max(0, callerTurns - 1))] ?? ''}` };
}

type Mode =
  | 'instant'
  | 'instant-before'
  | 'modelled'
  | 'modelled-before'
  | 'modelled-final-only'
  | 'modelled-no-cache'
  | 'original'
  | 'late-final';

interface ModeResult {
  mode: Mode;
  prefetch: boolean;
  calls: number;
  voiceToVoiceMs: number[];
  serverAddedMs: number[];
  serverOwnMs: number[];
  stages: ServerStages[];
  endpointWaitMs: number;
  errors: string[];
}

function pct(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

function callerPcm(line: string): Int16Array {
  const b = synthSpeech(line, { sampleRate: 8000 });
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
}

type FakesMsg = { kind: 'ready'; urls: FakeUrls } | { kind: 'stop' };

/** The three protocol fakes with the mode's timing (in whichever process runs them). */
async function startFakes(
  mode: Mode,
  calls: number,
  interimMs: number,
): Promise<{ urls: FakeUrls; close: () => Promise<void> }> {
  const modelled = mode.startsWith('modelled') || mode === 'original';
  const finalDelayMs = mode === 'late-final' ? LATE_FINAL_MS : modelled ? 150 : 0;
  // Interims take the recogniser's latency too (modelled: the final's 150 ms).
  const deepgram = await new FakeDeepgram({
    lines: repeatLines(calls),
    finalDelayMs,
    interimMs,
    interimDelayMs: modelled ? 150 : 0,
  }).start();
  const openai = await new FakeOpenAi({
    chat: modelled ? { firstTokenMs: 350, tokensPerSec: 30 } : { firstTokenMs: 0, tokensPerSec: 0 },
    reply: scriptedReply,
  }).start();
  const eleven = await new FakeElevenLabs({ timing: { firstByteMs: modelled ? 200 : 0 } }).start();
  return {
    urls: { deepgram: deepgram.url, openai: openai.url, eleven: eleven.url },
    close: async () => {
      await Promise.all([deepgram.close(), openai.close(), eleven.close()]);
    },
  };
}

// The vendors' services do not run on our event loop: by default the fakes get a process of their own, so what
// they compute (the TTS fake synthesises each sentence before answering) is not counted as our server's time.
async function fakesProcess(
  mode: Mode,
  calls: number,
  interimMs: number,
): Promise<{ urls: FakeUrls; close: () => Promise<void> }> {
  const args = ['--role', 'fakes', '--mode', mode, '--calls', String(calls), '--interim-ms', String(interimMs)];
  const proc = fork(fileURLToPath(import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const urls = await new Promise<FakeUrls>((resolve, reject) => {
    proc.once('message', (m: FakesMsg) => (m.kind === 'ready' ? resolve(m.urls) : reject(new Error('bad message'))));
    proc.once('exit', (code) => reject(new Error(`the fakes process exited with ${code}`)));
  });
  return {
    urls,
    close: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.send({ kind: 'stop' } satisfies FakesMsg);
      await exited;
    },
  };
}

async function fakesRole(mode: Mode, calls: number, interimMs: number): Promise<void> {
  const fakes = await startFakes(mode, calls, interimMs);
  const stopped = new Promise<void>((resolve) =>
    process.on('message', (m: FakesMsg) => {
      if (m.kind === 'stop') resolve();
    }),
  );
  process.send?.({ kind: 'ready', urls: fakes.urls } satisfies FakesMsg);
  await stopped;
  await fakes.close();
}

async function runMode(
  mode: Mode,
  calls: number,
  fakesInProcess: boolean,
  prefetch: boolean,
  vad: string | undefined,
  interimMs: number,
): Promise<ModeResult> {
  const fakes = fakesInProcess ? await startFakes(mode, calls, interimMs) : await fakesProcess(mode, calls, interimMs);
  const { urls } = fakes;
  const endpointWaitMs = mode === 'original' ? 3000 : 400;
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-bench-latency-'));
  const log = createLogger('error');
  const env = await DemoEnvironment.start({
    dataDir,
    log,
    env: {
      ...fakeProviderEnv(urls),
      ASR_PROVIDER: 'deepgram',
      LLM_PROVIDER: 'openai',
      TTS_PROVIDERS: 'elevenlabs',
      ENDPOINT_SHORT_MS: String(endpointWaitMs),
      TTS_PREFETCH: String(prefetch),
      ...(vad === undefined ? {} : { VAD_KIND: vad }),
      // The original policy had neither of the machine's latency features (docs/call-machine.md).
      ...(mode === 'original'
        ? {
            ENDPOINT_SEMANTIC_MS: '3000',
            ENDPOINT_LONG_MS: '3000',
            ENDPOINT_MAX_MS: '3000',
            ENDPOINT_FROM_LAST_VOICE: 'false',
            PREEMPTIVE_GENERATION: 'false',
          }
        : {}),
      // Before issue 15: one complete-utterance wait, and Deepgram closing words after 300 ms of silence.
      ...(mode === 'instant-before' || mode === 'modelled-before'
        ? { ENDPOINT_SEMANTIC_MS: String(endpointWaitMs), DEEPGRAM_ENDPOINTING_MS: '300' }
        : {}),
      // Without the early reply at her pause (and its unbatched audio): the early reply starts at the final.
      ...(mode === 'modelled-final-only' ? { EARLY_REPLY_PAUSE_MS: '0' } : {}),
      // Every line requested again, as before the phrase cache; the original policy had none either.
      ...(mode === 'modelled-no-cache' || mode === 'original' ? { TTS_CACHE_MB: '0' } : {}),
      LOG_LEVEL: 'error',
    },
    ...(mode === 'original' ? { replyPolicy: { kind: 'whole-reply' as const, pauseMs: 2500 } } : {}),
  });
  const out: ModeResult = {
    mode,
    prefetch,
    calls,
    voiceToVoiceMs: [],
    serverAddedMs: [],
    serverOwnMs: [],
    stages: [],
    endpointWaitMs,
    errors: [],
  };
  try {
    for (let c = 0; c < calls; c++) {
      env.routing.callees.set(PHONE, async (stream) => {
        let agentFrames = 0;
        stream.onAgentAudio(() => agentFrames++);
        // The callee answers first; then each line waits for the agent to have spoken and gone quiet.
        for (const [i, line] of CALLER_LINES.entries()) {
          if (i > 0) {
            const before = agentFrames;
            while (agentFrames === before) await new Promise((r) => setTimeout(r, 20));
            await stream.agentIdle(600);
          }
          await stream.say(callerPcm(line));
        }
      });
      let resolveEnded!: (r: CallResult) => void;
      const ended = new Promise<CallResult>((r) => (resolveEnded = r));
      const callId = await env.placeCall(PHONE, 'Bench Gym');
      env.routing.watch(callId, { ended: (r) => resolveEnded(r) });
      const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000).unref());
      const result = await Promise.race([ended, timeout]);
      const fake = [...env.twilio.calls.values()].at(-1);
      await fake?.done;
      env.routing.unwatch(callId);
      if (result === undefined) {
        out.errors.push(`call ${c + 1} did not end within 120 s`);
        continue;
      }
      if (result.endReason !== 'facts-complete') out.errors.push(`call ${c + 1} ended: ${result.endReason}`);
      // The first caller turn is the callee's "hello"; it is answered with the greeting like any other turn.
      for (const t of fake?.report?.turns ?? []) if (t.responseMs !== undefined) out.voiceToVoiceMs.push(t.responseMs);
      out.serverAddedMs.push(...result.serverAddedMs);
      out.serverOwnMs.push(...result.serverOwnMs);
      out.stages.push(...result.serverStagesMs);
    }
  } finally {
    await env.close();
    await fakes.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return out;
}

function repeatLines(calls: number): string[] {
  return Array.from({ length: calls }, () => CALLER_LINES).flat();
}

const f = (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v)} ms`);
// Stages are small: one decimal.
const g = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

const MODES = [
  'instant',
  'instant-before',
  'modelled',
  'modelled-before',
  'modelled-final-only',
  'modelled-no-cache',
  'original',
  'late-final',
] as const;
const LATE_FINAL_MS = 600;
const label = (r: ModeResult) => (r.mode === 'original' ? r.mode : `${r.mode} ${r.prefetch ? '+pf' : '-pf'}`);
const STAGES = ['llm', 'toTts', 'tts', 'toFrame'] as const;

function stageSummary(r: ModeResult): Record<string, { p50: number | undefined; p99: number | undefined }> {
  return Object.fromEntries(
    STAGES.map((k) => {
      const xs = r.stages.map((s) => s[k]);
      return [k, { p50: pct(xs, 0.5), p99: pct(xs, 0.99) }];
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '3' },
      modes: { type: 'string', default: MODES.join(',') },
      'fakes-in-process': { type: 'boolean', default: false },
      role: { type: 'string', default: 'driver' },
      mode: { type: 'string', default: 'instant' },
      prefetch: { type: 'string', default: 'both' },
      json: { type: 'boolean', default: false },
      vad: { type: 'string' },
      'interim-ms': { type: 'string', default: '1000' },
    },
  });
  const calls = Number(values.calls);
  if (!Number.isInteger(calls) || calls < 1 || calls > 50) throw new Error('--calls must be 1..50');
  const interimMs = Number(values['interim-ms']);
  if (!Number.isInteger(interimMs) || interimMs < 20 || interimMs > 5000)
    throw new Error('--interim-ms must be 20..5000');
  if (values.role === 'fakes') return fakesRole(values.mode as Mode, calls, interimMs);
  const modes = values.modes.split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !(MODES as readonly string[]).includes(m));
  if (unknown.length > 0 || modes.length === 0) throw new Error(`--modes: a list of ${MODES.join(', ')}`);
  const pf = { both: [true, false], on: [true], off: [false] }[values.prefetch];
  if (pf === undefined) throw new Error('--prefetch: both, on or off');
  const runs = MODES.filter((m) => modes.includes(m)).flatMap((mode) =>
    (mode === 'original' ? [false] : pf).map((prefetch) => ({ mode, prefetch })),
  );
  const results: ModeResult[] = [];
  for (const { mode, prefetch } of runs) {
    const name = mode === 'original' ? mode : `${mode}, TTS prefetch ${prefetch ? 'on' : 'off'}`;
    process.stderr.write(`bench:latency: ${name} (${calls} call(s) of ${CALLER_LINES.length} turns)…\n`);
    const r = await runMode(mode, calls, values['fakes-in-process'], prefetch, values.vad, interimMs);
    results.push(r);
    if (values.json) {
      process.stdout.write(
        JSON.stringify({
          mode: r.mode,
          prefetch: r.prefetch,
          turns: r.voiceToVoiceMs.length,
          voiceToVoiceP50: pct(r.voiceToVoiceMs, 0.5),
          voiceToVoiceP99: pct(r.voiceToVoiceMs, 0.99),
          serverAddedP50: pct(r.serverAddedMs, 0.5),
          serverAddedP99: pct(r.serverAddedMs, 0.99),
          serverOwnP50: pct(r.serverOwnMs, 0.5),
          serverOwnP99: pct(r.serverOwnMs, 0.99),
          stages: stageSummary(r),
          endpointWaitMs: r.endpointWaitMs,
          loadAverage: loadavg()[0],
          errors: r.errors,
        }) + '\n',
      );
    }
  }
  if (values.json) return;
  const lines = [
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min)`,
    'mode (+pf/-pf: TTS prefetch on/off)',
    'mode             turns  voice-to-voice p50 / p99   server-added p50 / p99   server-own p50 / p99   endpoint wait',
    ...results.map(
      (r) =>
        `${label(r).padEnd(15)}  ${String(r.voiceToVoiceMs.length).padStart(5)}  ` +
        `${`${f(pct(r.voiceToVoiceMs, 0.5))} / ${f(pct(r.voiceToVoiceMs, 0.99))}`.padEnd(25)}  ` +
        `${`${f(pct(r.serverAddedMs, 0.5))} / ${f(pct(r.serverAddedMs, 0.99))}`.padEnd(23)}  ` +
        `${`${f(pct(r.serverOwnMs, 0.5))} / ${f(pct(r.serverOwnMs, 0.99))}`.padEnd(21)}  ${r.endpointWaitMs} ms`,
    ),
    '',
    'server-added by stage, p50 / p99 (llm: request → first chunk; toTts: → first TTS request;',
    '  tts: → first audio bytes; toFrame: → first media frame sent)',
    ...results.map((r) => {
      const st = stageSummary(r);
      return `${label(r).padEnd(15)}  ${STAGES.map((k) => `${k} ${g(st[k]?.p50)} / ${g(st[k]?.p99)}`).join('   ')}`;
    }),
  ];
  // Headline figures: the default configuration (prefetch on) when it ran.
  const pick = (mode: Mode) =>
    results.find((r) => r.mode === mode && r.prefetch) ?? results.find((r) => r.mode === mode);
  const inst = pick('instant');
  const mod = pick('modelled');
  const orig = results.find((r) => r.mode === 'original');
  const mv = median(mod?.voiceToVoiceMs ?? []);
  const ov = median(orig?.voiceToVoiceMs ?? []);
  if (mv !== undefined && ov !== undefined)
    lines.push('', `original policy / ours (modelled), median voice-to-voice: ${(ov / mv).toFixed(1)}x`);
  if (inst)
    lines.push(
      `targets: server-added p50 <= 5 ms (${label(inst)}: ${f(pct(inst.serverAddedMs, 0.5))}; own ${f(pct(inst.serverOwnMs, 0.5))}), ` +
        `p99 <= 20 ms (${label(inst)}: ${f(pct(inst.serverAddedMs, 0.99))}; own ${f(pct(inst.serverOwnMs, 0.99))})`,
    );
  if (mod) lines.push(`modelled voice-to-voice <= endpoint wait + 600 ms = ${mod.endpointWaitMs + 600} ms (${f(mv)})`);
  for (const r of results) for (const e of r.errors) lines.push(`note (${label(r)}): ${e}`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:latency: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
