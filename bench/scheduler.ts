// `npm run bench:scheduler [-- --gyms 300 --url postgres://...]`: what the campaign engine costs per scheduled call.
// For the embedded PGlite (always) and a PostgreSQL server (when --url or BENCH_DATABASE_URL is given):
//  - engine: one campaign over N gyms, every call answered at once with `completed` (endCall, as the end report
//    writes it); each gym goes pending → planned → claimed → record + commit → placed → ended → settled → final.
//    Jobs per second = gyms settled per wall second; CPU per scheduled call = this process's CPU (PGlite runs in
//    a worker thread of it, so the embedded database's work is included; a PostgreSQL server's is not) / calls.
//  - baseline in the same run: the bare durable-queue cycle on the same database: N rows, each claimed with
//    FOR UPDATE SKIP LOCKED and marked done, one by one. The floor any PostgreSQL job queue pays per job.
//  - beside both, what a live call's write waits for the same pool while the scheduler works (a `SELECT 1` every
//    50 ms): on the embedded database (one connection) a long engine transaction makes every call's write queue.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { CampaignEngine } from '../src/campaigns/engine.js';
import { planNextAttempt } from '../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY } from '../src/campaigns/policy/retry-rules.js';
import { campaignStatus, createCampaign } from '../src/campaigns/store.js';
import { PgCallStore } from '../src/db/call-store.js';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { endCall } from '../src/db/repositories/calls.js';
import { createLogger } from '../src/log.js';
import { CallCapacity } from '../src/ops/capacity.js';

const { values } = parseArgs({
  options: {
    gyms: { type: 'string', default: '300' },
    url: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const GYMS = Number(values.gyms);
const log = createLogger('silent');

interface Row {
  db: string;
  what: string;
  jobs: number;
  seconds: number;
  jobsPerS: number;
  cpuMsPerJob: number;
  /** Another query's wait for the pool while this ran: median and longest, ms. */
  waitP50Ms: number;
  waitMaxMs: number;
}

/** Times a `SELECT 1` on the pool every 50 ms (one at a time) until stopped: a live call's write, as it waits. */
function waitProbe(pool: pg.Pool): { stop: () => Promise<number[]> } {
  const waits: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await pool.query('SELECT 1');
      waits.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return waits.sort((a, b) => a - b);
    },
  };
}

async function measure(fn: () => Promise<number>): Promise<{ jobs: number; seconds: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const jobs = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { jobs, seconds, cpuMs: (used.user + used.system) / 1000 };
}

async function baseline(pool: pg.Pool): Promise<number> {
  await pool.query('CREATE TEMP TABLE IF NOT EXISTS bench_jobs (id int PRIMARY KEY, state text NOT NULL)');
  await pool.query("INSERT INTO bench_jobs SELECT g, 'ready' FROM generate_series(1, $1) g", [GYMS]);
  let n = 0;
  for (;;) {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await c.query<{ id: number }>(
        "SELECT id FROM bench_jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
      );
      const id = r.rows[0]?.id;
      if (id !== undefined) await c.query("UPDATE bench_jobs SET state = 'done' WHERE id = $1", [id]);
      await c.query('COMMIT');
      if (id === undefined) break;
      n++;
    } finally {
      c.release();
    }
  }
  await pool.query('DROP TABLE bench_jobs');
  return n;
}

async function engineRun(pool: pg.Pool, tag: string): Promise<number> {
  const ids: number[] = [];
  const r = await pool.query<{ id: string }>(
    `INSERT INTO gyms (name, phone, timezone)
     SELECT 'Bench ' || g, '+1202' || lpad((5000000 + g)::text, 7, '0'), 'America/New_York'
       FROM generate_series(1, $1) g
     ON CONFLICT (phone) WHERE phone IS NOT NULL DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [GYMS],
  );
  for (const x of r.rows) ids.push(Number(x.id));
  // Monday 11:00 in New York: inside the default window, so every first call is due at once.
  const now = new Date('2026-12-07T16:00:00Z');
  const capacity = new CallCapacity({ max: 50 });
  const ending: Promise<void>[] = [];
  const engine = new CampaignEngine({
    pool,
    outbound: {
      store: new PgCallStore(pool, { log }),
      placer: {
        placeCall: (_to, callId) => {
          ending.push(
            endCall(pool, { callId, reason: 'facts_complete', at: new Date(), outcome: 'completed' }).then(() => {
              capacity.release(callId, 'completed');
            }),
          );
          return Promise.resolve({ sid: `CA${callId.replaceAll('-', '')}`, status: 'queued' });
        },
      },
      admission: capacity,
      destinations: { regions: ['US'], types: ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE'] },
      log,
    },
    plan: planNextAttempt,
    defaultTimeZone: 'America/New_York',
    maxConcurrentCalls: 50,
    localRoom: () => capacity.max - capacity.active,
    single: true,
    clock: { now: () => now },
    tickMs: 0,
    batch: 100,
    log,
  });
  await engine.start();
  const c = await createCampaign(pool, {
    name: `bench ${tag}`,
    policy: { ...DEFAULT_POLICY, maxConcurrent: 50 },
    gymIds: ids,
    now,
  });
  for (;;) {
    await engine.tick();
    await engine.idle();
    await Promise.all(ending.splice(0));
    if ((await campaignStatus(pool, c.id))?.status === 'done') break;
  }
  await engine.stop();
  return (await campaignStatus(pool, c.id))?.attempts ?? 0;
}

async function bench(db: string, url: string, maxConnections: number): Promise<Row[]> {
  const pool = createPool(url, { max: maxConnections });
  await migrate(pool);
  const rows: Row[] = [];
  try {
    for (const [what, fn] of [
      ['baseline: SKIP LOCKED claim + done', () => baseline(pool)],
      ['engine: plan, claim, dial, settle', () => engineRun(pool, `${Date.now()}`)],
    ] as const) {
      const probe = waitProbe(pool);
      const m = await measure(fn);
      const waits = await probe.stop();
      rows.push({
        db,
        what,
        jobs: m.jobs,
        seconds: Number(m.seconds.toFixed(2)),
        jobsPerS: Number((m.jobs / m.seconds).toFixed(1)),
        cpuMsPerJob: Number((m.cpuMs / m.jobs).toFixed(2)),
        waitP50Ms: Math.round(waits[Math.floor(waits.length / 2)] ?? 0),
        waitMaxMs: Math.round(waits.at(-1) ?? 0),
      });
    }
  } finally {
    await pool.end();
  }
  return rows;
}

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 'gca-bench-scheduler-'));
const embedded = await startEmbedded({ dataDir: join(dir, 'pglite') });
try {
  // One connection: the embedded database serialises every connection's transactions anyway (pool.ts).
  rows.push(...(await bench('pglite', embedded.url, 1)));
} finally {
  await embedded.stop();
  await rm(dir, { recursive: true, force: true });
}
const url = values.url ?? process.env.BENCH_DATABASE_URL;
if (url) rows.push(...(await bench('postgres', url, 10)));
if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  process.stdout.write(`bench:scheduler, ${GYMS} gyms, node ${process.version}\n`);
  process.stdout.write(
    '| db | what | jobs | s | jobs/s | CPU ms/job | a call write waits, median / longest ms |\n' +
      '|---|---|---:|---:|---:|---:|---:|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.db} | ${r.what} | ${r.jobs} | ${r.seconds} | ${r.jobsPerS} | ${r.cpuMsPerJob} | ${r.waitP50Ms} / ${r.waitMaxMs} |\n`,
    );
}
