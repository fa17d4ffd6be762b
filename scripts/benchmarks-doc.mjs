#!/usr/bin/env node
// Assembles docs/benchmarks.md from the summary in docs/benchmarks/_summary.md and the per-concern result files
// in docs/benchmarks/*.md (each written by the benchmark's owner with the command behind every figure).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'docs/benchmarks';
const order = [
  'dsp',
  'machine',
  'vad',
  'offline-stack',
  'providers',
  'telephony',
  'persistence',
  'latency',
  'load',
  'scenarios',
];
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && !f.startsWith('_'));
const names = [
  ...order.filter((n) => files.includes(`${n}.md`)),
  ...files.map((f) => f.slice(0, -3)).filter((n) => !order.includes(n)),
];
const demote = (md) => md.replace(/^(#{1,5}) /gm, '#$1 ');
const parts = [readFileSync(join(dir, '_summary.md'), 'utf8').trimEnd()];
for (const n of names)
  parts.push(`<!-- from docs/benchmarks/${n}.md -->\n${demote(readFileSync(join(dir, `${n}.md`), 'utf8').trimEnd())}`);
writeFileSync('docs/benchmarks.md', parts.join('\n\n') + '\n');
console.log(`docs/benchmarks.md: summary + ${names.length} sections`);
