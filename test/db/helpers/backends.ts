// Runs a suite against both a real PostgreSQL server and the embedded PGlite server, one of each per test
// file. Without PostgreSQL binaries the real-server half is skipped with a reason, except under CI_STRICT=1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Test } from 'tap';
import { createPool } from '../../../src/db/pool.js';
import { loadMigrations, migrate } from '../../../src/db/migrate.js';
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

/** What a migrated template is made of: the migrations' names and checksums, so an edited one makes a new template. */
async function migrationsKey(): Promise<string> {
  const all = await loadMigrations();
  const hash = createHash('sha256');
  for (const m of all) hash.update(`${m.version} ${m.name} ${m.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Makes `template` once per machine with `prepare` run on a started server; another file may win the race. */
async function ensureTemplate(template: string, prepare: (db: EmbeddedDatabase) => Promise<void>): Promise<void> {
  if (existsSync(template)) return;
  const work = await mkdtemp(join(scratchDir(), 'gca-pglite-tpl-'));
  const db = await startEmbedded({ dataDir: join(work, 'pglite') });
  try {
    await prepare(db);
  } finally {
    await db.stop();
  }
  await rename(join(work, 'pglite'), template).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

/**
 * Each edit of a migration makes a new template; old ones would pile up in the scratch directory. Only those
 * untouched for a day go: another checkout on this machine (a branch with other migrations) may be copying its own.
 */
async function dropOldMigratedTemplates(keep: string): Promise<void> {
  const dayAgo = Date.now() - 86_400_000;
  for (const n of await readdir(scratchDir())) {
    if (!n.startsWith('gca-pglite-migrated-') || n === keep) continue;
    const path = join(scratchDir(), n);
    const s = await stat(path).catch(() => undefined);
    if (s && s.mtimeMs < dayAgo) await rm(path, { recursive: true, force: true });
  }
}

/**
 * A fresh PGlite data directory. PGlite's initdb takes seconds of WebAssembly, and applying the migrations two more
 * seconds of CPU (its compiler tiers up on them); tests copy a directory made once per machine (by the real
 * startEmbedded and migrate) instead. `migrated: false` gives the pristine one, for tests of the migrations and of a
 * first start.
 */
export async function freshPgliteDir(dest: string, opts: { migrated?: boolean } = {}): Promise<void> {
  const pristine = join(scratchDir(), `gca-pglite-template-${PGLITE_VERSION}`);
  await ensureTemplate(pristine, async () => undefined);
  let template = pristine;
  if (opts.migrated !== false) {
    const name = `gca-pglite-migrated-${PGLITE_VERSION}-${await migrationsKey()}`;
    template = join(scratchDir(), name);
    if (!existsSync(template)) await dropOldMigratedTemplates(name);
    await ensureTemplate(template, async (db) => {
      const pool = createPool(db.url, { max: 1 });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
    });
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
