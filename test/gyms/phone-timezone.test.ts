import t from 'tap';
import { parseGymPhone } from '../../src/gyms/phone.js';
import { gymTimeZone, numberTimeZones } from '../../src/gyms/timezone.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

const policy = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };

t.test('numbers a list writes are read in the import region, or by their own country code', async (t) => {
  const cases: [string, string][] = [
    ['(201) 555-0123', '+12015550123'],
    ['201.555.0123', '+12015550123'],
    ['+1 201 555 0123', '+12015550123'],
    ['+44 20 7946 0000', '+442079460000'],
  ];
  for (const [raw, e164] of cases) t.match(parseGymPhone(raw, 'US', policy), { ok: true, e164 }, raw);
  t.match(parseGymPhone('020 7946 0000', 'GB', policy), { ok: true, e164: '+442079460000', region: 'GB' });
});

t.test(
  'emergency, service and short codes, premium rate, extensions and foreign regions are refused by name',
  async (t) => {
    const cases: [string, string][] = [
      ['911', 'emergency'],
      ['112', 'emergency'],
      ['999', 'emergency'],
      ['000', 'emergency'],
      ['411', 'short-code'],
      ['311', 'short-code'],
      ['12345', 'short-code'],
      ['1-900-555-0123', 'premium-rate'],
      ['+1 900 555 0123', 'premium-rate'],
      ['201-555-0123 ext. 12', 'extension'],
      ['+33 1 23 45 67 89', 'region'],
      ['+881 6 1234 5678', 'region'],
      ['hello', 'invalid'],
      ['+1 201 555', 'invalid'],
      ['   ', 'empty'],
    ];
    for (const [raw, reason] of cases) t.match(parseGymPhone(raw, 'US', policy), { ok: false, reason }, raw);
    // The message never repeats the number (it reaches logs).
    const r = parseGymPhone('1-900-555-0123', 'US', policy);
    t.notMatch(JSON.stringify(r), /555/);
  },
);

t.test('time zone: the row wins, else the number (one zone, several, none), else the default', async (t) => {
  t.same(await numberTimeZones('+12125550100'), ['America/New_York'], 'Manhattan');
  t.same(await numberTimeZones('+13125550100'), ['America/Chicago'], 'Chicago');
  t.same(await numberTimeZones('+442079460000'), ['Europe/London'], 'a single-zone region by CLDR');
  t.same(await numberTimeZones('+35312345678'), ['Europe/Dublin'], 'Ireland by its region, not the prefix data');
  t.match(await gymTimeZone('+12125550100', undefined, 'America/Denver'), {
    timezone: 'America/New_York',
    source: 'number',
  });
  const sd = await gymTimeZone('+16055550123', undefined, 'America/New_York');
  t.equal(sd.source, 'number-ambiguous', 'South Dakota spans Mountain and Central');
  t.ok(sd.candidates.length >= 2 && sd.candidates.includes(sd.timezone));
  const sdDefault = await gymTimeZone('+16055550123', undefined, 'America/North_Dakota/Center');
  t.equal(sdDefault.timezone, 'America/North_Dakota/Center', 'the default wins when it is a candidate');
  t.match(await gymTimeZone('+18005550199', undefined, 'America/Chicago'), {
    timezone: 'America/Chicago',
    source: 'default',
  });
  t.match(await gymTimeZone('+12125550100', 'america/chicago', 'America/New_York'), {
    timezone: 'America/Chicago',
    source: 'row',
    mismatch: true,
  });
  t.notOk('mismatch' in (await gymTimeZone('+12125550100', 'America/New_York', 'America/Chicago')));
});

t.test('a prefix lookup is cheap once the map is decoded', async (t) => {
  await numberTimeZones('+13125550100');
  const start = performance.now();
  for (let i = 0; i < 1000; i++) await numberTimeZones(`+1312555${String(1000 + i)}`);
  const perLookupMs = (performance.now() - start) / 1000;
  t.comment(`prefix lookup: ${perLookupMs.toFixed(3)} ms`);
  t.ok(perLookupMs < 3, 'well under the 9 ms of decoding the file each time');
});
