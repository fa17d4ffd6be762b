import t from 'tap';
import { backends, type Backend } from '../db/helpers/backends.js';
import { importGyms, type RowReport } from '../../src/gyms/import.js';
import { BATCH_ROWS } from '../../src/gyms/import-write.js';
import { parseGymFile } from '../../src/gyms/import-parse.js';
import { IMPORT_OPTIONS as opts } from './import-options.js';

const byLine = (rows: RowReport[]) => Object.fromEntries(rows.map((r) => [r.line, r]));

/** One PostgreSQL server and one PGlite for the whole file (each test empties the tables first). */
let started: Promise<Backend[]> | undefined;
const shared = () => (started ??= backends(t));

t.test('CSV: quoted fields, doubled quotes, a line break in a field, BOM, header aliases', async (t) => {
  const csv =
    '\uFEFFGym Name,Phone Number,Address,Time Zone,Lang,Notes\r\n' +
    '"Iron, Temple","(201) 555-0123","12 Main St, Newark",America/New_York,en,x\r\n' +
    '"The ""Pump"" Room",+1 312 555 0100,"Suite 4\nChicago",,es-US,\r\n' +
    '\r\n' +
    'Flex,212-555-0100,,,,\r\n';
  const p = parseGymFile(csv, 'csv');
  if (!p.ok) throw new Error(p.message);
  t.same(p.ignoredColumns, ['Notes']);
  t.same(
    p.rows.map((r) => [r.line, r.values.name, r.values.address]),
    [
      [2, 'Iron, Temple', '12 Main St, Newark'],
      [3, 'The "Pump" Room', 'Suite 4\nChicago'],
      [6, 'Flex', undefined],
    ],
    'lines are where each record starts',
  );
  t.equal(p.rows[1]?.values.language, 'es-US');
});

t.test('CSV: a record of the wrong width or an unclosed quote is its own rejected row', async (t) => {
  const p = parseGymFile('name,phone\nA,2015550123\nB,2015550124,extra\nC,2015550125\n"D,2015550126\nE,1\n', 'csv');
  if (!p.ok) throw new Error(p.message);
  t.same(
    p.rows.map((r) => [r.line, r.values.name ?? null, r.unreadable === undefined ? null : r.unreadable.slice(0, 20)]),
    [
      [2, 'A', null],
      [3, null, 'Invalid Record Lengt'],
      [4, 'C', null],
      [6, null, 'Quote Not Closed: th'],
    ],
  );
  t.match(parseGymFile('gym,address\nA,x\n', 'csv'), { ok: false, message: /no phone column/ });
  t.match(parseGymFile('', 'csv'), { ok: false, message: /empty/ });
  t.match(parseGymFile('name,phone,phone\n', 'csv'), { ok: false, message: /twice/ });
  const big = 'name,phone\n' + 'A,2015550123\n'.repeat(10_001);
  t.match(parseGymFile(big, 'csv'), { ok: false, message: /more than 10000 rows/ });
});

t.test('JSON: an array or {"gyms"}, strings only', async (t) => {
  const p = parseGymFile(
    JSON.stringify({
      gyms: [{ name: 'A', phone: '2015550123', tz: 'America/Chicago' }, 5, { name: 'B', phone: 2015550124 }],
    }),
    'json',
  );
  if (!p.ok) throw new Error(p.message);
  t.same(p.rows[0]?.values, { name: 'A', phone: '2015550123', timezone: 'America/Chicago' });
  t.match(p.rows[1], { line: 2, unreadable: /object/ });
  t.match(p.rows[2], { line: 3, unreadable: /phone must be a string/ });
  t.match(parseGymFile('{"gyms": 1}', 'json'), { ok: false });
  t.match(parseGymFile('{', 'json'), { ok: false, message: /not valid JSON/ });
});

t.test('import on both backends: bad rows reported, good ones kept, duplicates merged with history', async (t) => {
  for (const b of await shared()) {
    t.test(b.name, async (t) => {
      await b.reset();
      const first = await importGyms(
        b.pool,
        [
          'name,phone,address,timezone,language',
          'Iron Temple,(201) 555-0123,1 Main St,,en',
          'Emergency,911,,,',
          'Premium,1-900-555-0123,,,',
          'Short,411,,,',
          ',212-555-0100,,,',
          'Paris,+33 1 23 45 67 89,,,',
          'Bad zone,212-555-0101,,Mars/Olympus,',
          'Bad lang,212-555-0102,,,english please',
          'Iron Temple Gym,201.555.0123,2 Main St,,',
          'South Dakota,605-555-0123,,,fr',
          'Chicago,312-555-0100,,America/Chicago,es',
        ].join('\n'),
        opts,
      );
      if (!first.ok) throw new Error(first.message);
      const r = first.report;
      t.match(r, { rows: 11, accepted: 3, merged: 1, rejected: 7 });
      const l = byLine(r.report);
      t.match(l[2], {
        status: 'accepted',
        phone: '+12015550123',
        timezone: 'America/New_York',
        timezone_source: 'number',
      });
      t.match(l[3], { status: 'rejected', code: 'emergency' });
      t.match(l[4], { status: 'rejected', code: 'premium-rate' });
      t.match(l[5], { status: 'rejected', code: 'short-code' });
      t.match(l[6], { status: 'rejected', code: 'name' });
      t.match(l[7], { status: 'rejected', code: 'region', reason: /region FR/ });
      t.match(l[8], { status: 'rejected', code: 'timezone' });
      t.match(l[9], { status: 'rejected', code: 'language' });
      t.match(l[10], { status: 'merged', gym_id: l[2]?.gym_id, changes: ['name', 'address'] });
      // A language the agent does not speak is kept, with a warning of what its calls will be held in.
      t.match(l[11], {
        status: 'accepted',
        timezone_source: 'number-ambiguous',
        warnings: [/spans/, /does not speak fr: its calls are held in the campaign's language or CALL_LANGUAGE/],
      });
      t.match(l[12], { status: 'accepted', timezone: 'America/Chicago', timezone_source: 'row' });

      const g = await b.pool.query('SELECT name, address, language, region, number_type FROM gyms WHERE phone = $1', [
        '+12015550123',
      ]);
      t.same(g.rows[0], {
        name: 'Iron Temple Gym',
        address: '2 Main St',
        language: 'en',
        region: 'US',
        number_type: 'FIXED_LINE_OR_MOBILE',
      });
      const changes = await b.pool.query(
        `SELECT field, old_value, new_value FROM gym_changes c JOIN gyms g ON g.id = c.gym_id
          WHERE g.phone = $1 ORDER BY c.id`,
        ['+12015550123'],
      );
      t.same(changes.rows, [
        { field: 'created', old_value: null, new_value: 'Iron Temple' },
        { field: 'name', old_value: 'Iron Temple', new_value: 'Iron Temple Gym' },
        { field: 'address', old_value: '1 Main St', new_value: '2 Main St' },
      ]);

      // A second list: the same gym again without news is merged with no change; an inferred zone never replaces
      // the zone a list gave.
      const again = await importGyms(
        b.pool,
        JSON.stringify([
          { name: 'Iron Temple Gym', phone: '+12015550123' },
          { name: 'Chicago', phone: '+13125550100' },
        ]),
        { ...opts, format: 'json', via: 'api' },
      );
      if (!again.ok) throw new Error(again.message);
      t.match(byLine(again.report.report)[1], { status: 'merged', changes: [] });
      t.match(byLine(again.report.report)[2], { status: 'merged', changes: [], timezone: 'America/Chicago' });
      const imports = await b.pool.query(
        'SELECT via, format, row_count, accepted, merged, rejected FROM gym_imports ORDER BY id',
      );
      t.same(imports.rows.slice(-2), [
        { via: 'cli', format: 'csv', row_count: 11, accepted: 3, merged: 1, rejected: 7 },
        { via: 'api', format: 'json', row_count: 2, accepted: 0, merged: 2, rejected: 0 },
      ]);
    });
  }
});

t.test('an unreadable file is refused whole, nothing written', async (t) => {
  const backend = (await shared()).at(-1) as Backend;
  const before = await backend.pool.query('SELECT count(*)::int AS n FROM gym_imports');
  const r = await importGyms(backend.pool, 'gym,address\nA,B\n', opts);
  t.match(r, { ok: false, message: /no phone column/ });
  t.same((await backend.pool.query('SELECT count(*)::int AS n FROM gym_imports')).rows, before.rows);
});

// Lists longer than a write batch: the batched writer must give what writing row by row gave.
const B = BATCH_ROWS;
const GOOD = 2 * B + 200;
/** Fictional numbers (555-01xx) under area codes the import accepts; the first ten are kept for the cases below. */
const NUMBERS = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216].flatMap((area) =>
  Array.from({ length: 100 }, (_, k) => `+1${area}55501${String(k).padStart(2, '0')}`),
);
const [X, Y, D, T3, E] = NUMBERS as [string, string, string, string, string];

interface Gym {
  name: string;
  phone: string;
  address?: string;
  timezone?: string;
  language?: string;
}
const csv = (rows: readonly Gym[]) =>
  ['name,phone,address,timezone,language']
    .concat(rows.map((r) => [r.name, r.phone, r.address ?? '', r.timezone ?? '', r.language ?? ''].join(',')))
    .join('\n');
const REFUSED: Gym = { name: 'Emergency', phone: '911' };

/** GOOD rows with fresh numbers, `cases` in place of some (by good-row index), a refused row every 97 lines. */
function bigList(cases: Readonly<Record<number, Gym>>): { rows: Gym[]; lineOf: (good: number) => number } {
  const rows: Gym[] = [];
  const lines: number[] = [];
  for (let i = 0; i < GOOD; i++) {
    if (i % 97 === 50) rows.push(REFUSED);
    rows.push(cases[i] ?? { name: `Gym ${i}`, phone: NUMBERS[10 + i] as string });
    lines.push(rows.length + 1); // the header is line 1
  }
  return { rows, lineOf: (i) => lines[i] as number };
}

t.test('a list across write batches: the same report, merges and history as row by row', async (t) => {
  for (const b of await shared()) {
    t.test(b.name, async (t) => {
      await b.reset();
      const before = await importGyms(
        b.pool,
        csv([
          { name: 'X Old', phone: X, address: '1 Old St', timezone: 'America/Chicago' },
          { name: 'Y', phone: Y },
        ]),
        opts,
      );
      if (!before.ok) throw new Error(before.message);
      const list = bigList({
        [B - 1]: { name: 'X New', phone: X }, // last row of the first batch merges a known gym
        [B]: { name: 'Y', phone: Y, address: '2 New St' }, // first row of the second
        10: { name: 'D one', phone: D, address: '3 D St' },
        [B + 10]: { name: 'D two', phone: D }, // the same number again, one batch later
        30: { name: 'T 1', phone: T3 },
        [B + 30]: { name: 'T 2', phone: T3 },
        [2 * B + 30]: { name: 'T 3', phone: T3 },
        [GOOD - 100]: { name: 'E one', phone: E },
        [GOOD - 99]: { name: 'E two', phone: E, language: 'es' }, // the same number on the next line
      });
      const r = await importGyms(b.pool, csv(list.rows), opts);
      if (!r.ok) throw new Error(r.message);
      const refused = list.rows.filter((g) => g === REFUSED).length;
      t.match(r.report, { rows: list.rows.length, accepted: GOOD - 6, merged: 6, rejected: refused });

      // Every row's status and gym against the database: the first row of a new number makes the gym, every
      // later row of it (and every row of a known number) merges into that gym.
      const ids = new Map(
        (await b.pool.query<{ phone: string; id: string }>('SELECT phone, id FROM gyms')).rows.map((g) => [
          g.phone,
          Number(g.id),
        ]),
      );
      const seen = new Set([X, Y]);
      const want = list.rows.map((g, k) => {
        if (g === REFUSED) return [k + 2, 'rejected', null];
        const status = seen.has(g.phone) ? 'merged' : 'accepted';
        seen.add(g.phone);
        return [k + 2, status, ids.get(g.phone)];
      });
      t.same(
        r.report.report.map((x) => [x.line, x.status, x.gym_id ?? null]),
        want,
      );
      const newIds = r.report.report.filter((x) => x.status === 'accepted').map((x) => x.gym_id as number);
      t.ok(
        newIds.every((id, i) => i === 0 || id > (newIds[i - 1] as number)),
        'new gyms numbered in file order',
      );

      const l = byLine(r.report.report);
      t.match(l[list.lineOf(B - 1)], {
        status: 'merged',
        changes: ['name'],
        timezone: 'America/Chicago',
        timezone_source: 'row',
      });
      t.same(l[list.lineOf(B)]?.changes, ['address']);
      t.same(l[list.lineOf(B + 10)]?.changes, ['name'], "the first row's address stays");
      t.same(l[list.lineOf(B + 30)]?.changes, ['name']);
      t.same(l[list.lineOf(2 * B + 30)]?.changes, ['name']);
      t.same(l[list.lineOf(GOOD - 99)]?.changes, ['name', 'language']);
      t.notOk('changes' in (l[list.lineOf(0)] as RowReport));

      const gym = async (phone: string) =>
        (await b.pool.query('SELECT name, address, timezone, language FROM gyms WHERE phone = $1', [phone])).rows[0];
      t.same(await gym(X), { name: 'X New', address: '1 Old St', timezone: 'America/Chicago', language: null });
      t.same(await gym(D), { name: 'D two', address: '3 D St', timezone: 'America/New_York', language: null });
      t.match(await gym(E), { name: 'E two', language: 'es' });
      const history = await b.pool.query(
        `SELECT g.phone, c.field, c.old_value, c.new_value FROM gym_changes c JOIN gyms g ON g.id = c.gym_id
          WHERE c.import_id = $1 AND g.phone = ANY($2) ORDER BY c.id`,
        [r.report.import_id, [X, D, T3]],
      );
      t.same(history.rows, [
        { phone: D, field: 'created', old_value: null, new_value: 'D one' },
        { phone: T3, field: 'created', old_value: null, new_value: 'T 1' },
        { phone: X, field: 'name', old_value: 'X Old', new_value: 'X New' },
        { phone: D, field: 'name', old_value: 'D one', new_value: 'D two' },
        { phone: T3, field: 'name', old_value: 'T 1', new_value: 'T 2' },
        { phone: T3, field: 'name', old_value: 'T 2', new_value: 'T 3' },
      ]);
      const count = await b.pool.query('SELECT count(*)::int AS n FROM gym_changes WHERE import_id = $1', [
        r.report.import_id,
      ]);
      t.equal(count.rows[0].n, GOOD - 6 + 7, "a 'created' row per new gym and one per changed field");
      const imp = await b.pool.query('SELECT row_count, accepted, merged, rejected FROM gym_imports WHERE id = $1', [
        r.report.import_id,
      ]);
      t.same(imp.rows[0], { row_count: list.rows.length, accepted: GOOD - 6, merged: 6, rejected: refused });
    });
  }
});

t.test('a database error in a later batch: nothing of the import is written', async (t) => {
  for (const b of await shared()) {
    t.test(b.name, async (t) => {
      await b.reset();
      const before = await importGyms(b.pool, csv([{ name: 'X Old', phone: X }]), opts);
      if (!before.ok) throw new Error(before.message);
      const counts = async () =>
        (
          await b.pool.query(
            `SELECT (SELECT count(*)::int FROM gyms) AS gyms, (SELECT count(*)::int FROM gym_changes) AS changes,
                    (SELECT count(*)::int FROM gym_imports) AS imports, (SELECT name FROM gyms WHERE phone = $1) AS x`,
            [X],
          )
        ).rows[0];
      const was = await counts();
      // A real error from the server, raised by the gym row of the third batch.
      await b.pool.query(`CREATE FUNCTION test_refuse_gym() RETURNS trigger LANGUAGE plpgsql
                          AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
      await b.pool.query(`CREATE TRIGGER test_refuse_gym BEFORE INSERT ON gyms FOR EACH ROW
                          WHEN (NEW.name = 'Refused') EXECUTE FUNCTION test_refuse_gym()`);
      t.teardown(() => b.pool.query('DROP FUNCTION test_refuse_gym() CASCADE'));
      const list = bigList({ 5: { name: 'X New', phone: X }, [2 * B + 100]: { name: 'Refused', phone: D } });
      await t.rejects(importGyms(b.pool, csv(list.rows), opts), /refused by the test/);
      t.same(await counts(), was, 'no gym, history row or import written, the merged gym unchanged');
    });
  }
});
