import { loadavg } from 'node:os';
import { createRnnoiseClassifier } from '../src/audio/rnnoise.js';
import { createSileroClassifier, SILERO_WINDOW, SileroModel, sharedSileroModel } from '../src/audio/silero.js';
import {
  Vad,
  VAD_FRAME_MS,
  VAD_FRAME_SAMPLES,
  createEnergyClassifier,
  createFvadClassifier,
  createHybridClassifier,
  type FrameClassifier,
  type VadEdge,
} from '../src/audio/vad.js';
import { loadDsp } from '../src/dsp/index.js';
import { backgroundOnly, speechCorpus, withBackground, type Background, type Labelled } from './vad-corpus.js';
import { batchingTable } from './vad-batch.js';

// Speech detectors on 8 kHz μ-law phone audio (issue 15): speech recall on clean speech and on speech in gym
// backgrounds, false speech starts per minute on backgrounds alone (music, music with a singer, chatter, street,
// HVAC, line clicks), and CPU per 20 ms frame. Every detector goes through the same hysteresis the calls use
// (voice after 3 speech frames, silence after 10), fed one 20 ms frame at a time as a call is; the model
// detectors' asynchronous results are awaited between frames, as live audio (a frame every 20 ms) allows.
// Usage: node dist/bench/vad.js [--quick] [--repeats N]

const dsp = loadDsp();
const quick = process.argv.includes('--quick');
const repeatsArg = process.argv.indexOf('--repeats');
const REPEATS = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 3;
const BG_SECONDS = quick ? 20 : 60;
const SNR_DB = 12;

interface Detector {
  readonly label: string;
  make(): Promise<FrameClassifier>;
  /** Awaited between frames: the Silero session's runs. */
  readonly model?: SileroModel;
}

async function detectors(): Promise<Detector[]> {
  const model = await sharedSileroModel();
  return [
    { label: 'energy', make: () => Promise.resolve(createEnergyClassifier(dsp)) },
    { label: 'fvad2', make: () => createFvadClassifier(2) },
    { label: 'fvad3', make: () => createFvadClassifier(3) },
    { label: 'hybrid2', make: () => createHybridClassifier(dsp, 2) },
    { label: 'silero', make: () => createSileroClassifier(dsp, { gate: false, model }), model },
    { label: 'silero+gate', make: () => createSileroClassifier(dsp, { model }), model },
    { label: 'rnnoise', make: () => createRnnoiseClassifier(dsp, { gate: false }) },
    { label: 'rnnoise+gate', make: () => createRnnoiseClassifier(dsp) },
  ];
}

interface Pass {
  speech: boolean[];
  edges: VadEdge[];
  cpuUs: number;
  frames: number;
  /** Share of Silero windows the model evaluated (the gate's saving); undefined without a model. */
  modelOn: number | undefined;
}

/** One detector over `audio`, frame by frame, as a call feeds it. */
async function pass(d: Detector, audio: Int16Array): Promise<Pass> {
  const c = await d.make();
  const vad = new Vad(c);
  const probs: number[] = [];
  const edges: VadEdge[] = [];
  const frames = Math.floor(audio.length / VAD_FRAME_SAMPLES);
  const windows0 = d.model?.windows ?? 0;
  const t0 = process.cpuUsage();
  for (let f = 0; f < frames; f++) {
    for (const e of vad.push(audio.subarray(f * VAD_FRAME_SAMPLES, (f + 1) * VAD_FRAME_SAMPLES), undefined, probs))
      edges.push(e);
    if (d.model) await d.model.idle();
  }
  const t = process.cpuUsage(t0);
  vad.close();
  const modelOn = d.model ? (d.model.windows - windows0) / Math.floor(audio.length / SILERO_WINDOW) : undefined;
  return { speech: probs.map((p) => p > 0.5), edges, cpuUs: t.user + t.system, frames, modelOn };
}

interface SpeechScore {
  recall: number;
  falseAlarm: number;
  found: number;
  onsetMs: number;
  spurious: number;
}

function scoreSpeech(p: Pass, corpus: Labelled): SpeechScore {
  let tp = 0;
  let pos = 0;
  let fp = 0;
  corpus.labels.forEach((l, i) => {
    if (l) pos++;
    if (p.speech[i] === true) {
      if (l) tp++;
      else fp++;
    }
  });
  const voices = p.edges.filter((e) => e.kind === 'voice').map((e) => e.atMs / VAD_FRAME_MS);
  let found = 0;
  let inside = 0;
  const onsets: number[] = [];
  for (const u of corpus.utterances) {
    // A voice edge belongs to an utterance if it starts within it (or up to 200 ms before).
    const mine = voices.filter((v) => v >= u.start - 10 && v <= u.end);
    inside += mine.length;
    if (mine.length === 0) continue;
    found++;
    // When the call machine hears the start: the edge is reported once startFrames frames have been speech.
    onsets.push(Math.max(0, ((mine[0] as number) - u.start) * VAD_FRAME_MS));
  }
  onsets.sort((a, b) => a - b);
  return {
    recall: tp / Math.max(1, pos),
    falseAlarm: fp / Math.max(1, corpus.labels.length - pos),
    found,
    onsetMs: onsets.length ? (onsets[onsets.length >> 1] as number) : NaN,
    spurious: voices.length - inside,
  };
}

const starts = (p: Pass): number => p.edges.filter((e) => e.kind === 'voice').length;
const perMinute = (n: number, frames: number): number => n / ((frames * VAD_FRAME_MS) / 60_000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function main(): Promise<void> {
  const t0 = performance.now();
  const log = (s: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}\n`);
  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const corpus = await speechCorpus(dsp);
  const dets = await detectors();
  const speechConds: [string, Int16Array][] = [
    ['clean', withBackground(dsp, corpus.pcm, 'none', corpus.levelDbfs, SNR_DB)],
    [`music ${SNR_DB} dB`, withBackground(dsp, corpus.pcm, 'music', corpus.levelDbfs, SNR_DB)],
    [`music-vocals ${SNR_DB} dB`, withBackground(dsp, corpus.pcm, 'music-vocals', corpus.levelDbfs, SNR_DB)],
    [`chatter ${SNR_DB} dB`, withBackground(dsp, corpus.pcm, 'chatter', corpus.levelDbfs, SNR_DB)],
  ];
  const bgKinds: Background[] = ['music', 'music-vocals', 'chatter', 'street', 'hvac', 'clicks'];
  const bgConds = bgKinds.map((k) => [k, backgroundOnly(dsp, k, BG_SECONDS, corpus.levelDbfs, SNR_DB)] as const);
  log('audio ready');

  const speechRows: string[] = [];
  const bgRows: string[] = [];
  const gateRows: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  for (const d of dets) {
    const speechCells: string[] = [];
    const gateCells: string[] = [];
    for (const [, audio] of speechConds) {
      const p = await pass(d, audio);
      const s = scoreSpeech(p, corpus);
      speechCells.push(
        `${pct(s.recall)} / ${pct(s.falseAlarm)} / ${s.found}/${corpus.utterances.length} / ${s.onsetMs.toFixed(0)} / ${s.spurious}`,
      );
      if (p.modelOn !== undefined) gateCells.push(pct(p.modelOn));
    }
    const bgCells: string[] = [];
    for (const [, audio] of bgConds) {
      const p = await pass(d, audio);
      bgCells.push(perMinute(starts(p), p.frames).toFixed(1));
      if (p.modelOn !== undefined) gateCells.push(pct(p.modelOn));
    }
    // CPU: medians over repeats, on a quiet line (the clean corpus: speech and silences) and a noisy one (music).
    const quiet: number[] = [];
    const noisy: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const q = await pass(d, speechConds[0]?.[1] as Int16Array);
      const n = await pass(d, bgConds[0]?.[1] as Int16Array);
      quiet.push(q.cpuUs / q.frames);
      noisy.push(n.cpuUs / n.frames);
    }
    const q = median(quiet);
    const n = median(noisy);
    bgCells.push(q.toFixed(1), n.toFixed(1), ((n * 1000) / VAD_FRAME_MS).toFixed(0));
    speechRows.push(`| ${d.label} | ${speechCells.join(' | ')} |`);
    bgRows.push(`| ${d.label} | ${bgCells.join(' | ')} |`);
    if (gateCells.length > 0) gateRows.push(`| ${d.label} | ${gateCells.join(' | ')} |`);
    log(`${d.label} done`);
  }
  const seconds = (corpus.pcm.length / 8000).toFixed(1);
  console.log(
    `speech corpus: ${seconds} s, ${corpus.utterances.length} utterances at ${corpus.levelDbfs.toFixed(1)} dBFS ` +
      `(mean of the two voices); backgrounds ${SNR_DB} dB under it, ${BG_SECONDS} s each alone; CPU: medians of ${REPEATS}`,
  );
  console.log('');
  console.log(
    'Speech: frame recall / false alarm (non-speech frames) / utterances found / median onset ms / spurious starts',
  );
  const table = (head: string[], rows: string[]) => {
    console.log(`| ${head.join(' | ')} |`);
    console.log(`|${head.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(r);
    console.log('');
  };
  table(['detector', ...speechConds.map(([n]) => n)], speechRows);
  console.log(
    'Backgrounds alone: false speech starts per minute; CPU µs per 20 ms frame (quiet line, music) and per call-second (music)',
  );
  table(['detector', ...bgConds.map(([n]) => n), 'µs/frame quiet', 'µs/frame music', 'µs/call-s music'], bgRows);
  console.log('Share of Silero windows the model evaluated (the rest the gate kept it idle)');
  table(['detector', ...speechConds.map(([n]) => n), ...bgConds.map(([n]) => n)], gateRows);
  console.log(await batchingTable(dsp, bgConds[0]?.[1] as Int16Array, REPEATS, log));
  log(
    `done; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
