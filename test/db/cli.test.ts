import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, withPglite } from './helpers/backends.js';
import { seed, XSS } from './seed.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { run as migrateCmd } from '../../src/cli/commands/migrate.js';
import { run as exportCmd } from '../../src/cli/commands/export.js';
import { CSV_COLUMNS, csvCell } from '../../src/db/export/csv.js';
import { runCli } from '../support/cli.js';

/** Minimal RFC 4180 parser for checking the export round-trips. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') q = false;
      else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

t.test('csv cells are quoted and defused', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell('a,"b"\nc'), '"a,""b""\nc"');
  t.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  t.equal(csvCell('-5', false), '-5', 'a plain number is not a formula');
  t.equal(csvCell('+15550001111'), '+15550001111', 'nor is a phone number');
  t.equal(csvCell('+1+cmd|calc'), "'+1+cmd|calc");
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  t.equal(csvCell(-5, true), '-5');
  t.equal(csvCell(null), '');
});

t.test('migrate and export commands on both backends', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      const env = { DATABASE_URL: b.url };
      const m = await runCli(migrateCmd, [], env);
      t.equal(m.code, 0, m.err);
      t.match(m.out, /0 migration\(s\) applied, \d+ already up to date/);
      const st = await runCli(migrateCmd, ['--status'], env);
      t.equal(st.code, 0);
      t.match(st.out, /^001_initial {2}applied \d{4}-/m);
      t.equal((await runCli(migrateCmd, ['--bogus'], env)).code, 2);

      const queue = new WriteQueue(b.pool);
      t.teardown(() => queue.close());
      await seed(new CallRecorder(queue));
      const dir = await mkdtemp(join(tmpdir(), 'gca-export-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));

      const jf = join(dir, 'out.json');
      const j = await runCli(exportCmd, ['--format', 'json', '--out', jf], env);
      t.equal(j.code, 0, j.err);
      t.match(j.err, /exported 3 call\(s\)/);
      const doc = JSON.parse(await readFile(jf, 'utf8')) as {
        count: number;
        calls: Array<{ call_id: string; transcript: unknown[]; facts: { classes: string[] } }>;
      };
      t.equal(doc.count, 3);
      t.same(
        doc.calls.map((c) => c.call_id),
        ['call-a', 'call-b', 'call-c'],
        'oldest first',
      );
      t.equal(doc.calls[0]?.transcript.length, 3);
      t.same(doc.calls[0]?.facts.classes, ['yoga', 'spin']);

      const cf = join(dir, 'out.csv');
      t.equal((await runCli(exportCmd, ['--format', 'csv', '--since', '2026-02-02', '--out', cf], env)).code, 0);
      const rows = parseCsv(await readFile(cf, 'utf8'));
      t.same(rows[0], [...CSV_COLUMNS]);
      const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
      const body = rows.slice(1);
      t.same(
        [...new Set(body.map((r) => r[col('call_id')]))],
        ['call-b', 'call-c'],
        'since filter; call-b (no turns, no facts) is there too',
      );
      t.same(
        body.filter((r) => r[col('call_id')] === 'call-b').map((r) => r[col('record')]),
        ['call'],
      );
      const turn = body.find((r) => r[col('record')] === 'turn');
      t.equal(turn?.[col('text')], XSS, 'hostile text round-trips');

      const csv = await runCli(exportCmd, ['--format', 'csv'], env);
      const all = parseCsv(csv.out);
      t.match(csv.err, /exported 3 call\(s\)/);
      t.equal(
        all.filter((r) => r[col('record')] === 'call').length,
        3,
        'the count it reports is the calls in the file',
      );
      const a = all.filter((r) => r[col('call_id')] === 'call-a');
      t.same(
        a.map((r) => r[col('record')]),
        ['call', 'turn', 'turn', 'turn', 'hours', 'hours', 'hours', 'plan', 'class', 'class'],
      );
      t.equal(a.find((r) => r[col('record')] === 'plan')?.[col('amount')], '49');
      t.equal(a.find((r) => r[col('day')] === 'sun')?.[col('closed')], 'true');

      t.equal((await runCli(exportCmd, ['--format', 'xml'], env)).code, 2);
      t.equal((await runCli(exportCmd, ['--format', 'csv', '--since', 'yesterday'], env)).code, 2);
    });
  }
});

t.test('export attaches to the embedded database of a running app', async (t) => {
  const lite = await withPglite(t); // plays the running app: it holds the lock on DATA_DIR/pglite
  const queue = new WriteQueue(lite.backend.pool);
  t.teardown(() => queue.close());
  await seed(new CallRecorder(queue));
  const r = await runCli(exportCmd, ['--format', 'json'], { DATABASE_URL: undefined, DATA_DIR: lite.dir });
  t.equal(r.code, 0, r.err);
  t.match(r.err, /served by process \d+/);
  t.equal((JSON.parse(r.out) as { count: number }).count, 3);
});

t.test('export with no database at DATA_DIR says so and creates nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gca-export-none-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  await t.rejects(runCli(exportCmd, ['--format', 'json'], { DATABASE_URL: undefined, DATA_DIR: data }), {
    code: 'NOT_FOUND',
    message: /no database in .*data\/pglite/,
  });
  const { existsSync } = await import('node:fs');
  t.notOk(existsSync(join(data, 'pglite')), 'no empty database made');
});

t.test("the demo's closing lines name its data folder, and the export they print finds the call", async (t) => {
  const { whereToSee } = await import('../../src/demo/run.js');
  const lite = await withPglite(t); // the demo's folder, with the call it made
  await lite.backend.pool.query(
    "INSERT INTO calls (id, direction, status, status_at, created_at) VALUES ('demo-call', 'outbound', 'completed', now(), now())",
  );
  const lines = whereToSee(lite.dir, 'demo-call');
  const cmd = /^\s+DATA_DIR=(\S+) npm run -s cli -- (export --format json)$/m.exec(lines.join('\n'));
  t.ok(cmd, lines.join('\n'));
  t.equal(cmd?.[1], lite.dir);
  const r = await runCli(exportCmd, cmd?.[2]?.split(' ').slice(1) ?? [], {
    DATABASE_URL: undefined,
    DATA_DIR: cmd?.[1],
  });
  t.equal(r.code, 0, r.err);
  t.same(
    (JSON.parse(r.out) as { calls: Array<{ call_id: string }> }).calls.map((c) => c.call_id),
    ['demo-call'],
  );
  t.match(lines.join('\n'), `DATA_DIR=${lite.dir} npm start`);
  t.match(lines.join('\n'), '/review/calls/demo-call');
  t.match(
    whereToSee("/tmp/it's here", 'x').join('\n'),
    `DATA_DIR='/tmp/it'\\''s here' npm start`,
    'quoted for the shell',
  );
});
