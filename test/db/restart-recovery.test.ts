import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/pool.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { createLogger } from '../../src/log.js';
import { scratchDir } from './helpers/postgres.js';
import { seedDatabase } from '../support/database.js';

// Issue 14, item 6, through the real start-up (startServer on the embedded database): a call the last process left
// in-progress (it was killed mid-call) is ended, with a reason that says so, before the server takes calls.

t.test('a call left in-progress by a killed server is ended at the next start', async (t) => {
  const dir = await mkdtemp(join(scratchDir(), 'gca-restart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await seedDatabase(dir);
  const before = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: dir, DB_AUTO_MIGRATE: true });
  await before.pool.query(
    `INSERT INTO calls (id, direction, status, status_at, created_at) VALUES
       ('was-live', 'outbound', 'in-progress', now(), now()),
       ('was-done', 'outbound', 'completed', now(), now())`,
  );
  await before.pool.query("UPDATE calls SET ended_at = now(), end_reason = 'hangup' WHERE id = 'was-done'");
  await before.close();

  const env = await DemoEnvironment.start({ dataDir: dir, log: createLogger('silent') });
  t.teardown(() => env.close());
  const r = await env.server.db.pool.query<{ id: string; status: string; end_reason: string; ended: boolean }>(
    'SELECT id, status, end_reason, ended_at IS NOT NULL AS ended FROM calls ORDER BY id',
  );
  t.same(r.rows, [
    { id: 'was-done', status: 'completed', end_reason: 'hangup', ended: true },
    { id: 'was-live', status: 'failed', end_reason: 'server_restarted', ended: true },
  ]);
});
