import t from 'tap';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/pool.js';
import { runningEmbedded, startEmbedded } from '../../src/db/embedded.js';
import { pendingMigrations } from '../../src/db/migrate.js';
import { freshPgliteDir } from './helpers/backends.js';
import { scratchDir } from './helpers/postgres.js';

t.test('embedded default: pg over loopback, migrated, data survives a restart, one owner', async (t) => {
  const root = await mkdtemp(join(scratchDir(), 'gca-embedded-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await freshPgliteDir(join(root, 'pglite'));
  const cfg = { DATABASE_URL: undefined, DATA_DIR: root, DB_AUTO_MIGRATE: true };

  const db = await openDatabase(cfg);
  t.ok(db.embedded, 'no DATABASE_URL → embedded');
  t.equal(db.location, join(root, 'pglite'));
  t.match(db.embedded?.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  t.equal(await pendingMigrations(db.pool), 0, 'migrated at start-up');
  await db.pool.query("INSERT INTO gyms (name) VALUES ('Persistent Gym')");

  t.equal((await readFile(join(root, 'pglite.lock'), 'utf8')).trim(), String(process.pid), 'lock names the owner');
  const running = await runningEmbedded(join(root, 'pglite'));
  t.equal(running?.url, db.embedded?.url, 'CLI commands can find the running server');
  await t.rejects(
    startEmbedded({ dataDir: join(root, 'pglite') }),
    /in use by process \d+/,
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
