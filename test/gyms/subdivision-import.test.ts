// A list's subdivision column, and the inferred ones, through the import's batched writer: what is stored, what a
// row is rejected for, and what a later list may replace.
import t from 'tap';
import { backends } from '../db/helpers/backends.js';
import { importGyms, type RowReport } from '../../src/gyms/import.js';
import { IMPORT_OPTIONS } from './import-options.js';

const AUSTIN = '+15125550100';
const DALLAS = '+12145550100';
const LA = '+15125550101';
const EDINBURGH = '+441314960000';
const SYDNEY = '+61292510000';
const TWEED = '+61755361234';
const MOBILE = '+61412345678';
const CALLED = '+16175550100';

async function run(pool: Parameters<typeof importGyms>[0], csv: string[]): Promise<Record<number, RowReport>> {
  const r = await importGyms(pool, csv.join('\n'), IMPORT_OPTIONS);
  if (!r.ok) throw new Error(r.message);
  return Object.fromEntries(r.report.report.map((x) => [x.line, x]));
}

t.test('the column in both ISO forms, the address, the number; bad values rejected by row', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      // A gym a call created before any list: never looked at (NULL), so any value may fill it.
      await b.pool.query("INSERT INTO gyms (name, phone, region) VALUES ('Called', $1, 'US')", [CALLED]);
      const l = await run(b.pool, [
        'name,phone,address,State',
        `Austin,${AUSTIN},,US-TX`,
        `Dallas,${DALLAS},,tx`,
        `Spelled out,+1 212 555 0100,,Texas`,
        `Other country,${EDINBURGH},,US-TX`,
        `Unknown,+1 212 555 0101,,ZZ`,
        `LA,${LA},"1 Main St, Los Angeles, CA 90012",`,
        `Edinburgh,${EDINBURGH},,`,
        `Sydney,${SYDNEY},,`,
        `Tweed,${TWEED},"Wharf St, Tweed Heads NSW 2485",`,
        `Mobile,${MOBILE},,`,
        `Called,${CALLED},,`,
      ]);
      t.match(l[2], { status: 'accepted', subdivision: 'TX', subdivision_source: 'row' });
      t.match(l[3], { status: 'accepted', subdivision: 'TX', subdivision_source: 'row' });
      t.match(l[4], { status: 'rejected', code: 'subdivision', reason: /ISO 3166-2 code such as US-TX or TX/ });
      t.match(l[5], { status: 'rejected', code: 'subdivision', reason: /US-TX is not in GB/ });
      t.match(l[6], { status: 'rejected', code: 'subdivision', reason: /ZZ is not one of US's/ });
      t.match(l[7], {
        status: 'accepted',
        subdivision: 'CA',
        subdivision_source: 'address',
        warnings: ["the number's area code says TX; kept CA from the address"],
      });
      t.match(l[8], { status: 'accepted', subdivision: 'SCT', subdivision_source: 'number' });
      t.match(l[9], { status: 'accepted', subdivision: 'NSW', subdivision_source: 'number' });
      t.match(l[10], { status: 'accepted', subdivision: 'NSW', subdivision_source: 'address' });
      t.match(l[11], { status: 'accepted', subdivision: null, subdivision_source: 'none' });
      t.match(l[12], {
        status: 'merged',
        subdivision: 'MA',
        subdivision_source: 'number',
        changes: ['timezone', 'subdivision'],
      });
      const stored = await b.pool.query('SELECT phone, region, subdivision, subdivision_source FROM gyms ORDER BY id');
      t.same(stored.rows, [
        { phone: CALLED, region: 'US', subdivision: 'MA', subdivision_source: 'number' },
        { phone: AUSTIN, region: 'US', subdivision: 'TX', subdivision_source: 'row' },
        { phone: DALLAS, region: 'US', subdivision: 'TX', subdivision_source: 'row' },
        { phone: LA, region: 'US', subdivision: 'CA', subdivision_source: 'address' },
        { phone: EDINBURGH, region: 'GB', subdivision: 'SCT', subdivision_source: 'number' },
        { phone: SYDNEY, region: 'AU', subdivision: 'NSW', subdivision_source: 'number' },
        { phone: TWEED, region: 'AU', subdivision: 'NSW', subdivision_source: 'address' },
        { phone: MOBILE, region: 'AU', subdivision: null, subdivision_source: 'none' },
      ]);
      await t.rejects(
        b.pool.query("UPDATE gyms SET subdivision = 'tx' WHERE phone = $1", [AUSTIN]),
        /check constraint/,
        'the format is checked by the database too',
      );
      await t.rejects(
        b.pool.query("UPDATE gyms SET subdivision_source = 'none' WHERE phone = $1", [AUSTIN]),
        /check constraint/,
        "a value is never 'none'",
      );
    });
  }
});

t.test('merges: a later inference never replaces a list value, an address never the number', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      await run(b.pool, [
        'name,phone,address,subdivision',
        `Austin,${AUSTIN},,US-TX`,
        `Dallas,${DALLAS},,TX`,
        `LA,${LA},"1 Main St, Los Angeles, CA 90012",`,
        `Edinburgh,${EDINBURGH},,`,
        `Sydney,${SYDNEY},,`,
        `Mobile,${MOBILE},,`,
      ]);
      const l = await run(b.pool, [
        'name,phone,address,subdivision',
        `Austin,${AUSTIN},"1 Central Ave, Albuquerque, NM 87102",`, // an address after a list's column
        `Dallas,${DALLAS},,US-OK`, // a list's column after another list's
        `LA,${LA},,`, // the number after an address
        `Edinburgh,${EDINBURGH},,GB-ENG`, // a list's column after the number
        `Sydney,${SYDNEY},"Hay St, Perth WA 6000",`, // an address after the number...
        `Sydney,${SYDNEY},,`, // ...and the number again, in the next batch of the same file
        `Mobile,${MOBILE},,AU-VIC`, // a list's column after nothing found
      ]);
      t.match(l[2], { status: 'merged', subdivision: 'TX', subdivision_source: 'row', changes: ['address'] });
      t.match(l[3], { status: 'merged', subdivision: 'OK', subdivision_source: 'row', changes: ['subdivision'] });
      t.match(l[4], { status: 'merged', subdivision: 'CA', subdivision_source: 'address', changes: [] });
      t.match(l[5], { status: 'merged', subdivision: 'ENG', subdivision_source: 'row', changes: ['subdivision'] });
      t.match(l[6], { subdivision: 'WA', subdivision_source: 'address', changes: ['address', 'subdivision'] });
      t.match(l[7], { subdivision: 'WA', subdivision_source: 'address', changes: [] });
      t.match(l[8], { subdivision: 'VIC', subdivision_source: 'row', changes: ['subdivision'] });
      const history = await b.pool.query(
        `SELECT g.phone, c.old_value, c.new_value FROM gym_changes c JOIN gyms g ON g.id = c.gym_id
          WHERE c.field = 'subdivision' ORDER BY c.id`,
      );
      t.same(history.rows, [
        { phone: DALLAS, old_value: 'TX', new_value: 'OK' },
        { phone: EDINBURGH, old_value: 'SCT', new_value: 'ENG' },
        { phone: SYDNEY, old_value: 'NSW', new_value: 'WA' },
        { phone: MOBILE, old_value: null, new_value: 'VIC' },
      ]);
      const stored = await b.pool.query(
        'SELECT phone, subdivision, subdivision_source FROM gyms WHERE phone = ANY($1) ORDER BY id',
        [[AUSTIN, LA, SYDNEY]],
      );
      t.same(stored.rows, [
        { phone: AUSTIN, subdivision: 'TX', subdivision_source: 'row' },
        { phone: LA, subdivision: 'CA', subdivision_source: 'address' },
        { phone: SYDNEY, subdivision: 'WA', subdivision_source: 'address' },
      ]);
    });
  }
});
