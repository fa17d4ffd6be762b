import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Config } from '../config/index.js';
import { embeddedDataDir, runningEmbedded, startEmbedded, type EmbeddedDatabase } from './embedded.js';
import { migrate } from './migrate.js';

// One pg.Pool for the process, pointed at DATABASE_URL or at the embedded PGlite server.

export interface PoolOptions {
  max?: number;
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
  log?: Logger;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a dead server must fail (and be retried by the write queue), not hang a call.
    query_timeout: opts.statementTimeoutMs ?? 15_000,
    application_name: 'gym-call-agent',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled it would crash the process.
  // The pool discards that client by itself; the write queue sees the outage on its next write.
  pool.on('error', (e: Error & { code?: string }) => {
    opts.log?.warn({ err: { message: e.message, code: e.code } }, 'idle database connection lost');
  });
  return pool;
}

/**
 * A connection of its own on the pool's database, outside the pool: for a session that must outlive any one query
 * (LISTEN, src/telephony/call-events.ts). Not connected yet.
 */
export function dedicatedClient(pool: pg.Pool): pg.Client {
  return new pg.Client({
    connectionString: pool.options.connectionString,
    connectionTimeoutMillis: pool.options.connectionTimeoutMillis,
    application_name: 'gym-call-agent-events',
  });
}

export interface Database {
  readonly pool: pg.Pool;
  /** Set when running the embedded PGlite server. */
  readonly embedded: EmbeddedDatabase | undefined;
  /** Where the data lives, for humans: a data directory or the server host (never the password). */
  readonly location: string;
  close(): Promise<void>;
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/** Opens the configured database (embedded when DATABASE_URL is unset) and migrates it when configured. */
export async function openDatabase(
  cfg: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_AUTO_MIGRATE'>,
  opts: PoolOptions & {
    migrate?: boolean;
    /** Use the embedded server of a running app on the same DATA_DIR instead of failing on its lock. */
    attachToRunning?: boolean;
    /** false: an embedded database that does not exist yet is an error, not made (commands that only read). */
    create?: boolean;
  } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = cfg.DATABASE_URL;
  let location: string | undefined;
  if (url === undefined) {
    const dir = embeddedDataDir(cfg.DATA_DIR);
    const running = opts.attachToRunning ? await runningEmbedded(dir) : undefined;
    if (running) {
      url = running.url;
      location = `${dir} (served by process ${running.pid})`;
    } else {
      // PG_VERSION is the first thing initdb writes; without it there is no database, only a folder.
      if (opts.create === false && !existsSync(join(dir, 'PG_VERSION')))
        throw new AppError(
          'NOT_FOUND',
          `no database in ${dir} (DATA_DIR=${cfg.DATA_DIR}): set DATA_DIR to the folder the app keeps its data in, or DATABASE_URL`,
        );
      embedded = await startEmbedded({ dataDir: dir, ...(opts.log ? { log: opts.log } : {}) });
      url = embedded.url;
    }
  }
  // PGlite is one backend session behind its socket server: statements from several connections interleave at
  // the message level (an unnamed prepared statement of one connection can be replaced by another's, and the
  // write was lost). One connection serialises them at the client, which costs nothing: PGlite runs one query at a
  // time anyway.
  const pool = createPool(url, url === cfg.DATABASE_URL ? opts : { ...opts, max: 1 });
  try {
    if (opts.migrate ?? cfg.DB_AUTO_MIGRATE) {
      const r = await migrate(pool);
      if (r.applied.length > 0)
        opts.log?.info({ applied: r.applied.map((m) => `${m.version}_${m.name}`) }, 'database migrated');
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    pool,
    embedded,
    location: location ?? (embedded ? embedded.dataDir : describeUrl(url)),
    close: () =>
      (closing ??= (async () => {
        await pool.end();
        await embedded?.stop();
      })()),
  };
}
