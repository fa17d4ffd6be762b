import t from 'tap';
import { backends, withPglite } from '../db/helpers/backends.js';
import { importGyms, type ImportOptions, type RowReport } from '../../src/gyms/import.js';
import { parseGymFile } from '../../src/gyms/import-parse.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

const opts: ImportOptions = {
  format: 'csv',
  region: 'US',
  destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
  defaultTimeZone: 'America/New_York',
  via: 'cli',
  now: () => new Date('2026-03-01T12:00:00Z'),
};

const byLine = (rows: RowReport[]) => Object.fromEntries(rows.map((r) => [r.line, r]));

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
  for (const b of await backends(t)) {
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
          'South Dakota,605-555-0123,,,',
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
      t.match(l[11], { status: 'accepted', timezone_source: 'number-ambiguous', warnings: [/spans/] });
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
  const { backend } = await withPglite(t);
  const r = await importGyms(backend.pool, 'gym,address\nA,B\n', opts);
  t.match(r, { ok: false, message: /no phone column/ });
  t.equal((await backend.pool.query('SELECT count(*)::int AS n FROM gym_imports')).rows[0].n, 0);
});
