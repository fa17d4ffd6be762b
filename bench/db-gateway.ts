// `node dist/bench/db-gateway.js [--rounds 8] [--queries 500]`: what the embedded database's password gateway
// (src/db/embedded-gateway.mjs) costs. One embedded server; one client through the gateway (the URL the app uses),
// one straight to PGlite's private Unix socket (what pglite-socket alone would serve); alternating rounds of
// sequential queries. Reported per query: the process's CPU time (all threads: client, gateway, PGlite), which a
// busy machine disturbs far less than wall time, and wall time.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbedded } from '../src/db/embedded.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '8' }, queries: { type: 'string', default: '500' } },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.queries);

const root = await mkdtemp(join(tmpdir(), 'bench-db-gateway-'));
const db = await startEmbedded({ dataDir: join(root, 'pglite') });
// pg reaches a Unix socket as <host dir>/.s.PGSQL.<port>; PGlite's socket is <data dir>.run/s.
await symlink('s', join(root, 'pglite.run', '.s.PGSQL.5432'));
const clients = {
  gateway: new pg.Client(db.url),
  direct: new pg.Client({ host: join(root, 'pglite.run'), port: 5432, user: 'postgres', database: 'postgres' }),
};
await clients.gateway.connect();
await clients.direct.connect();
await clients.gateway.query('CREATE TABLE bench (id int, v text)');

type Kind = 'select' | 'insert';
async function round(c: pg.Client, kind: Kind): Promise<{ cpuUs: number; wallUs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++)
    if (kind === 'select') await c.query('SELECT $1::int AS x', [i]);
    else await c.query('INSERT INTO bench VALUES ($1, $2)', [i, 'x'.repeat(200)]);
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / N, wallUs: Number(process.hrtime.bigint() - t0) / 1e3 / N };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
for (const kind of ['select', 'insert'] as const) {
  const r = { gateway: [] as { cpuUs: number; wallUs: number }[], direct: [] as { cpuUs: number; wallUs: number }[] };
  for (let i = 0; i < ROUNDS; i++) {
    r.gateway.push(await round(clients.gateway, kind));
    r.direct.push(await round(clients.direct, kind));
  }
  const f = (xs: { cpuUs: number; wallUs: number }[]) =>
    `CPU ${median(xs.map((x) => x.cpuUs)).toFixed(0)} µs, wall ${median(xs.map((x) => x.wallUs)).toFixed(0)} µs`;
  console.log(`${kind} per query, median of ${ROUNDS} × ${N}: gateway ${f(r.gateway)}; direct ${f(r.direct)}`);
}
await clients.gateway.end();
await clients.direct.end();
await db.stop();
await rm(root, { recursive: true, force: true });
