import t from 'tap';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/pool.js';
import { runningEmbedded, startEmbedded } from '../../src/db/embedded.js';
import { pendingMigrations } from '../../src/db/migrate.js';
import { freshPgliteDir } from './helpers/backends.js';
import { scratchDir } from './helpers/postgres.js';
import { captureLogger } from './helpers/capture-log.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';

t.test('embedded default: pg over loopback, migrated, data survives a restart, one owner', async (t) => {
  const root = await mkdtemp(join(scratchDir(), 'gca-embedded-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await freshPgliteDir(join(root, 'pglite'), { migrated: false });
  const cfg = { DATABASE_URL: undefined, DATA_DIR: root, DB_AUTO_MIGRATE: true };

  const db = await openDatabase(cfg);
  t.ok(db.embedded, 'no DATABASE_URL → embedded');
  t.equal(db.location, join(root, 'pglite'));
  t.match(db.embedded?.url, /^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);
  t.equal(await pendingMigrations(db.pool), 0, 'migrated at start-up');
  await db.pool.query("INSERT INTO gyms (name) VALUES ('Persistent Gym')");

  t.equal(
    (await readFile(join(root, 'pglite.lock'), 'utf8')).split('\n')[0],
    String(process.pid),
    'lock names the owner',
  );
  const running = await runningEmbedded(join(root, 'pglite'));
  t.equal(running?.url, db.embedded?.url, 'CLI commands can find the running server');
  await t.rejects(
    startEmbedded({ dataDir: join(root, 'pglite') }),
    /in use by this process/,
    'a second owner is refused',
  );

  await db.close();
  t.notOk(existsSync(join(root, 'pglite.lock')), 'lock released');
  t.equal(await runningEmbedded(join(root, 'pglite')), undefined);

  const again = await openDatabase(cfg);
  t.teardown(() => again.close());
  const r = await again.pool.query<{ name: string }>('SELECT name FROM gyms');
  t.same(
    r.rows.map((x) => x.name),
    ['Persistent Gym'],
    'data survived the restart',
  );
});

t.test('a crashed embedded worker is restarted on the same port; buffered writes arrive', async (t) => {
  const root = await mkdtemp(join(scratchDir(), 'gca-embedded-crash-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await freshPgliteDir(join(root, 'pglite'));
  const { log, lines } = captureLogger();
  const db = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: root, DB_AUTO_MIGRATE: true }, { log });
  t.teardown(() => db.close());
  const queue = new WriteQueue(db.pool, { retryInitialMs: 50, retryMaxMs: 300, log });
  t.teardown(() => queue.close(1000));
  const call = new CallRecorder(queue).begin({ callId: 'worker-crash', direction: 'inbound', at: 1000 });
  t.equal(await call.created, 'committed');
  await db.embedded?.crash();
  const outs = [0, 1, 2, 3].map((i) => call.callerTurn({ text: `after crash ${i}`, at: 2000 + i }));
  t.same(await Promise.all(outs), ['committed', 'committed', 'committed', 'committed']);
  t.equal(db.embedded?.restarts, 1);
  t.ok(
    lines.some((l) => /exited unexpectedly/.test(String(l.msg))),
    'crash logged',
  );
  const r = await db.pool.query("SELECT count(*)::int n FROM turns WHERE call_id = 'worker-crash'");
  t.equal(r.rows[0].n, 4);
});

t.test('embedded: many concurrent writes from one process all land (one session behind the socket)', async (t) => {
  const root = await mkdtemp(join(scratchDir(), 'gca-embedded-conc-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await freshPgliteDir(join(root, 'pglite'));
  const db = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: root, DB_AUTO_MIGRATE: true });
  t.teardown(() => db.close());
  // Large parameters make pg split a statement's messages over several socket writes: the case where
  // connections sharing PGlite's one session used to interleave.
  const big = 'x'.repeat(200_000);
  const names = Array.from({ length: 40 }, (_, i) => `Concurrent Gym ${i} ${big}`);
  // Half go through explicit transactions on their own client, as the write queue's lanes do.
  const inTransaction = async (n: string) => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO gyms (name) VALUES ($1)', [n]);
      await c.query('SELECT count(*) FROM gyms WHERE name = $1', [n]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  const results = await Promise.allSettled(
    names.map((n, i) =>
      i % 2 === 0 ? inTransaction(n) : db.pool.query('INSERT INTO gyms (name) VALUES ($1) RETURNING id', [n]),
    ),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  t.equal(failed.length, 0, `no write lost (${failed.map((f) => String(f.reason)).join('; ')})`);
  const { rows } = await db.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM gyms WHERE name LIKE 'Concurrent Gym %'",
  );
  t.equal(Number(rows[0]?.n), 40);
});
