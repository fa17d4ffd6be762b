// Runs a suite against both a real PostgreSQL server and the embedded PGlite server, one of each per test
// file. Without PostgreSQL binaries the real-server half is skipped with a reason, except under CI_STRICT=1.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Test } from 'tap';
import { createPool } from '../../../src/db/pool.js';
import { migrate } from '../../../src/db/migrate.js';
import { startEmbedded, type EmbeddedDatabase } from '../../../src/db/embedded.js';
import { pgUnavailableReason, startPostgres, type PgServer } from './postgres.js';

export const STRICT = process.env.CI_STRICT === '1';

export interface Backend {
  name: 'postgres' | 'pglite';
  url: string;
  pool: pg.Pool;
  /** Empties every data table (keeps the schema). */
  reset(): Promise<void>;
}

export async function resetTables(pool: pg.Pool): Promise<void> {
  await pool.query(
    'TRUNCATE fact_hours, fact_plans, fact_classes, turns, call_status_history, calls, gyms RESTART IDENTITY CASCADE',
  );
}

export async function withPostgres(t: Test): Promise<{ server: PgServer; backend: Backend } | undefined> {
  const why = await pgUnavailableReason();
  if (why) {
    if (STRICT) t.fail(`real PostgreSQL required under CI_STRICT=1: ${why}`);
    else t.comment(`skipping real PostgreSQL: ${why}`);
    return undefined;
  }
  const server = await startPostgres();
  const pool = createPool(server.url, { max: 5 });
  t.teardown(async () => {
    await pool.end().catch(() => undefined);
    await server.destroy();
  });
  await migrate(pool);
  return { server, backend: { name: 'postgres', url: server.url, pool, reset: () => resetTables(pool) } };
}

export async function withPglite(t: Test): Promise<{ db: EmbeddedDatabase; dir: string; backend: Backend }> {
  const dir = await mkdtemp(join(tmpdir(), 'gca-pglite-'));
  const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
  const pool = createPool(db.url, { max: 5 });
  t.teardown(async () => {
    await pool.end().catch(() => undefined);
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await migrate(pool);
  return { db, dir, backend: { name: 'pglite', url: db.url, pool, reset: () => resetTables(pool) } };
}

/** Both backends for this file (PostgreSQL first, when available). */
export async function backends(t: Test): Promise<Backend[]> {
  const [pgs, lite] = await Promise.all([withPostgres(t), withPglite(t)]);
  return [...(pgs ? [pgs.backend] : []), lite.backend];
}
