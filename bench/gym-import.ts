// `npm run bench:gym-import [-- --rows 2000,10000 --runs 3 --url postgres://... --baseline DIR]`: how fast a gym list
// is imported (src/gyms/import.ts: parse, check every row, write in one transaction).
// For the embedded PGlite (always) and a PostgreSQL server (when --url or BENCH_DATABASE_URL is given), per list size:
//  - new: the list into empty tables (every row accepted: a gym and a 'created' history row each);
//  - again: the same list once more with every second name changed (every row merged: a read, an update, and a
//    'name' history row for half of them).
// rows/s = rows of the list / wall seconds of importGyms, median of --runs runs, each run on emptied tables (so give
// --url a scratch database: its gyms, and with CASCADE every table referring to them, are truncated).
// Baseline in the same run: --baseline DIR loads DIR/src/gyms/import.js (a build of an earlier commit, e.g. the
// row-at-a-time writer) and measures it the same way, its runs interleaved with the current build's.
// The numbers are fictional: NANP 555-0100..0199 (reserved for fiction) under every area code the phone library
// accepts, so nothing here is anyone's real phone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { importGyms, type ImportOptions } from '../src/gyms/import.js';
import { parseGymPhone } from '../src/gyms/phone.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../src/telephony/destination.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000,10000' },
    runs: { type: 'string', default: '3' },
    url: { type: 'string' },
    baseline: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const SIZES = values.rows.split(',').map(Number);
const RUNS = Number(values.runs);

type Importer = typeof importGyms;

const opts: ImportOptions = {
  format: 'csv',
  region: 'US',
  destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
  defaultTimeZone: 'America/New_York',
  via: 'cli',
};

/** Every NANP area code whose 555-01xx numbers the import accepts, in order. */
function fictionalNumbers(n: number): string[] {
  const out: string[] = [];
  for (let area = 200; area < 1000 && out.length < n; area++) {
    if (!parseGymPhone(`+1${area}5550100`, 'US', opts.destinations).ok) continue;
    for (let k = 0; k < 100 && out.length < n; k++) out.push(`+1${area}55501${String(k).padStart(2, '0')}`);
  }
  if (out.length < n) throw new Error(`only ${out.length} fictional numbers, ${n} asked`);
  return out;
}

/** A CSV list of n gyms; `renamed` changes every second name (a re-import with news). */
function list(phones: readonly string[], renamed: boolean): string {
  const lines = phones.map((p, i) => {
    const name = `Bench Gym ${i}${renamed && i % 2 === 0 ? ' (new owner)' : ''}`;
    return `${name},${p},${i % 3 === 0 ? `${i} Main St` : ''},${i % 5 === 0 ? 'en' : ''}`;
  });
  return ['name,phone,address,language', ...lines].join('\n');
}

async function timed(importer: Importer, pool: pg.Pool, text: string, rows: number): Promise<number> {
  const t0 = performance.now();
  const r = await importer(pool, text, opts);
  const s = (performance.now() - t0) / 1000;
  if (!r.ok || r.report.rejected > 0) throw new Error('the bench list was not imported whole');
  return rows / s;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Row {
  db: string;
  impl: string;
  rows: number;
  op: 'new' | 'again';
  rowsPerS: number;
  runs: number[];
  /** rows/s over the baseline's, same db, size and list. */
  vsBaseline?: number;
}

async function bench(db: string, url: string, impls: [string, Importer][]): Promise<Row[]> {
  const pool = createPool(url, { max: 2, statementTimeoutMs: 120_000 });
  await migrate(pool);
  const out: Row[] = [];
  try {
    // Untimed: the first import of a process loads the number-to-zone data and warms the JIT and the database.
    for (const [, importer] of impls) await importer(pool, list(fictionalNumbers(100), false), opts);
    for (const n of SIZES) {
      const phones = fictionalNumbers(n);
      const fresh = list(phones, false);
      const again = list(phones, true);
      const rates = new Map<string, { new: number[]; again: number[] }>(
        impls.map(([k]) => [k, { new: [], again: [] }]),
      );
      for (let run = 0; run < RUNS; run++)
        for (const [impl, importer] of impls) {
          await pool.query('TRUNCATE gym_changes, gym_imports, gyms RESTART IDENTITY CASCADE');
          const r = rates.get(impl) as { new: number[]; again: number[] };
          r.new.push(await timed(importer, pool, fresh, n));
          r.again.push(await timed(importer, pool, again, n));
        }
      const base = rates.get('baseline');
      for (const [impl, r] of rates)
        for (const op of ['new', 'again'] as const)
          out.push({
            db,
            impl,
            rows: n,
            op,
            rowsPerS: Math.round(median(r[op])),
            runs: r[op].map(Math.round),
            ...(base && impl !== 'baseline'
              ? { vsBaseline: Number((median(r[op]) / median(base[op])).toFixed(1)) }
              : {}),
          });
    }
  } finally {
    await pool.end();
  }
  return out;
}

const impls: [string, Importer][] = [];
if (values.baseline !== undefined) {
  const mod = (await import(pathToFileURL(resolve(values.baseline, 'src/gyms/import.js')).href)) as {
    importGyms: Importer;
  };
  impls.push(['baseline', mod.importGyms]);
}
impls.push(['current', importGyms]);

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 'gca-bench-gym-import-'));
const embedded = await startEmbedded({ dataDir: join(dir, 'pglite') });
try {
  rows.push(...(await bench('pglite', embedded.url, impls)));
} finally {
  await embedded.stop();
  await rm(dir, { recursive: true, force: true });
}
const url = values.url ?? process.env.BENCH_DATABASE_URL;
if (url) rows.push(...(await bench('postgres', url, impls)));
if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  process.stdout.write(`bench:gym-import, median of ${RUNS}, node ${process.version}\n`);
  process.stdout.write('| db | impl | rows | list | rows/s | runs | × baseline |\n|---|---|---:|---|---:|---|---:|\n');
  for (const r of rows)
    process.stdout.write(
      `| ${r.db} | ${r.impl} | ${r.rows} | ${r.op} | ${r.rowsPerS} | ${r.runs.join(', ')} | ${r.vsBaseline ?? ''} |\n`,
    );
}
