import { Worker } from 'node:worker_threads';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';

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
  /** How many times the worker was restarted after dying. */
  readonly restarts: number;
  stop(): Promise<void>;
  /** Tests: kill the worker abruptly, as a crash would. */
  crash(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The PGlite data directory itself (callers usually pass join(DATA_DIR, 'pglite')). */
  dataDir: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  maxConnections?: number;
  startTimeoutMs?: number;
  log?: Logger;
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

function spawnWorker(
  data: EmbeddedWorkerData,
  timeoutMs: number,
): Promise<{ worker: Worker; host: string; port: number }> {
  // execArgv: [] keeps loaders of the parent (e.g. a TypeScript test loader) out of the plain-JS worker.
  const worker = new Worker(workerUrl(), { workerData: data, execArgv: [] });
  return new Promise((res, rej) => {
    const fail = (e: AppError) => {
      clearTimeout(timer);
      void worker.terminate().finally(() => rej(e));
    };
    const timer = setTimeout(
      () => fail(new AppError('DB_UNAVAILABLE', `embedded database did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    worker.once('message', (m: EmbeddedWorkerMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        res({ worker, host: m.host, port: m.port });
      } else
        fail(
          new AppError(
            'DB_UNAVAILABLE',
            `embedded database failed to start: ${m.type === 'error' ? m.message : m.type}`,
          ),
        );
    });
    worker.once('error', (e) =>
      fail(new AppError('DB_UNAVAILABLE', `embedded database worker crashed: ${e.message}`, { cause: e })),
    );
  });
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
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let first: { worker: Worker; host: string; port: number };
  try {
    first = await spawnWorker(data, timeoutMs);
  } catch (e) {
    await rm(lockPath, { force: true });
    throw e;
  }
  const { host: boundHost, port } = first;
  let worker = first.worker;
  const addrPath = `${dataDir}.addr`;
  await writeFile(addrPath, JSON.stringify({ pid: process.pid, host: boundHost, port }));

  let stopping: Promise<void> | undefined;
  let restarts = 0;
  // A worker that dies (a WebAssembly trap, out of memory) is restarted on the same port, so the pool and the
  // write queue (which buffers meanwhile) reconnect by themselves. PGlite recovers the directory on start.
  const watch = (w: Worker) => {
    w.once('exit', (code) => {
      if (stopping || w !== worker) return;
      opts.log?.error({ code, restarts }, 'embedded database worker exited unexpectedly; restarting it');
      const retry = (delayMs: number) => {
        setTimeout(() => {
          if (stopping) return;
          spawnWorker({ ...data, port }, timeoutMs).then(
            (next) => {
              if (stopping) {
                next.worker.postMessage('stop');
                return;
              }
              restarts++;
              worker = next.worker;
              watch(worker);
              opts.log?.warn({ restarts }, 'embedded database restarted');
            },
            (e: unknown) => {
              opts.log?.error({ err: (e as Error).message }, 'embedded database restart failed; retrying');
              retry(Math.min(delayMs * 2, 30_000));
            },
          );
        }, delayMs).unref();
      };
      retry(500);
    });
  };
  watch(worker);

  const stop = () =>
    (stopping ??= (async () => {
      const w = worker;
      const done = new Promise<void>((res) => {
        w.on('message', (m: EmbeddedWorkerMessage) => m.type === 'stopped' && res());
        w.once('exit', () => res());
      });
      w.postMessage('stop');
      const t = setTimeout(() => void w.terminate(), 10_000);
      await done;
      clearTimeout(t);
      await rm(addrPath, { force: true });
      await rm(lockPath, { force: true });
    })());

  return {
    url: `postgres://postgres@${boundHost}:${port}/postgres`,
    host: boundHost,
    port,
    dataDir,
    stop,
    get restarts() {
      return restarts;
    },
    crash: () => worker.terminate().then(() => undefined),
  };
}
