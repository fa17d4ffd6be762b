import { frames20ms, synthesizePhoneAudio } from '../src/audio/speech.js';
import { activeSpeechLevelDbfs } from '../src/audio/level.js';
import { loadDsp } from '../src/dsp/index.js';
import { OfflineAsrWorkers } from '../src/providers/asr/offline-workers.js';
import type { AsrStream } from '../src/providers/asr/types.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { LineBackground } from '../src/sim/noise/index.js';
import { median } from './machine-cost.js';

// How long a noisy line's final takes once her turn ends, with Moonshine on its own thread (the default) against
// Moonshine on the decoding thread between its streams' frames (as before). Each call is one caller leg: music at
// 15 dB under three answers (2, 4 and 9 s), paced in real time in 20 ms frames as Twilio sends them, every call of a
// variant on one decoding thread (`--calls` noisy calls at once, the decoding thread's share of a busy server).
// 500 ms after each answer the stream is finalized, as the call does on its detector's silence edge, and the time
// from that finalize() to the final that answers it is what the end of her turn waits for. Variants alternate
// round by round and start in turn. Usage: node dist/bench/moonshine-latency.js [--rounds 2] [--calls 3]

const ANSWERS = [
  'It is forty nine dollars a month.',
  'We are open from six a.m. to ten p.m. every day.',
  'Monday through Friday we open at five a.m. and close at eleven p.m., Saturday from seven a.m. to eight p.m., ' +
    'and we are closed on Sunday.',
];
/** Music alone first: the line's noise is measured over 10 s before Moonshine gives its finals (line-snr.ts). */
const LEAD_MS = 12_000;
const GAP_MS = 2500;
const FINALIZE_AFTER_MS = 500;
const VARIANTS = ['own-thread', 'decoding-threads'] as const;
type Variant = (typeof VARIANTS)[number];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const dsp = loadDsp();
const tts = new FliteTts({ voice: 'slt', mode: 'inline' });

/** The leg's μ-law and the sample at which each answer ends. */
async function leg(seed: number): Promise<{ mulaw: Uint8Array; ends: number[] }> {
  const voices: Int16Array[] = [];
  for (const a of ANSWERS) voices.push((await synthesizePhoneAudio(tts, dsp, a)).pcm);
  const total = voices.reduce((n, v) => n + v.length + GAP_MS * 8, LEAD_MS * 8);
  const pcm = new Int16Array(total);
  const ends: number[] = [];
  let at = LEAD_MS * 8;
  for (const v of voices) {
    pcm.set(v, at);
    at += v.length;
    ends.push(at);
    at += GAP_MS * 8;
  }
  const level = activeSpeechLevelDbfs(voices[0] as Int16Array, 8000) ?? -20;
  new LineBackground({ kind: 'music', snrDb: 15, seed }, level).addTo(pcm);
  return { mulaw: dsp.ulawEncode(pcm), ends };
}

/** One answer's wait: which answer of the leg, finalize() → its final, and the final's words. */
interface Wait {
  answer: number;
  ms: number;
  text: string;
}

/** Plays every leg at once in real time; resolves with each answer's finalize() → final wait. */
async function run(variant: Variant, legs: { mulaw: Uint8Array; ends: number[] }[]): Promise<Wait[]> {
  const asr = new OfflineAsrWorkers({ threads: 1, moonshineOn: variant });
  const waits: Wait[] = [];
  const asked: { answer: number; at: number }[][] = legs.map(() => []);
  const streams: AsrStream[] = await Promise.all(
    legs.map((_, i) =>
      asr.open({
        onEvent: (e) => {
          if (e.type === 'error') console.error(`call ${i}: ${e.error.message}`);
          if (e.type !== 'final' || e.flushed !== true) return;
          const a = asked[i]?.shift();
          if (a !== undefined) waits.push({ answer: a.answer, ms: performance.now() - a.at, text: e.text });
        },
      }),
    ),
  );
  const frames = legs.map((l) => [...frames20ms(l.mulaw)]);
  const start = performance.now();
  const count = Math.max(...frames.map((f) => f.length));
  for (let n = 0; n < count; n++) {
    const due = start + n * 20;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const [i, f] of frames.entries()) {
      const frame = f[n];
      if (frame === undefined) continue;
      streams[i]?.push(frame);
      const atSample = (n + 1) * 160;
      for (const [answer, end] of (legs[i]?.ends ?? []).entries())
        if (atSample - 160 < end + FINALIZE_AFTER_MS * 8 && atSample >= end + FINALIZE_AFTER_MS * 8) {
          asked[i]?.push({ answer, at: performance.now() });
          streams[i]?.finalize();
        }
    }
  }
  await new Promise((r) => setTimeout(r, 3000));
  await Promise.all(streams.map((s) => s.close()));
  await asr.close();
  return waits;
}

const rounds = arg('rounds', 2);
const calls = arg('calls', 3);
const legs = [];
for (let i = 0; i < calls; i++) legs.push(await leg(i + 1));
const all: Record<Variant, number[][]> = { 'own-thread': [[], [], []], 'decoding-threads': [[], [], []] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
  for (const v of order) {
    const waits = await run(v, legs);
    for (const w of waits) all[v][w.answer]?.push(w.ms);
    const shown = waits.map((w) => `${w.answer}:${Math.round(w.ms)} ms "${w.text.slice(0, 40)}"`);
    console.error(`round ${r + 1} ${v}: ${shown.join('; ')}`);
  }
}
tts.close();
console.log(`| Moonshine on | answer 2 s: median (max), ms | answer 4 s | answer 9 s |`);
console.log(`| --- | --- | --- | --- |`);
for (const v of VARIANTS) {
  const cells = all[v].map((xs) => `${Math.round(median(xs))} (${Math.round(Math.max(...xs))})`);
  console.log(`| ${v} | ${cells.join(' | ')} |`);
}
