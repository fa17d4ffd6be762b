import { synthesizePhoneAudio } from '../src/audio/speech.js';
import {
  Vad,
  VAD_FRAME_MS,
  VAD_FRAME_SAMPLES,
  createEnergyClassifier,
  createFvadClassifier,
  createHybridClassifier,
  type FrameClassifier,
} from '../src/audio/vad.js';
import { loadDsp } from '../src/dsp/index.js';
import { FliteTts } from '../src/providers/tts/flite.js';

// VAD comparison on labelled telephone audio: flite utterances (two voices) separated by known silences, through
// 16→8 kHz resampling and μ-law, with background conditions added. A frame is labelled speech when it lies
// inside an utterance (first to last frame where the clean TTS signal is above -55 dBFS), so short gaps
// between words count as speech, as they should for turn-taking.
// Reports per classifier and condition: frame recall, false-alarm rate on non-speech frames, and after the
// hysteresis layer (what the call machine sees) utterances found, split utterances and spurious voice edges.
// Usage: node dist/bench/vad.js [--quick]

const UTTERANCES = [
  "We're open five a m to eleven p m Monday through Friday.",
  'Yes.',
  'Membership is forty nine dollars a month.',
  'Hmm, let me think.',
  'We have yoga, pilates, spin and zumba classes.',
  'On weekends we open at eight.',
  'Sure, the annual plan is four hundred ninety nine dollars a year.',
  'No.',
];
const GAPS_MS = [900, 1500, 600, 2500, 1200, 800, 1800, 1000];

interface Labelled {
  pcm: Int16Array;
  labels: boolean[];
  utterances: { start: number; end: number }[];
}

function db(frame: Int16Array): number {
  let e = 0;
  for (const s of frame) e += s * s;
  return e === 0 ? -120 : 10 * Math.log10(e / frame.length / 32768 ** 2);
}

async function buildCorpus(): Promise<Labelled> {
  const dsp = loadDsp();
  // Test speech at flite's own levels (two voices 11 dB apart), as docs/benchmarks/vad.md was measured.
  const voices = [
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    new FliteTts({ voice: 'kal16', mode: 'inline', levelDbfs: null }),
  ];
  const parts: Int16Array[] = [];
  const labels: boolean[] = [];
  const utterances: { start: number; end: number }[] = [];
  let frame = 0;
  for (let i = 0; i < UTTERANCES.length; i++) {
    const gap = new Int16Array(((GAPS_MS[i] as number) / VAD_FRAME_MS) * VAD_FRAME_SAMPLES);
    parts.push(gap);
    for (let k = 0; k < gap.length / VAD_FRAME_SAMPLES; k++) labels.push(false);
    frame += gap.length / VAD_FRAME_SAMPLES;
    const { pcm } = await synthesizePhoneAudio(voices[i % 2] as FliteTts, dsp, UTTERANCES[i] as string);
    const n = Math.floor(pcm.length / VAD_FRAME_SAMPLES);
    const loud: number[] = [];
    for (let k = 0; k < n; k++)
      if (db(pcm.subarray(k * VAD_FRAME_SAMPLES, (k + 1) * VAD_FRAME_SAMPLES)) > -55) loud.push(k);
    const first = loud[0] ?? 0;
    const last = loud[loud.length - 1] ?? n - 1;
    for (let k = 0; k < n; k++) labels.push(k >= first && k <= last);
    utterances.push({ start: frame + first, end: frame + last });
    parts.push(pcm.subarray(0, n * VAD_FRAME_SAMPLES));
    frame += n;
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const pcm = new Int16Array(total);
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  return { pcm, labels, utterances };
}

/** Deterministic noise so runs are comparable. */
function addNoise(clean: Int16Array, kind: 'none' | 'white-45' | 'white-35' | 'hum-30' | 'clicks'): Int16Array {
  const out = new Int16Array(clean.length);
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const white = kind === 'white-45' ? 10 ** (-45 / 20) : kind === 'white-35' ? 10 ** (-35 / 20) : 0;
  for (let i = 0; i < clean.length; i++) {
    let n = white ? rnd() * Math.sqrt(12) * white * 32768 : 0;
    if (kind === 'hum-30') n = Math.sin((2 * Math.PI * 60 * i) / 8000) * 10 ** (-30 / 20) * 32768 * Math.SQRT2;
    // Line clicks: a 2 ms burst every 700 ms.
    if (kind === 'clicks' && i % 5600 < 16) n = rnd() * 20000;
    out[i] = Math.max(-32768, Math.min(32767, Math.round((clean[i] as number) + n)));
  }
  // Back through the codec, as the caller's audio arrives.
  const dsp = loadDsp();
  return dsp.ulawDecode(dsp.ulawEncode(out));
}

interface Score {
  recall: number;
  falseAlarm: number;
  smRecall: number;
  smFalseAlarm: number;
  found: number;
  split: number;
  spurious: number;
  msPerMinute: number;
}

function score(c: FrameClassifier, audio: Int16Array, corpus: Labelled): Score {
  const t0 = performance.now();
  const raw = c.classify(audio.subarray(0, corpus.labels.length * VAD_FRAME_SAMPLES));
  const ms = performance.now() - t0;
  c.reset();
  const vad = new Vad(c);
  const states: boolean[] = [];
  const edges = [];
  for (let o = 0; o < audio.length; o += VAD_FRAME_SAMPLES)
    edges.push(...vad.push(audio.subarray(o, o + VAD_FRAME_SAMPLES), states));
  const count = (pred: (l: boolean, i: number) => boolean): number =>
    corpus.labels.reduce((n, l, i) => n + (pred(l, i) ? 1 : 0), 0);
  const tp = count((l, i) => l && raw[i] === true);
  const fn = count((l, i) => l && raw[i] !== true);
  const fp = count((l, i) => !l && raw[i] === true);
  const tn = count((l, i) => !l && raw[i] !== true);
  const stp = count((l, i) => l && states[i] === true);
  const sfp = count((l, i) => !l && states[i] === true);
  const voices = edges.filter((e) => e.kind === 'voice').map((e) => e.atMs / VAD_FRAME_MS);
  let found = 0,
    split = 0,
    inside = 0;
  for (const u of corpus.utterances) {
    // A voice edge belongs to an utterance if it starts within it (or up to 200 ms before).
    const mine = voices.filter((v) => v >= u.start - 10 && v <= u.end);
    inside += mine.length;
    if (mine.length > 0) found++;
    if (mine.length > 1) split += mine.length - 1;
  }
  const minutes = audio.length / 8000 / 60;
  return {
    recall: tp / (tp + fn),
    falseAlarm: fp / (fp + tn),
    smRecall: stp / (tp + fn),
    smFalseAlarm: sfp / (fp + tn),
    found,
    split,
    spurious: voices.length - inside,
    msPerMinute: ms / minutes,
  };
}

async function main(): Promise<void> {
  const corpus = await buildCorpus();
  const dsp = loadDsp();
  const conditions = ['none', 'white-45', 'white-35', 'hum-30', 'clicks'] as const;
  const rows: string[] = [];
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  for (const cond of conditions) {
    const audio = addNoise(corpus.pcm, cond);
    const classifiers: FrameClassifier[] = [
      createEnergyClassifier(dsp),
      await createFvadClassifier(1),
      await createFvadClassifier(2),
      await createFvadClassifier(3),
      await createHybridClassifier(dsp, 1),
      await createHybridClassifier(dsp, 2),
    ];
    for (const c of classifiers) {
      const s = score(c, audio, corpus);
      rows.push(
        `| ${cond} | ${c.name} | ${pct(s.recall)} | ${pct(s.falseAlarm)} | ${pct(s.smRecall)} | ${pct(s.smFalseAlarm)} | ` +
          `${s.found}/${corpus.utterances.length} | ${s.split} | ${s.spurious} | ${s.msPerMinute.toFixed(1)} |`,
      );
      c.close();
    }
  }
  const seconds = (corpus.pcm.length / 8000).toFixed(1);
  const speech = corpus.labels.filter((l) => l).length;
  console.log(
    `corpus: ${seconds} s, ${corpus.utterances.length} utterances, ${speech} speech / ${corpus.labels.length} frames`,
  );
  console.log(
    '| noise | VAD | frame recall | false alarm | recall (smoothed) | false alarm (smoothed) | utterances found | split | spurious starts | ms CPU per audio minute |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
