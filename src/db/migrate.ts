import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../errors.js';
import { withClient } from './sql.js';

// Plain SQL migrations in ./migrations/NNN_name.sql (copied next to the compiled file by
// scripts/copy-assets.mjs), recorded in a ledger table. All pending migrations run in ONE transaction that
// first takes a transaction-scoped advisory lock: two pods starting together serialise on the lock, the
// second then sees the first one's ledger rows and has nothing to do. The transaction-scoped lock (rather
// than a session lock) also serialises migrators on PGlite, whose socket server shares one backend session
// between connections (session advisory locks are re-entrant there) but runs one transaction at a time.

/** Arbitrary constant that identifies "gym-call-agent schema migration" among advisory locks. */
export const MIGRATION_LOCK_KEY = 7_419_023_114;
export const LEDGER_TABLE = 'schema_migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  alreadyApplied: number;
}

const FILE_RE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export function migrationsDir(): URL {
  return new URL('./migrations/', import.meta.url);
}

export async function loadMigrations(dir: URL = migrationsDir()): Promise<Migration[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (e) {
    throw new AppError('INTERNAL', `migrations directory ${dir.pathname} is missing (was the build copy step run?)`, {
      cause: e,
    });
  }
  const out: Migration[] = [];
  for (const f of files.sort()) {
    const m = FILE_RE.exec(f);
    if (!m) continue;
    const sql = await readFile(new URL(f, dir), 'utf8');
    out.push({
      version: Number(m[1]),
      name: m[2] ?? f,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const seen = new Set<number>();
  for (const m of out) {
    if (seen.has(m.version)) throw new AppError('INTERNAL', `two migrations share version ${m.version}`);
    seen.add(m.version);
  }
  if (out.length === 0) throw new AppError('INTERNAL', `no migrations found in ${dir.pathname}`);
  return out;
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
}

/** Applies every pending migration; safe to run concurrently from several processes. */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<MigrationResult> {
  const all = migrations ?? (await loadMigrations());
  return withClient(pool, async (client, broke) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
           version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = await client.query<LedgerRow>(`SELECT version, name, checksum FROM ${LEDGER_TABLE}`);
      const byVersion = new Map(done.rows.map((r) => [r.version, r]));
      const applied: Migration[] = [];
      for (const m of all) {
        const row = byVersion.get(m.version);
        if (row) {
          // An edited migration that already ran would silently diverge between databases: refuse.
          if (row.checksum !== m.checksum)
            throw new AppError(
              'INTERNAL',
              `migration ${m.version}_${m.name} was changed after it was applied (checksum differs); add a new migration instead`,
            );
          continue;
        }
        await client.query(m.sql);
        await client.query(`INSERT INTO ${LEDGER_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [
          m.version,
          m.name,
          m.checksum,
        ]);
        applied.push(m);
      }
      await client.query('COMMIT');
      return { applied, alreadyApplied: all.length - applied.length };
    } catch (e) {
      await client.query('ROLLBACK').catch(broke);
      throw e;
    }
  });
}

export interface MigrationStatus {
  version: number;
  name: string;
  appliedAt: Date | null;
}

/** Which migrations are applied (for `gym-agent migrate --status`, doctor and /readyz). */
export async function migrationStatus(pool: pg.Pool, migrations?: Migration[]): Promise<MigrationStatus[]> {
  const all = migrations ?? (await loadMigrations());
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [LEDGER_TABLE]);
  const applied = new Map<number, Date>();
  if (exists.rows[0]?.t) {
    const r = await pool.query<{ version: number; applied_at: Date }>(
      `SELECT version, applied_at FROM ${LEDGER_TABLE}`,
    );
    for (const row of r.rows) applied.set(row.version, row.applied_at);
  }
  return all.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
}

export async function pendingMigrations(pool: pg.Pool): Promise<number> {
  return (await migrationStatus(pool)).filter((s) => s.appliedAt === null).length;
}
