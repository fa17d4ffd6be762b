import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { runningEmbedded, startEmbedded } from '../../src/db/embedded.js';
import { freshPgliteDir } from './helpers/backends.js';
import { scratchDir } from './helpers/postgres.js';
import { captureLogger } from './helpers/capture-log.js';

// Security findings 4 and 9 of issue 14: a lock naming our own pid (the server is PID 1 in the container, so after
// a kill -9 the next start finds `1`) must not keep the database down; the loopback port must ask for a password.

async function root(t: Test): Promise<string> {
  const dir = await mkdtemp(join(scratchDir(), 'gca-embedded-sec-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await freshPgliteDir(join(dir, 'pglite'));
  return dir;
}

const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);

t.test('a lock naming our own pid that this process did not take is stale (PID 1 after kill -9)', async (t) => {
  const dir = await root(t);
  // Exactly what the old code wrote and what a killed PID 1 leaves behind: the pid alone.
  await writeFile(join(dir, 'pglite.lock'), String(process.pid));
  const { log, lines } = captureLogger();
  const db = await startEmbedded({ dataDir: join(dir, 'pglite'), log });
  t.teardown(() => db.stop());
  t.ok(
    lines.some((l) => l.msg === 'stale database lock taken over' && l.why === 'our pid, not taken by us'),
    'started over a stale lock holding our own pid, and said why',
  );
  await t.rejects(startEmbedded({ dataDir: join(dir, 'pglite') }), /in use by this process/, 'a second start here');
});

t.test('a lock from this host with our pid and another start time (the new format) is stale too', async (t) => {
  const dir = await root(t);
  const lock = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined))?.trim();
  const { hostname } = await import('node:os');
  await writeFile(
    join(dir, 'pglite.lock'),
    `${process.pid}\nhost=${hostname()}\n${lock ? `boot=${lock}\n` : ''}start=1\n`,
  );
  const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
  await db.stop();
  t.pass('started');
});

t.test('a genuinely live other holder is still refused', async (t) => {
  const dir = await root(t);
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.teardown(() => holder.kill('SIGKILL'));
  const pid = holder.pid as number;
  await writeFile(join(dir, 'pglite.lock'), String(pid));
  await t.rejects(startEmbedded({ dataDir: join(dir, 'pglite') }), new RegExp(`in use by process ${pid}`));
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
  await db.stop();
  t.pass('taken over once the holder is gone');
});

t.test('a fresh lock from another host (a shared volume) is refused until its heartbeat stops', async (t) => {
  const dir = await root(t);
  const lockPath = join(dir, 'pglite.lock');
  await writeFile(lockPath, '1\nhost=some-other-container\n');
  await t.rejects(startEmbedded({ dataDir: join(dir, 'pglite') }), /on host some-other-container/);
  const { utimes } = await import('node:fs/promises');
  const old = new Date(Date.now() - 60_000);
  await utimes(lockPath, old, old);
  const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
  await db.stop();
  t.pass('taken over after the lease');
});

t.test('a DATA_DIR with other things in it keeps its mode and is reported', async (t) => {
  const dir = await root(t);
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'notes.txt'), 'not the database');
  const { log, lines } = captureLogger();
  const db = await startEmbedded({ dataDir: join(dir, 'pglite'), log });
  await db.stop();
  t.ok(
    lines.some((l) => /open to other users/.test(String(l.msg))),
    'warned',
  );
  t.equal(await mode(dir), '755', "a folder with other things in it keeps its mode (DATA_DIR could be '.')");
});

t.test('the embedded port asks for a password; files are private', async (t) => {
  const dir = await root(t);
  const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
  t.teardown(() => db.stop());
  const bare = `postgres://postgres@127.0.0.1:${db.port}/postgres`;
  const connect = async (url: string) => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await c.connect();
      return (await c.query<{ x: number }>('SELECT 1 + 1 AS x')).rows[0]?.x;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  await t.rejects(connect(bare), 'no password: refused');
  await t.rejects(connect(`postgres://postgres:wrong@127.0.0.1:${db.port}/postgres`), /password authentication failed/);
  const password = (await readFile(join(dir, 'pglite.password'), 'utf8')).trim();
  await t.rejects(connect(`postgres://admin:${password}@127.0.0.1:${db.port}/postgres`), /authentication failed/);
  t.equal(await connect(db.url), 2, 'the URL startEmbedded gives works');
  t.ok(password.length >= 32, 'a long random password');
  t.equal(new URL(db.url).password, password);
  t.equal((await runningEmbedded(join(dir, 'pglite')))?.url, db.url, 'CLI commands get the password too');

  t.equal(await mode(join(dir, 'pglite.password')), '600');
  t.equal(await mode(join(dir, 'pglite.addr')), '600');
  t.equal(await mode(join(dir, 'pglite.lock')), '600');
  t.equal(await mode(join(dir, 'pglite')), '700');
  t.equal(await mode(join(dir, 'pglite.run')), '700', "PGlite's own socket is in a private directory");
});

t.test(
  'DATA_DIR is made 0700 when only the database is in it; a client that never authenticates runs nothing',
  async (t) => {
    const dir = await root(t);
    const { chmod } = await import('node:fs/promises');
    await chmod(dir, 0o777); // a container volume (a Kubernetes emptyDir is 0777)
    await chmod(join(dir, 'pglite'), 0o755);
    const db = await startEmbedded({ dataDir: join(dir, 'pglite') });
    t.teardown(() => db.stop());
    t.equal(await mode(dir), '700');
    t.equal(await mode(join(dir, 'pglite')), '700', "PGlite's own directory is made private");

    // A raw client that sends a startup message and then a query without the password: dropped, no rows.
    const { connect } = await import('node:net');
    const s = connect(db.port, '127.0.0.1');
    await once(s, 'connect');
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.write(Buffer.concat([startup, params]));
    await once(s, 'data');
    t.equal(got[0]?.[0], 'R'.charCodeAt(0), 'asked for a password');
    t.equal(got[0]?.readInt32BE(5), 5, 'MD5 challenge');
    // The query instead of the password: the gateway drops the client at once (not at its 10 s auth timeout).
    const sql = Buffer.from('SELECT 42\0');
    const q = Buffer.alloc(5);
    q.write('Q');
    q.writeInt32BE(4 + sql.length, 1);
    const sent = performance.now();
    s.write(Buffer.concat([q, sql]));
    await once(s, 'close');
    t.ok(performance.now() - sent < 5000, 'dropped when the query came');
    t.notOk(Buffer.concat(got).includes(Buffer.from('42')), 'the query never ran');
  },
);
