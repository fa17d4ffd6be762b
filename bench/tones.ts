// `npm run bench:tones [-- --seconds 30 --reps 7 --json]`
// What DTMF and tone detection cost per 20 ms frame of a call: the addon's detector (keys only, beeps only, both)
// on four kinds of input, and DTMF rendering per 20 ms of tones produced, against the TS reference of the same
// arithmetic in the same run (its ratio is the figure that survives a busy machine). Thread CPU time per rep;
// medians over reps.
import { dspOptionsFromEnv } from '../src/config/index.js';
import { loadDsp, type Dsp } from '../src/dsp/index.js';
import { createReferenceDsp } from '../src/dsp/reference/index.js';
import { createBed } from '../src/sim/noise/index.js';
import { noise, tone } from './dsp-signals.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SECONDS = opt('--seconds', 30);
const REPS = opt('--reps', 7);
const FRAME = 160;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function inputs(dsp: Dsp): Record<string, Int16Array> {
  const n = 8000 * SECONDS;
  const speechLike = noise(n, 7, 5000);
  const t1 = tone(220, 8000, n, 4000);
  for (let i = 0; i < n; i++) speechLike[i] = speechLike[i]! + t1[i]!;
  const bed = createBed('music-vocals', 1).read(n);
  const music = Int16Array.from(bed, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 20000))));
  // 12 keys of 100 ms with 100 ms pauses, repeated over the whole input.
  const block = dsp.ulawDecode(dsp.dtmfRender('0123456789*#', 100, 100));
  const keys = new Int16Array(n);
  for (let at = 0; at < n; at += block.length) keys.set(block.subarray(0, Math.min(block.length, n - at)), at);
  return { silence: new Int16Array(n), 'speech-like': speechLike, 'music (sung)': music, 'dtmf keys': keys };
}

interface Row {
  impl: 'addon' | 'ts-reference';
  op: string;
  input: string;
  usPerFrame: number;
}

function detect(d: Dsp, which: { dtmf: boolean; beep: boolean }, x: Int16Array): number {
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const det = d.createToneDetector(which);
    const t0 = cpuUs();
    for (let i = 0; i + FRAME <= x.length; i += FRAME) det.push(x.subarray(i, i + FRAME));
    samples.push((cpuUs() - t0) / Math.floor(x.length / FRAME));
  }
  return median(samples);
}

function render(d: Dsp): number {
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    let frames = 0;
    const t0 = cpuUs();
    for (let i = 0; i < 200; i++) frames += d.dtmfRender('20#', 100, 100).length / FRAME;
    samples.push((cpuUs() - t0) / frames);
  }
  return median(samples);
}

const addon = loadDsp(dspOptionsFromEnv());
const ref = createReferenceDsp();
const rows: Row[] = [];
const ins = inputs(addon);
for (const [impl, d] of [
  ['addon', addon],
  ['ts-reference', ref],
] as const) {
  for (const [input, x] of Object.entries(ins))
    for (const [op, which] of [
      ['detect keys', { dtmf: true, beep: false }],
      ['detect beeps', { dtmf: false, beep: true }],
      ['detect both', { dtmf: true, beep: true }],
    ] as const)
      rows.push({ impl, op, input, usPerFrame: detect(d, which, x) });
  rows.push({ impl, op: 'render keys', input: '3 keys 100/100 ms', usPerFrame: render(d) });
}

if (json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
else {
  process.stdout.write(
    `tones: µs of CPU per 20 ms frame (median of ${REPS} reps, ${SECONDS} s per input), addon kernels ${addon.kernels()}\n`,
  );
  process.stdout.write(
    '| op | input | addon µs | TS reference µs | reference / addon | share of a core at 50 frames/s |\n',
  );
  process.stdout.write('| --- | --- | --- | --- | --- | --- |\n');
  for (const r of rows.filter((x) => x.impl === 'addon')) {
    const b = rows.find((x) => x.impl === 'ts-reference' && x.op === r.op && x.input === r.input)!;
    const share = ((r.usPerFrame * 50) / 1e6) * 100;
    process.stdout.write(
      `| ${r.op} | ${r.input} | ${r.usPerFrame.toFixed(2)} | ${b.usPerFrame.toFixed(2)} | ${(b.usPerFrame / r.usPerFrame).toFixed(1)}× | ${share.toFixed(4)} % |\n`,
    );
  }
}
