import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { fmt, runSoak } from './soak-run.js';
import type { MemSample } from './soak-server.js';

// Memory soak: waves of simultaneous offline calls against one server process, and the server's memory after
// each wave and after a quiet period with full GCs (bench/soak-run.ts). Results: docs/benchmarks/memory.md.
//
//   npm run build && npm run bench:soak -- --calls 200 --waves 3 [--turns 2] [--quiet 30] [--census]

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '50' },
      waves: { type: 'string', default: '3' },
      turns: { type: 'string', default: '2' },
      quiet: { type: 'string', default: '30' },
      census: { type: 'boolean', default: false },
      'server-flags': { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'bench:soak [--calls N=50] [--waves W=3] [--turns T=2] [--quiet SECONDS=30] [--census] [--server-flags "…"]\n' +
        '  W waves of N simultaneous offline calls (each answers T questions, then hangs up) against one server;\n' +
        "  prints the server's memory after each wave and after the quiet period with full GCs.\n" +
        '  --census counts live WebAssembly memories in the server.\n',
    );
    return;
  }
  const num = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  const progress = (s: string) => process.stderr.write(`${s}\n`);
  progress(
    `bench:soak: load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const r = await runSoak({
    calls: num('calls', values.calls, 1),
    waves: num('waves', values.waves, 1),
    turns: num('turns', values.turns, 0),
    quietMs: num('quiet', values.quiet, 0) * 1000,
    census: values.census,
    serverFlags: values['server-flags'].split(/\s+/).filter((f) => f !== ''),
    progress,
  });
  const mb = (b: number) => (b / 1048576).toFixed(0);
  const rows: [string, MemSample][] = [
    ['started (gc)', r.started],
    ['baseline (1 call, quiet, gc)', r.baseline],
    ...r.waves.flatMap((w, i) => [
      [`wave ${i + 1}: ${w.completed}/${w.completed + w.failed} calls, ${w.seconds.toFixed(0)} s`, w.after] as [
        string,
        MemSample,
      ],
      [`wave ${i + 1} + gc`, w.afterGc] as [string, MemSample],
    ]),
    [`${values.quiet} s quiet + gc`, r.final],
  ];
  process.stdout.write(
    '| when | RSS MB | external MB | arrayBuffers MB | heap MB |\n| --- | --: | --: | --: | --: |\n',
  );
  for (const [when, m] of rows)
    process.stdout.write(
      `| ${when} | ${mb(m.rss)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${mb(m.heapUsed)} |\n`,
    );
  progress(`final: ${fmt(r.final)}; load average ${loadavg()[0]?.toFixed(2) ?? '?'}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:soak: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
