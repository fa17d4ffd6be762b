import { Worker } from 'node:worker_threads';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';

// The embedded default database: PGlite persisted under DATA_DIR, served on a loopback port by
// @electric-sql/pglite-socket from a worker thread. Callers get a postgres:// URL and use `pg` exactly as
// with a real server, so there is one code path for both.

interface EmbeddedWorkerData {
  dataDir: string;
  host: string;
  port: number;
  maxConnections: number;
}

type EmbeddedWorkerMessage =
  { type: 'ready'; host: string; port: number } | { type: 'error'; message: string } | { type: 'stopped' };

export interface EmbeddedDatabase {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The PGlite data directory itself (callers usually pass join(DATA_DIR, 'pglite')). */
  dataDir: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  maxConnections?: number;
  startTimeoutMs?: number;
}

export function embeddedDataDir(dataDirRoot: string): string {
  return join(resolve(dataDirRoot), 'pglite');
}

function workerUrl(): URL {
  return new URL('./embedded-worker.mjs', import.meta.url);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `<dataDir>.lock` holds the owner's pid as plain text (the doctor reads it too); `<dataDir>.addr` holds
// {pid, host, port} of its socket server so CLI commands can use the running server.

async function readLockPid(lockPath: string): Promise<number | undefined> {
  const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The URL of the embedded server a live process is running on this data directory, if any: CLI commands
 * (export, migrate) use it instead of failing on the lock while the app runs.
 */
export async function runningEmbedded(dataDir: string): Promise<{ pid: number; url: string } | undefined> {
  const dir = resolve(dataDir);
  const pid = await readLockPid(`${dir}.lock`);
  if (pid === undefined || !pidAlive(pid)) return undefined;
  try {
    const addr = JSON.parse(await readFile(`${dir}.addr`, 'utf8')) as { pid?: number; host?: string; port?: number };
    if (addr.pid !== pid || !Number.isInteger(addr.port)) return undefined;
    return { pid, url: `postgres://postgres@${addr.host ?? '127.0.0.1'}:${addr.port}/postgres` };
  } catch {
    return undefined;
  }
}

/** PGlite has no inter-process locking: two processes on one data directory would corrupt it. */
async function takeLock(dataDir: string): Promise<string> {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return lockPath;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = (await readLockPid(lockPath)) ?? 0;
      // Our own pid counts too: a second PGlite in this process would corrupt the directory just the same.
      if (Number.isInteger(pid) && pid > 0 && pidAlive(pid))
        throw new AppError(
          'DB_UNAVAILABLE',
          `embedded database ${dataDir} is in use by process ${pid}; stop it, or set DATABASE_URL to share a PostgreSQL server`,
          { retryable: false },
        );
      // Stale lock left by a crashed process: PGlite recovers the data directory itself.
      await rm(lockPath, { force: true });
    }
  }
  throw new AppError('DB_UNAVAILABLE', `could not lock embedded database ${dataDir}`, { retryable: false });
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lockPath = await takeLock(dataDir);
  const host = opts.host ?? '127.0.0.1';
  const data: EmbeddedWorkerData = {
    dataDir,
    host,
    port: opts.port ?? 0,
    maxConnections: opts.maxConnections ?? 32,
  };
  // execArgv: [] keeps loaders of the parent (e.g. a TypeScript test loader) out of the plain-JS worker.
  const worker = new Worker(workerUrl(), { workerData: data, execArgv: [] });
  let ready: { host: string; port: number };
  try {
    ready = await new Promise((res, rej) => {
      const timer = setTimeout(
        () =>
          rej(
            new AppError('DB_UNAVAILABLE', `embedded database did not start within ${opts.startTimeoutMs ?? 60000} ms`),
          ),
        opts.startTimeoutMs ?? 60_000,
      );
      worker.once('message', (m: EmbeddedWorkerMessage) => {
        clearTimeout(timer);
        if (m.type === 'ready') res({ host: m.host, port: m.port });
        else
          rej(
            new AppError(
              'DB_UNAVAILABLE',
              `embedded database failed to start: ${m.type === 'error' ? m.message : m.type}`,
            ),
          );
      });
      worker.once('error', (e) => {
        clearTimeout(timer);
        rej(new AppError('DB_UNAVAILABLE', `embedded database worker crashed: ${e.message}`, { cause: e }));
      });
    });
  } catch (e) {
    await worker.terminate();
    await rm(lockPath, { force: true });
    throw e;
  }

  const addrPath = `${dataDir}.addr`;
  await writeFile(addrPath, JSON.stringify({ pid: process.pid, host: ready.host, port: ready.port }));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const done = new Promise<void>((res) => {
        worker.on('message', (m: EmbeddedWorkerMessage) => m.type === 'stopped' && res());
        worker.once('exit', () => res());
      });
      worker.postMessage('stop');
      const t = setTimeout(() => void worker.terminate(), 10_000);
      await done;
      clearTimeout(t);
      await rm(addrPath, { force: true });
      await rm(lockPath, { force: true });
    })());

  return {
    url: `postgres://postgres@${ready.host}:${ready.port}/postgres`,
    host: ready.host,
    port: ready.port,
    dataDir,
    stop,
  };
}
