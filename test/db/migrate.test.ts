import t from 'tap';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { Test } from 'tap';
import { createPool } from '../../src/db/pool.js';
import { LEDGER_TABLE, loadMigrations, migrate, migrationStatus, pendingMigrations } from '../../src/db/migrate.js';
import { startEmbedded } from '../../src/db/embedded.js';
import { freshPgliteDir, withPostgres } from './helpers/backends.js';
import { scratchDir } from './helpers/postgres.js';
import type { PgServer } from './helpers/postgres.js';

// Each case needs an empty database: a new database on the real server, a new data directory for PGlite.
type Fresh = () => Promise<{ url: string; cleanup(): Promise<void> }>;

async function tables(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  return r.rows.map((x) => x.t);
}

function cases(t: Test, name: string, fresh: Fresh) {
  t.test(name, async (t) => {
    const pools: pg.Pool[] = [];
    const open = (url: string) => {
      const p = createPool(url, { max: 2 });
      pools.push(p);
      return p;
    };
    // Connections close before their database is dropped or stopped.
    const fresh2 = async () => {
      const db = await fresh();
      return {
        url: db.url,
        cleanup: async () => {
          for (const p of pools.splice(0)) await p.end().catch(() => undefined);
          await db.cleanup();
        },
      };
    };
    const all = await loadMigrations();

    t.test('up from empty, then an idempotent re-run', async (t) => {
      const db = await fresh2();
      t.teardown(db.cleanup);
      const pool = open(db.url);
      t.same(await tables(pool), []);
      t.equal(await pendingMigrations(pool), all.length);
      const first = await migrate(pool);
      t.equal(first.applied.length, all.length);
      t.same(await tables(pool), [
        'amd_results',
        'call_callbacks',
        'call_costs',
        'call_leases',
        'call_messages',
        'call_recordings',
        'call_refusals',
        'call_status_history',
        'call_transfers',
        'calls',
        'campaign_attempts',
        'campaign_gyms',
        'campaigns',
        'fact_classes',
        'fact_hours',
        'fact_plans',
        'gym_changes',
        'gym_imports',
        'gyms',
        'ivr_paths',
        'phone_numbers',
        LEDGER_TABLE,
        'suppression_events',
        'suppressions',
        'turns',
        'webhook_attempts',
        'webhook_events',
        'webhook_gym_facts',
      ]);
      const again = await migrate(pool);
      t.equal(again.applied.length, 0);
      t.equal(again.alreadyApplied, all.length);
      t.equal(await pendingMigrations(pool), 0);
      const st = await migrationStatus(pool);
      t.ok(st.every((s) => s.appliedAt instanceof Date));
    });

    t.test('concurrent migrators: exactly one applies, none fails', async (t) => {
      const db = await fresh2();
      t.teardown(db.cleanup);
      const racers = [open(db.url), open(db.url), open(db.url), open(db.url)];
      const results = await Promise.all(racers.map((p) => migrate(p)));
      t.same(
        results.map((r) => r.applied.length).sort(),
        [0, 0, 0, all.length],
        'one migrator applied everything, the others found it done',
      );
      const ledger = await racers[0]!.query(`SELECT version FROM ${LEDGER_TABLE} ORDER BY version`);
      t.same(
        ledger.rows.map((r) => r.version),
        all.map((m) => m.version),
      );
    });

    t.test('a failing migration leaves nothing half-applied; an edited one is refused', async (t) => {
      const db = await fresh2();
      t.teardown(db.cleanup);
      const pool = open(db.url);
      const broken = [
        ...all,
        { version: 998, name: 'ok_table', sql: 'CREATE TABLE extra_ok (i int)', checksum: 'a' },
        {
          version: 999,
          name: 'broken',
          sql: 'CREATE TABLE extra_bad (i int); SELECT * FROM no_such_table',
          checksum: 'b',
        },
      ];
      await t.rejects(migrate(pool, broken), /no_such_table/);
      t.same(await tables(pool), [], 'whole run rolled back');
      await migrate(pool);
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await t.rejects(migrate(pool, edited), /changed after it was applied/);
    });
  });
}

t.test('migrations', async (t) => {
  const pgs = await withPostgres(t);
  if (pgs) {
    const server: PgServer = pgs.server;
    let n = 0;
    cases(t, 'postgres', async () => {
      const name = `mig_${++n}`;
      await pgs.backend.pool.query(`CREATE DATABASE ${name}`);
      return {
        url: server.url.replace(/\/postgres$/, `/${name}`),
        cleanup: async () => {
          await pgs.backend.pool.query(`DROP DATABASE ${name} WITH (FORCE)`);
        },
      };
    });
  }
  cases(t, 'pglite', async () => {
    const dir = await mkdtemp(join(scratchDir(), 'gca-mig-'));
    await freshPgliteDir(join(dir, 'pglite'), { migrated: false });
    const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
    return {
      url: db.url,
      cleanup: async () => {
        await db.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
});

t.test('loadMigrations reads NNN_name.sql files in order and rejects duplicate versions', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gca-migfiles-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '002_second.sql'), 'SELECT 2');
  await writeFile(join(dir, '001_first.sql'), 'SELECT 1');
  await writeFile(join(dir, 'README.md'), 'ignored');
  const url = pathToFileURL(dir + '/');
  const ms = await loadMigrations(url);
  t.same(
    ms.map((m) => `${m.version}_${m.name}`),
    ['1_first', '2_second'],
  );
  await writeFile(join(dir, '002_again.sql'), 'SELECT 3');
  await t.rejects(loadMigrations(url), /two migrations share version 2/);
  await t.rejects(loadMigrations(pathToFileURL(join(dir, 'nope') + '/')), /missing/);
});
