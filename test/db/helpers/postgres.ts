// A throwaway real PostgreSQL server for tests: initdb into a temp dir, pg_ctl start on a free loopback port.
// When running as root, the server runs as the 'postgres' user (PostgreSQL refuses to run as root).
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rename, rm } from 'node:fs/promises';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../src/net/free-port.js';

const run = promisify(execFile);

/** Scratch space for databases: tmpfs when there is one (much faster on a busy disk), else the OS temp dir. */
export function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout; 15 on this image). */
function findPgBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v) && existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join('/usr/lib/postgresql', versions[0], 'bin');
  } catch {
    // no PostgreSQL installed: reported by pgUnavailableReason()
  }
  return '/usr/lib/postgresql/15/bin';
}

export const PG_BIN = findPgBin();

export interface PgServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
  wrap(cmd: string, args: string[]): [string, string[]];
}

async function runAs(): Promise<RunAs | string> {
  if (process.getuid?.() !== 0) {
    return { uid: -1, gid: -1, wrap: (c, a) => [c, a] };
  }
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  try {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    const uid = Number(stdout.trim());
    const gid = Number(g.trim());
    return { uid, gid, wrap: (c, a) => ['runuser', ['-u', 'postgres', '--', c, ...a]] };
  } catch {
    return "running as root and there is no 'postgres' user to run the server as";
  }
}

/** Why a real server cannot be started here, or undefined when it can. */
export async function pgUnavailableReason(): Promise<string | undefined> {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `no PostgreSQL binaries in ${PG_BIN} (apt-get install postgresql)`;
  const r = await runAs();
  return typeof r === 'string' ? r : undefined;
}

export async function startPostgres(): Promise<PgServer> {
  const as = await runAs();
  if (typeof as === 'string') throw new Error(as);
  const dir = await mkdtemp(join(scratchDir(), 'gca-pg-'));
  const data = join(dir, 'data');
  if (as.uid >= 0) {
    await chown(dir, as.uid, as.gid);
    await chmod(dir, 0o700);
  }
  const exec = (bin: string, args: string[]) => {
    const [c, a] = as.wrap(join(PG_BIN, bin), args);
    return run(c, a, { cwd: dir });
  };
  // initdb costs seconds of CPU; a pristine cluster made once per machine is copied instead.
  const template = join(scratchDir(), `gca-pg-template-${PG_BIN.replaceAll('/', '_')}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const work = join(dir, 'template');
    await exec('initdb', ['-D', work, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await rename(work, template).catch(() => undefined); // another test file won the race
  }
  const [c, a] = as.wrap('cp', ['-a', template, data]);
  await run(c, a);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    stop,
    async destroy() {
      await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
