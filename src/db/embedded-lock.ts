import { hostname } from 'node:os';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';

// PGlite has no inter-process locking: two processes on one data directory would corrupt it. `<dataDir>.lock`
// names its owner, one `key=value` per line after the pid on the first line (older readers take the first line):
//   1
//   host=<hostname>  boot=<kernel boot id>  start=<the process's start time in clock ticks since boot>
// A pid alone cannot tell a live owner from a dead one: in a container the server is PID 1 on every start, so after
// a `kill -9` the lock names our own pid. A lock is therefore stale when the machine has rebooted since (boot id),
// its process is gone or is another process now (start time), or it names this process but this process did not
// take it. A lock from another host (a shared volume, another container's pid namespace) cannot be checked
// that way: its owner touches the file every HEARTBEAT_MS, and it is stale once untouched for LEASE_MS.

export const HEARTBEAT_MS = 10_000;
export const LEASE_MS = 30_000;

interface LockOwner {
  pid: number;
  host?: string;
  boot?: string;
  start?: string;
}

/** Locks this process holds, so a second startEmbedded on one directory in one process is refused too. */
const held = new Set<string>();

async function bootId(): Promise<string | undefined> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim() || undefined;
}

/** Field 22 of /proc/<pid>/stat; the command name before it may hold spaces and parentheses. */
async function startTicks(pid: number): Promise<string | undefined> {
  const s = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] || undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function self(): Promise<LockOwner> {
  return { pid: process.pid, host: hostname(), boot: await bootId(), start: await startTicks(process.pid) };
}

function format(o: LockOwner): string {
  const lines = [String(o.pid)];
  for (const k of ['host', 'boot', 'start'] as const) if (o[k] !== undefined) lines.push(`${k}=${o[k]}`);
  return lines.join('\n') + '\n';
}

async function readLock(lockPath: string): Promise<{ owner: LockOwner; touchedMs: number } | undefined> {
  const [text, st] = await Promise.all([readFile(lockPath, 'utf8').catch(() => ''), stat(lockPath).catch(() => null)]);
  const [first, ...rest] = text.split('\n');
  const pid = Number(first?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || st === null) return undefined;
  const owner: LockOwner = { pid };
  for (const line of rest) {
    const m = /^(host|boot|start)=(.+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) owner[m[1] as 'host' | 'boot' | 'start'] = m[2];
  }
  return { owner, touchedMs: st.mtimeMs };
}

/** Whether the lock's owner may still be running; the reason is for the refusal message. */
async function lockLive(
  lockPath: string,
  lock: { owner: LockOwner; touchedMs: number },
  now = Date.now(),
): Promise<{ live: boolean; why: string }> {
  const me = await self();
  const o = lock.owner;
  if (o.host !== undefined && o.host !== me.host)
    return now - lock.touchedMs < LEASE_MS
      ? {
          live: true,
          why: `process ${o.pid} on host ${o.host} (last heartbeat ${Math.round((now - lock.touchedMs) / 1000)} s ago)`,
        }
      : { live: false, why: 'no heartbeat from its host' };
  if (o.boot !== undefined && me.boot !== undefined && o.boot !== me.boot)
    return { live: false, why: 'taken before the last reboot' };
  if (o.pid === me.pid)
    return held.has(lockPath) ? { live: true, why: 'this process' } : { live: false, why: 'our pid, not taken by us' };
  if (!pidAlive(o.pid)) return { live: false, why: 'its process is gone' };
  const start = o.start === undefined ? undefined : await startTicks(o.pid);
  if (start !== undefined && start !== o.start) return { live: false, why: 'its pid now belongs to another process' };
  return { live: true, why: `process ${o.pid}` };
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

export async function takeLock(dataDir: string, log?: Logger): Promise<HeldLock> {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(format(await self()));
      await fh.close();
      held.add(lockPath);
      // The heartbeat only matters to another host reading the lock; a failed touch is retried on the next beat.
      const beat = setInterval(() => {
        const now = new Date();
        utimes(lockPath, now, now).catch(() => undefined);
      }, HEARTBEAT_MS);
      beat.unref();
      return {
        path: lockPath,
        release: async () => {
          clearInterval(beat);
          held.delete(lockPath);
          await rm(lockPath, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const lock = await readLock(lockPath);
      const verdict = lock ? await lockLive(lockPath, lock) : { live: false, why: 'unreadable' };
      if (verdict.live)
        throw new AppError(
          'DB_UNAVAILABLE',
          `embedded database ${dataDir} is in use by ${verdict.why}; stop it, or set DATABASE_URL to share a PostgreSQL server`,
          { retryable: false },
        );
      // Stale lock left by a crashed process: PGlite recovers the data directory itself.
      log?.warn({ lock: lockPath, pid: lock?.owner.pid, why: verdict.why }, 'stale database lock taken over');
      await rm(lockPath, { force: true });
    }
  }
  throw new AppError('DB_UNAVAILABLE', `could not lock embedded database ${dataDir}`, { retryable: false });
}

/** The pid of the live process holding the lock on dataDir (this process included), if any. */
export async function lockHolder(dataDir: string): Promise<number | undefined> {
  const lockPath = `${dataDir}.lock`;
  const lock = await readLock(lockPath);
  return lock !== undefined && (await lockLive(lockPath, lock)).live ? lock.owner.pid : undefined;
}
