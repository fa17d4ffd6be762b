// `npm run bench:db [-- --calls 100 --turns 20 --url postgres://...]`: how fast call records reach the database.
// For the embedded PGlite (always) and a PostgreSQL server (when --url or BENCH_DATABASE_URL is given):
//  - burst: calls × turns turn writes enqueued at once through the write queue → committed writes/s;
//  - baseline in the same run: the same writes as awaited one-by-one INSERTs on one connection (naive recorder);
//  - paced: every call ends a turn every 100 ms → enqueue-to-commit latency p50/p99 (what "committed when it ends"
//    costs in time).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { createPool } from '../src/db/pool.js';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { WriteQueue } from '../src/db/write-queue.js';
import { CallRecorder } from '../src/db/recorder.js';
import { insertTurn } from '../src/db/repositories/turns.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    turns: { type: 'string', default: '20' },
    url: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const CALLS = Number(values.calls);
const TURNS = Number(values.turns);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function reset(pool: pg.Pool): Promise<void> {
  await pool.query('TRUNCATE fact_hours, fact_plans, fact_classes, turns, call_status_history, calls, gyms CASCADE');
}

async function beginCalls(recorder: CallRecorder, tag: string) {
  const ledgers = Array.from({ length: CALLS }, (_, i) =>
    recorder.begin({ callId: `${tag}-${i}`, direction: 'outbound', gymName: `Gym ${i}`, at: Date.now() }),
  );
  await Promise.all(ledgers.map((l) => l.created));
  return ledgers;
}

async function run(name: string, url: string): Promise<Record<string, number | string>[]> {
  const pool = createPool(url, { max: 10 });
  await migrate(pool);
  const rows: Record<string, number | string>[] = [];
  try {
    // Baseline: awaited single INSERTs on one connection.
    await reset(pool);
    const queue0 = new WriteQueue(pool);
    await beginCalls(new CallRecorder(queue0), 'base');
    let t0 = performance.now();
    for (let k = 0; k < TURNS; k++)
      for (let i = 0; i < CALLS; i++)
        await insertTurn(pool, {
          callId: `base-${i}`,
          seq: k,
          speaker: 'caller',
          text: `turn ${k}`,
          endedAt: new Date(),
        });
    const baseRate = (CALLS * TURNS) / ((performance.now() - t0) / 1000);
    rows.push({
      backend: name,
      impl: 'sequential-insert',
      op: 'burst',
      writes: CALLS * TURNS,
      writesPerS: Math.round(baseRate),
    });

    // Burst through the write queue.
    await reset(pool);
    const queue = new WriteQueue(pool, { maxPending: CALLS * TURNS + CALLS });
    const ledgers = await beginCalls(new CallRecorder(queue), 'burst');
    t0 = performance.now();
    const outs = [];
    for (let k = 0; k < TURNS; k++)
      for (const l of ledgers) outs.push(l.callerTurn({ text: `turn ${k}`, confidence: 0.9 }));
    const res = await Promise.all(outs);
    const rate = (CALLS * TURNS) / ((performance.now() - t0) / 1000);
    if (res.some((r) => r !== 'committed')) throw new Error('a write was not committed');
    rows.push({
      backend: name,
      impl: 'write-queue',
      op: 'burst',
      writes: CALLS * TURNS,
      writesPerS: Math.round(rate),
      ratioVsSequential: Number((rate / baseRate).toFixed(2)),
    });

    // Paced: every call ends a turn every 100 ms (staggered).
    await reset(pool);
    const pq = new WriteQueue(pool);
    const paced = await beginCalls(new CallRecorder(pq), 'paced');
    const lat: number[] = [];
    await Promise.all(
      paced.map(async (l, i) => {
        await new Promise((r) => setTimeout(r, (i * 100) / CALLS));
        for (let k = 0; k < TURNS; k++) {
          const s = performance.now();
          void l.callerTurn({ text: `turn ${k}` }).then(() => lat.push(performance.now() - s));
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    await pq.drain(60_000);
    rows.push({
      backend: name,
      impl: 'write-queue',
      op: `paced-${CALLS}calls-10turns/s`,
      writes: lat.length,
      commitP50Ms: Number(pct(lat, 50).toFixed(1)),
      commitP99Ms: Number(pct(lat, 99).toFixed(1)),
    });
  } finally {
    await pool.end();
  }
  return rows;
}

const out: Record<string, number | string>[] = [];
const dir = await mkdtemp(join(tmpdir(), 'gca-bench-db-'));
const lite = await startEmbedded({ dataDir: join(dir, 'pglite') });
try {
  out.push(...(await run('pglite', lite.url)));
} finally {
  await lite.stop();
  await rm(dir, { recursive: true, force: true });
}
const url = values.url ?? process.env.BENCH_DATABASE_URL;
if (url) out.push(...(await run('postgres', url)));
for (const r of out)
  process.stdout.write(
    values.json
      ? `${JSON.stringify(r)}\n`
      : `${Object.entries(r)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}\n`,
  );
