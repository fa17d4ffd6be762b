import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { lockHolder, takeLock } from './embedded-lock.js';

// The embedded default database: PGlite persisted under DATA_DIR, served from a worker thread on a loopback port
// that asks for a password (embedded-worker.mjs, embedded-gateway.mjs). Callers get a postgres:// URL and use `pg`
// exactly as with a real server, so there is one code path for both.

interface EmbeddedWorkerData {
  dataDir: string;
  host: string;
  port: number;
  maxConnections: number;
  /** What a client must give to connect (MD5 challenge); see embedded-gateway.mjs. */
  password: string;
  /** PGlite's own socket server, reached only through the gateway. */
  socketPath: string;
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

// `<dataDir>.lock` names the owner (embedded-lock.ts; the doctor reads its first line). `<dataDir>.addr` holds
// {pid, host, port} of the running server so CLI commands can use it, and `<dataDir>.password` the password every
// connection must give: random per data directory, made on first start. Both files are 0600, the data directory
// 0700: the password is what keeps other local users out of the loopback port.

const SECRET_BYTES = 32;

/** The data directory's password, made (0600) on first use. */
async function secret(dataDir: string): Promise<string> {
  const path = `${dataDir}.password`;
  try {
    const fh = await open(path, 'wx', 0o600);
    await fh.writeFile(randomBytes(SECRET_BYTES).toString('base64url'));
    await fh.close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  await chmod(path, 0o600);
  const pw = (await readFile(path, 'utf8')).trim();
  if (pw.length < 16)
    throw new AppError('DB_UNAVAILABLE', `${path} holds no usable password; delete it to have a new one made`, {
      retryable: false,
    });
  return pw;
}

function urlOf(host: string, port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/postgres`;
}

/**
 * The URL of the embedded server a live process is running on this data directory, if any: CLI commands
 * (export, migrate) use it instead of failing on the lock while the app runs.
 */
export async function runningEmbedded(dataDir: string): Promise<{ pid: number; url: string } | undefined> {
  const dir = resolve(dataDir);
  const pid = await lockHolder(dir);
  if (pid === undefined) return undefined;
  try {
    const addr = JSON.parse(await readFile(`${dir}.addr`, 'utf8')) as { pid?: number; host?: string; port?: number };
    if (addr.pid !== pid || !Number.isInteger(addr.port)) return undefined;
    const password = (await readFile(`${dir}.password`, 'utf8')).trim();
    return { pid, url: urlOf(addr.host ?? '127.0.0.1', addr.port as number, password) };
  } catch {
    return undefined;
  }
}

/**
 * Where PGlite's own (unauthenticated) socket server listens: a Unix socket in a directory only this user can
 * enter. Next to the data when the path fits a socket address (108 bytes on Linux), else in a fresh temp directory.
 */
async function privateSocketPath(dataDir: string): Promise<{ path: string; dir: string; temp: boolean }> {
  const dir = `${dataDir}.run`;
  if (Buffer.byteLength(join(dir, 's')) < 100) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    return { path: join(dir, 's'), dir, temp: false };
  }
  const temp = await mkdtemp(join(tmpdir(), 'gym-agent-db-'));
  return { path: join(temp, 's'), dir: temp, temp: true };
}

/**
 * DATA_DIR made 0700 when it holds nothing but this database (a new folder, a container volume); a folder with other
 * things in it (it could be `.`) or that is not ours keeps its mode and is reported. The database's own files are
 * private either way.
 */
async function privateDataRoot(dataDir: string, log: Logger | undefined): Promise<void> {
  const root = dirname(dataDir);
  const base = basename(dataDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const st = await stat(root);
  if ((st.mode & 0o077) === 0) return;
  const onlyOurs = (await readdir(root)).every((f) => f.startsWith(base));
  if (
    onlyOurs &&
    st.uid === process.getuid?.() &&
    (st.mode & 0o1000) === 0 &&
    (await chmod(root, 0o700).then(
      () => true,
      () => false,
    ))
  )
    return;
  log?.warn(
    { dataDir: root, mode: (st.mode & 0o777).toString(8) },
    'the data directory is open to other users; chmod 700 it (the database password file inside is 0600)',
  );
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
  await privateDataRoot(dataDir, opts.log);
  const lock = await takeLock(dataDir, opts.log);
  const host = opts.host ?? '127.0.0.1';
  let data: EmbeddedWorkerData;
  let socket: { path: string; dir: string; temp: boolean } | undefined;
  let first: { worker: Worker; host: string; port: number };
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  try {
    socket = await privateSocketPath(dataDir);
    data = {
      dataDir,
      host,
      port: opts.port ?? 0,
      maxConnections: opts.maxConnections ?? 32,
      password: await secret(dataDir),
      socketPath: socket.path,
    };
    first = await spawnWorker(data, timeoutMs);
  } catch (e) {
    if (socket?.temp) await rm(socket.dir, { recursive: true, force: true });
    await lock.release();
    throw e;
  }
  const { host: boundHost, port } = first;
  let worker = first.worker;
  const addrPath = `${dataDir}.addr`;
  // Removed first: a file left by a killed process keeps its mode, and this one must be 0600.
  await rm(addrPath, { force: true });
  await writeFile(addrPath, JSON.stringify({ pid: process.pid, host: boundHost, port }), { mode: 0o600, flag: 'wx' });

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
      await rm(socket.dir, { recursive: true, force: true });
      await lock.release();
    })());

  return {
    url: urlOf(boundHost, port, data.password),
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
