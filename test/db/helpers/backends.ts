// Runs a suite against both a real PostgreSQL server and the embedded PGlite server, one of each per test
// file. Without PostgreSQL binaries the real-server half is skipped with a reason, except under CI_STRICT=1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Test } from 'tap';
import { createPool } from '../../../src/db/pool.js';
import { migrate } from '../../../src/db/migrate.js';
import { startEmbedded, type EmbeddedDatabase } from '../../../src/db/embedded.js';
import { scratchDir, pgUnavailableReason, startPostgres, type PgServer } from './postgres.js';
import { repoPath } from '../../support/repo.js';

const run = promisify(execFile);

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
    'TRUNCATE fact_hours, fact_plans, fact_classes, turns, call_status_history, call_leases, calls, gyms, ivr_paths RESTART IDENTITY CASCADE',
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

const PGLITE_VERSION = (
  JSON.parse(readFileSync(repoPath('node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * A fresh PGlite data directory. PGlite's initdb takes seconds of WebAssembly; tests copy a pristine
 * directory made once per machine (by the real startEmbedded) instead.
 */
export async function freshPgliteDir(dest: string): Promise<void> {
  const template = join(scratchDir(), `gca-pglite-template-${PGLITE_VERSION}`);
  if (!existsSync(template)) {
    const work = await mkdtemp(join(scratchDir(), 'gca-pglite-tpl-'));
    const db = await startEmbedded({ dataDir: join(work, 'pglite') });
    await db.stop();
    await rename(join(work, 'pglite'), template).catch(() => undefined); // another file won the race
    await rm(work, { recursive: true, force: true });
  }
  // cp -a is several times faster than fs.cp on PGlite's ~1,000 small files.
  await run('cp', ['-a', template, dest]);
}

export async function withPglite(t: Test): Promise<{ db: EmbeddedDatabase; dir: string; backend: Backend }> {
  const dir = await mkdtemp(join(scratchDir(), 'gca-pglite-'));
  await freshPgliteDir(join(dir, 'pglite'));
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
