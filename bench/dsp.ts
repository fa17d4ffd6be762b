// `npm run bench:dsp [-- --json] [-- --seconds 60 --reps 5 --no-python]`
// One run, one input (N seconds of audio in 20 ms chunks): the addon (SIMD and scalar), the TS reference,
// alawmulaw, speex-wasm (quality 5) and the original Python pipeline; throughput from process CPU time (robust
// on a shared machine), µs per chunk including the N-API call, ratios, quality figures and per-call CPU share.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import alawmulaw from 'alawmulaw';
import { dspOptionsFromEnv } from '../src/config/index.js';
import { loadDsp, packageRoot, type Dsp } from '../src/dsp/index.js';
import { createReferenceDsp } from '../src/dsp/reference/index.js';
import { measureQuality, type PushFn } from './dsp-quality.js';
import { noise, tone } from './dsp-signals.js';
import { createSpeexResampler } from './dsp-speex.js';

type Impl = 'addon' | 'addon-scalar' | 'ts-reference' | 'alawmulaw' | 'speex-wasm' | 'python-seed';
type Op =
  | 'ulaw-encode'
  | 'ulaw-decode'
  | 'resample-24k-8k'
  | 'resample-22k-8k'
  | 'resample-8k-16k'
  | 'pipeline-24k-ulaw8k'
  | 'pipeline-24k-ulaw8k-2calls'
  | 'vad-features';

export interface Row {
  kind: 'throughput';
  impl: Impl;
  op: Op;
  samplesPerSec: number;
  usPerChunk: number;
  chunkSamples: number;
  wallSamplesPerSec: number;
  bestSamplesPerSec: number;
  reps: number;
  kernels?: string;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SECONDS = opt('--seconds', 60);
const REPS = opt('--reps', 5);
const emit = (o: object): void => {
  if (json) process.stdout.write(JSON.stringify(o) + '\n');
};
const say = (s: string): void => {
  if (!json) process.stdout.write(s + '\n');
};

/** Speech-like test input: noise bursts plus a few tones, deterministic. */
function input(rate: number): Int16Array {
  const n = rate * SECONDS;
  const x = noise(n, 42, 6000);
  const t1 = tone(440, rate, n, 6000);
  const t2 = tone(1800, rate, n, 3000);
  for (let i = 0; i < n; i++) x[i] = x[i]! + t1[i]! + t2[i]!;
  return x;
}

function chunks<T extends Int16Array | Uint8Array>(x: T, size: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < x.length; i += size) out.push(x.subarray(i, i + size) as T);
  return out;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs `make()` (state set-up, untimed) then feeds every chunk; median CPU and wall time over reps. */
function measure<C>(
  impl: Impl,
  op: Op,
  parts: C[],
  samples: number,
  make: () => (c: C) => unknown,
  kernels?: string,
): Row {
  const cpu: number[] = [];
  const wall: number[] = [];
  let spent = 0;
  for (let r = 0; r < REPS && (r < 1 || spent < 4); r++) {
    const fn = make();
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    for (const p of parts) fn(p);
    const w = Number(process.hrtime.bigint() - w0) / 1e9;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    wall.push(w);
    spent += w;
  }
  const cpuS = median(cpu);
  const row: Row = {
    kind: 'throughput',
    impl,
    op,
    samplesPerSec: samples / cpuS,
    usPerChunk: (cpuS / parts.length) * 1e6,
    chunkSamples: samples / parts.length,
    wallSamplesPerSec: samples / median(wall),
    bestSamplesPerSec: samples / Math.min(...cpu),
    reps: cpu.length,
    ...(kernels ? { kernels } : {}),
  };
  emit(row);
  say(
    `${impl.padEnd(13)} ${op.padEnd(20)} ${(row.samplesPerSec / 1e6).toFixed(2).padStart(9)} M samples/s ` +
      `${row.usPerChunk.toFixed(2).padStart(9)} µs/chunk (${row.chunkSamples} samples)`,
  );
  return row;
}

function dspRows(impl: Impl, dsp: Dsp, x24: Int16Array, x22: Int16Array, x8: Int16Array, u8: Uint8Array): Row[] {
  const k = dsp.kernels();
  const resampleOp = (op: Op, x: Int16Array, from: number, to: number): Row =>
    measure(
      impl,
      op,
      chunks(x, from / 50),
      x.length,
      () => {
        const r = dsp.createResampler(from, to);
        return (c: Int16Array) => r.push(c);
      },
      k,
    );
  return [
    measure(impl, 'ulaw-encode', chunks(x8, 160), x8.length, () => (c: Int16Array) => dsp.ulawEncode(c), k),
    measure(impl, 'ulaw-decode', chunks(u8, 160), u8.length, () => (c: Uint8Array) => dsp.ulawDecode(c), k),
    resampleOp('resample-24k-8k', x24, 24000, 8000),
    resampleOp('resample-22k-8k', x22, 22050, 8000),
    resampleOp('resample-8k-16k', x8, 8000, 16000),
    // What the outbound leg of a call does: one pushUlaw (resample + μ-law, one N-API call) per chunk.
    measure(
      impl,
      'pipeline-24k-ulaw8k',
      chunks(x24, 480),
      x24.length,
      () => {
        const r = dsp.createResampler(24000, 8000);
        return (c: Int16Array) => r.pushUlaw(c);
      },
      k,
    ),
    // The same work as two calls (push, then ulawEncode), to show what the fused call saves.
    measure(
      impl,
      'pipeline-24k-ulaw8k-2calls',
      chunks(x24, 480),
      x24.length,
      () => {
        const r = dsp.createResampler(24000, 8000);
        return (c: Int16Array) => dsp.ulawEncode(r.push(c));
      },
      k,
    ),
    measure(impl, 'vad-features', chunks(x8, 160), x8.length, () => (c: Int16Array) => dsp.frameFeatures(c, 160), k),
  ];
}

async function main(): Promise<void> {
  const x24 = input(24000);
  const x22 = input(22050);
  const x8 = input(8000);
  const addon = loadDsp({ path: dspOptionsFromEnv().path });
  const u8 = addon.ulawEncode(x8);
  say(
    `DSP benchmark: ${SECONDS} s of audio in 20 ms chunks, median of ${REPS} runs, CPU time; kernels ${addon.kernels()}`,
  );
  const rows: Row[] = [];
  addon.setForceScalar(false);
  rows.push(...dspRows('addon', addon, x24, x22, x8, u8));
  addon.setForceScalar(true);
  rows.push(...dspRows('addon-scalar', addon, x24, x22, x8, u8));
  addon.setForceScalar(false);
  rows.push(...dspRows('ts-reference', createReferenceDsp(), x24, x22, x8, u8));

  rows.push(
    measure('alawmulaw', 'ulaw-encode', chunks(x8, 160), x8.length, () => (c: Int16Array) => alawmulaw.mulaw.encode(c)),
  );
  rows.push(
    measure('alawmulaw', 'ulaw-decode', chunks(u8, 160), u8.length, () => (c: Uint8Array) => alawmulaw.mulaw.decode(c)),
  );

  const speex = async (from: number, to: number): Promise<PushFn> => {
    const r = await createSpeexResampler(from, to, 5);
    return (c) => r.push(c);
  };
  const speexRs: Record<string, PushFn[]> = {};
  for (const [op, from, to, x] of [
    ['resample-24k-8k', 24000, 8000, x24],
    ['resample-22k-8k', 22050, 8000, x22],
    ['resample-8k-16k', 8000, 16000, x8],
    ['pipeline-24k-ulaw8k', 24000, 8000, x24],
  ] as Array<[Op, number, number, Int16Array]>) {
    const pool: PushFn[] = [];
    for (let i = 0; i < REPS; i++) pool.push(await speex(from, to)); // WASM set-up is async: prepare outside timing
    speexRs[op] = pool;
    const next = (): PushFn => pool.shift() ?? (() => new Int16Array(0));
    rows.push(
      measure('speex-wasm', op, chunks(x, from / 50), x.length, () => {
        const push = next();
        return op.startsWith('pipeline') ? (c: Int16Array) => alawmulaw.mulaw.encode(push(c)) : push;
      }),
    );
  }

  // The original Python pipeline, on the same 24 kHz input.
  const py = spawnSync('python3', ['-c', 'import scipy, numpy, audioop'], { stdio: 'ignore' });
  if (argv.includes('--no-python') || py.status !== 0) {
    say('python-seed: skipped (python3 with scipy and audioop not available, or --no-python)');
    emit({ kind: 'note', impl: 'python-seed', note: 'skipped: python3 with scipy/audioop not available' });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'bench-dsp-'));
    try {
      const file = join(dir, 'x24.raw');
      writeFileSync(file, new Uint8Array(x24.buffer, x24.byteOffset, x24.byteLength));
      const script = join(packageRoot(), 'bench', 'dsp-python.py');
      const r = spawnSync('python3', [script, file, '1'], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`python baseline failed: ${r.stderr}`);
      for (const line of r.stdout.trim().split('\n')) {
        const o = JSON.parse(line) as Row | Record<string, unknown>;
        emit(o);
        if ((o as Row).kind === 'throughput') {
          const row = o as Row;
          rows.push(row);
          say(
            `${row.impl.padEnd(13)} ${row.op.padEnd(20)} ${(row.samplesPerSec / 1e6).toFixed(2).padStart(9)} M samples/s ${row.usPerChunk.toFixed(2).padStart(9)} µs/chunk (${row.chunkSamples} samples)`,
          );
        } else say(`python-seed quality: ${JSON.stringify(o)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // Ratios of the addon to every baseline, per op.
  say('\nratios (addon samples/s ÷ baseline samples/s, CPU time):');
  const get = (impl: Impl, op: Op): Row | undefined => rows.find((r) => r.impl === impl && r.op === op);
  for (const r of rows.filter((r) => r.impl === 'addon')) {
    for (const b of rows.filter((b) => b.op === r.op && b.impl !== 'addon')) {
      const ratio = r.samplesPerSec / b.samplesPerSec;
      emit({ kind: 'ratio', impl: 'addon', op: r.op, vs: b.impl, ratio });
      say(`  ${r.op.padEnd(20)} addon / ${b.impl.padEnd(13)} ${ratio.toFixed(1).padStart(9)}×`);
    }
  }

  // Quality figures, measured on the same builds.
  say('\nquality (measured):');
  const qualityOf = (impl: Impl, from: number, to: number, make: () => PushFn): void => {
    const q = measureQuality(make, from, to);
    emit({ kind: 'quality', impl, op: `resample-${from}-${to}`, ...q });
    say(
      `  ${impl.padEnd(13)} ${from}->${to}: passband ${q.passbandMinDb.toFixed(3)}..${q.passbandMaxDb.toFixed(3)} dB, ` +
        `worst stopband/image ${Number.isFinite(q.worstStopbandDb) ? q.worstStopbandDb.toFixed(1) + ' dB' : 'all zeros'}, ` +
        `group delay ${q.groupDelayMs.toFixed(2)} ms`,
    );
  };
  for (const [from, to] of [
    [24000, 8000],
    [22050, 8000],
    [16000, 8000],
    [44100, 8000],
    [48000, 8000],
    [8000, 16000],
  ] as const) {
    qualityOf('addon', from, to, () => {
      const r = addon.createResampler(from, to);
      return (c) => r.push(c);
    });
  }
  const sp = await Promise.all(Array.from({ length: 64 }, () => createSpeexResampler(24000, 8000, 5)));
  qualityOf('speex-wasm', 24000, 8000, () => {
    const r = sp.pop();
    if (!r) throw new Error('speex pool exhausted');
    return (c) => r.push(c);
  });

  // Per-call CPU share: per second of call, inbound decode + 8k->16k for ASR + VAD features, outbound 24k->8k+μ-law.
  const share = (impl: Impl): number | undefined => {
    const need: Array<[Op, number]> = [
      ['ulaw-decode', 8000],
      ['resample-8k-16k', 8000],
      ['vad-features', 8000],
      ['pipeline-24k-ulaw8k', 24000],
    ];
    let s = 0;
    for (const [op, n] of need) {
      const r = get(impl, op);
      if (!r) return undefined;
      s += n / r.samplesPerSec;
    }
    return s;
  };
  say('\nper-call DSP CPU share (decode + 8k→16k + VAD features + 24k→8k+μ-law, per second of call):');
  for (const impl of ['addon', 'addon-scalar', 'ts-reference'] as Impl[]) {
    const s = share(impl);
    if (s === undefined) continue;
    emit({ kind: 'cpu-share', impl, cpuSecondsPerCallSecond: s, callsPerCore: 1 / s });
    say(
      `  ${impl.padEnd(13)} ${(s * 100).toPrecision(3)} % of one core per call → ${Math.floor(1 / s).toLocaleString('en')} calls per core`,
    );
  }

  // Targets of issue 2 for the 24k→8k + μ-law pipeline.
  const p = get('addon', 'pipeline-24k-ulaw8k')!;
  const speexP = get('speex-wasm', 'pipeline-24k-ulaw8k');
  const pyP = get('python-seed', 'pipeline-24k-ulaw8k');
  const checks: Array<[string, boolean | undefined]> = [
    [`≥ 300 M samples/s (${(p.samplesPerSec / 1e6).toFixed(0)} M)`, p.samplesPerSec >= 300e6],
    [`≤ 3 µs per chunk (${p.usPerChunk.toFixed(2)} µs)`, p.usPerChunk <= 3],
    [
      `≥ 5× speex-wasm (${speexP ? (p.samplesPerSec / speexP.samplesPerSec).toFixed(1) : '-'}×)`,
      speexP && p.samplesPerSec / speexP.samplesPerSec >= 5,
    ],
    [
      `≥ 400× python-seed (${pyP ? (p.samplesPerSec / pyP.samplesPerSec).toFixed(0) : '-'}×)`,
      pyP && p.samplesPerSec / pyP.samplesPerSec >= 400,
    ],
  ];
  say('\ntargets, pipeline-24k-ulaw8k (addon):');
  for (const [what, ok] of checks) {
    say(`  ${ok === undefined ? 'n/a ' : ok ? 'MET ' : 'MISS'} ${what}`);
    emit({ kind: 'target', op: 'pipeline-24k-ulaw8k', target: what, met: ok ?? null });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:dsp failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
