// Turns `bench:dsp -- --json` output (stdin) into the markdown tables of docs/benchmarks/dsp.md:
//   node dist/bench/dsp.js --json | tee build-tmp/bench.jsonl | node dist/bench/dsp-report.js
import { readFileSync } from 'node:fs';

interface Row {
  kind: string;
  impl?: string;
  op?: string;
  samplesPerSec?: number;
  bestSamplesPerSec?: number;
  wallSamplesPerSec?: number;
  usPerChunk?: number;
  chunkSamples?: number;
  vs?: string;
  ratio?: number;
  [k: string]: unknown;
}

const rows = readFileSync(0, 'utf8')
  .trim()
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as Row);
const M = (v: number | undefined): string =>
  v === undefined ? '–' : (v / 1e6).toFixed(v >= 1e8 ? 0 : v >= 1e6 ? 1 : 2);
const out: string[] = [];

const tp = rows.filter((r) => r.kind === 'throughput');
const ops = [...new Set(tp.map((r) => r.op!))];
const impls = ['addon', 'addon-scalar', 'ts-reference', 'alawmulaw', 'speex-wasm', 'python-seed'];
out.push('| op | ' + impls.join(' | ') + ' |', '|' + ' --- |'.repeat(impls.length + 1));
for (const op of ops) {
  const cell = (impl: string): string => {
    const r = tp.find((x) => x.op === op && x.impl === impl);
    return r ? `${M(r.samplesPerSec)} M/s, ${r.usPerChunk!.toFixed(2)} µs` : '–';
  };
  out.push(`| ${op} | ${impls.map(cell).join(' | ')} |`);
}
out.push('', '| addon op | best-of-reps M/s (CPU) | wall-clock M/s (shared machine) |', '| --- | --- | --- |');
for (const r of tp.filter((x) => x.impl === 'addon'))
  out.push(`| ${r.op} | ${M(r.bestSamplesPerSec)} | ${M(r.wallSamplesPerSec)} |`);
out.push('', '| op | addon ÷ baseline |', '| --- | --- |');
for (const op of ops) {
  const rs = rows.filter((r) => r.kind === 'ratio' && r.op === op);
  if (rs.length)
    out.push(`| ${op} | ${rs.map((r) => `${r.vs} ${r.ratio!.toFixed(r.ratio! >= 100 ? 0 : 1)}×`).join(', ')} |`);
}
out.push('', '| quality | figures |', '| --- | --- |');
for (const r of rows.filter((x) => x.kind === 'quality')) {
  const { kind: _k, impl, op, ...rest } = r;
  const fig = Object.entries(rest)
    .map(
      ([k, v]) =>
        `${k} ${typeof v === 'number' ? (Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(1) : v.toFixed(2)) : String(v)}`,
    )
    .join(', ');
  out.push(`| ${impl} ${op} | ${fig} |`);
}
out.push('');
for (const r of rows.filter((x) => x.kind === 'cpu-share')) {
  const s = r.cpuSecondsPerCallSecond as number;
  out.push(
    `- per-call DSP CPU share, ${r.impl}: ${(s * 100).toPrecision(3)} % of one core (≈ ${Math.floor(1 / s)} calls per core)`,
  );
}
for (const r of rows.filter((x) => x.kind === 'target'))
  out.push(`- target ${String(r.target)}: **${r.met === null ? 'n/a' : r.met ? 'met' : 'missed'}**`);
for (const r of rows.filter((x) => x.kind === 'note')) out.push(`- note: ${String(r.note)}`);
process.stdout.write(out.join('\n') + '\n');
