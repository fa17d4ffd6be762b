import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createPool } from '../../src/db/pool.js';
import { startEmbedded } from '../../src/db/embedded.js';
import { withPglite, withPostgres } from './helpers/backends.js';
import type { Test } from 'tap';

// A child process runs a call and is SIGKILLed mid-call. Every turn whose write the child saw committed
// must be in the database afterwards; the database holds a gap-free prefix of the turns that ended (the
// one or two in flight at the kill may or may not have made it, never half of one).

// The fixture sits next to this file in both places it runs from: compiled (dist/test) or through tap's loader (test/).
const CHILD = fileURLToPath(
  new URL(`./fixtures/crash-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

interface ChildRun {
  ended: number[];
  committed: number[];
}

/** Kills the child the moment turn `killAtEnded` ends, while its write is in flight. */
function runAndKill(env: Record<string, string>, killAtEnded: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    // The parent's execArgv carries the TypeScript loader the child needs when run from test/.
    const child = spawn(process.execPath, [...process.execArgv, CHILD], {
      env: { ...process.env, ...env, GCA_CRASH_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: ChildRun = { ended: [], committed: [] };
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child made no progress: ${stderr}`));
    }, 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, n] = line.split(' ');
      if (what === 'committed') run.committed.push(Number(n));
      if (what === 'ended') {
        run.ended.push(Number(n));
        if (Number(n) === killAtEnded) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (${code}): ${stderr}`));
      else resolve(run);
    });
  });
}

async function check(t: Test, url: string, run: ChildRun) {
  const pool = createPool(url, { max: 1 });
  try {
    const r = await pool.query<{ seq: number; text: string; speaker: string }>(
      "SELECT seq, text, speaker FROM turns WHERE call_id = 'crash-call' ORDER BY seq",
    );
    const seqs = r.rows.map((x) => x.seq);
    for (const c of run.committed) t.ok(seqs.includes(c), `committed turn ${c} survived the kill`);
    t.same(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i),
      'a gap-free prefix of the turns',
    );
    const lastEnded = Math.max(...run.ended);
    t.ok(seqs.length <= lastEnded + 1, 'nothing that had not ended');
    for (const row of r.rows) t.equal(row.text, `${row.speaker} turn ${row.seq}`);
    t.comment(`ended ${run.ended.length}, acknowledged ${run.committed.length}, stored ${seqs.length}`);
  } finally {
    await pool.end();
  }
}

t.test('SIGKILL mid-call against a real PostgreSQL server', async (t) => {
  const pgs = await withPostgres(t);
  if (!pgs) return;
  const run = await runAndKill({ DATABASE_URL: pgs.server.url }, 12);
  await check(t, pgs.server.url, run);
});

t.test('SIGKILL mid-call with the embedded database inside the killed process', async (t) => {
  // The child runs PGlite itself, so the kill takes the database down too; the data directory must
  // recover on the next start.
  const lite = await withPglite(t);
  await lite.db.stop();
  const run = await runAndKill({ DATA_DIR: lite.dir }, 12);
  const reopened = await startEmbedded({ dataDir: join(lite.dir, 'pglite') });
  t.teardown(() => reopened.stop());
  await check(t, reopened.url, run);
});
