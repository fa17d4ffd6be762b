import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { openDatabase } from '../../db/pool.js';
import { migrate, migrationStatus } from '../../db/migrate.js';

const USAGE = `usage: gym-agent migrate [--status]
  Applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR. Safe to run from
  several processes at once (advisory lock). The app also migrates at start-up unless DB_AUTO_MIGRATE=false.
  --status   list migrations and when each was applied; exit 1 if any is pending`;

export async function run(args: string[]): Promise<number> {
  let values: { status?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { status: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`gym-agent migrate: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const cfg = loadConfig(process.env);
  const log = createLogger(cfg.LOG_LEVEL);
  const db = await openDatabase(cfg, { log, migrate: false, attachToRunning: true });
  try {
    if (values.status) {
      const st = await migrationStatus(db.pool);
      for (const s of st)
        process.stdout.write(
          `${String(s.version).padStart(3, '0')}_${s.name}  ${s.appliedAt ? `applied ${s.appliedAt.toISOString()}` : 'PENDING'}\n`,
        );
      return st.some((s) => s.appliedAt === null) ? 1 : 0;
    }
    const r = await migrate(db.pool);
    for (const m of r.applied) process.stdout.write(`applied ${String(m.version).padStart(3, '0')}_${m.name}\n`);
    process.stdout.write(
      `${db.location}: ${r.applied.length} migration(s) applied, ${r.alreadyApplied} already up to date\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
