import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { holidayRegions } from '../campaigns/policy/holidays.js';
import { readGeoResource } from './geo-data.js';
import { nationOfNumber } from './subdivision-gb.js';

// A gym's subdivision from its number, where the number says it reliably:
// - US and Canada: Google libphonenumber's geocoder names the state or province of every area code ("Texas",
//   "Ontario"), and the city and state of single exchanges ("San Antonio, TX"). An area code lies in one state or
//   province (902/782 and 867 span several: their exchanges decide, where the data names them). Right for a landline;
//   a mobile keeps its area code when its owner moves, and North American numbers do not tell mobiles apart.
// - Australia: the geocoder names an exchange's town ("Bathurst", "Tweed Heads"), not its state, and the area code
//   does not decide it (07 5536 Tweed Heads is in New South Wales, 08 8080 Broken Hill too). Only the capital
//   cities' exchanges are read (Sydney, Melbourne, Brisbane, Perth, Adelaide, Hobart, Darwin; not Canberra, whose
//   exchanges also serve Queanbeyan, NSW), and the data's few state names. Mobiles (04) have no place.
// - The UK: area codes by nation (subdivision-gb.ts).
// Elsewhere the number says nothing. A code the holiday rules do not know for the number's country is dropped.

/** How the place names of a country calling code's geocoder file read as subdivision codes. */
interface PlaceNames {
  /** Place names (lower case) that name one subdivision. */
  readonly names: ReadonlyMap<string, string>;
  /** "San Antonio, TX": a trailing code names the subdivision. */
  readonly trailingCode: boolean;
}

function names(countries: readonly string[], extra: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of countries) for (const [code, name] of holidayRegions(c)) out.set(name.toLowerCase(), code);
  for (const [name, code] of Object.entries(extra)) out.set(name, code);
  return out;
}

const PLACES: Readonly<Record<string, () => PlaceNames>> = {
  // The data's own spellings beside date-holidays' names ("District of Columbia", "Washington").
  '1': () => ({
    names: names(['US', 'CA'], { 'washington d.c.': 'DC', 'washington state': 'WA', 'british colombia': 'BC' }),
    trailingCode: true,
  }),
  '61': () => ({
    names: names(['AU'], {
      sydney: 'NSW',
      melbourne: 'VIC',
      brisbane: 'QLD',
      perth: 'WA',
      adelaide: 'SA',
      hobart: 'TAS',
      darwin: 'NT',
    }),
    trailingCode: false,
  }),
};

/** Entries handled between two turns of the event loop (≈ 5 ms: see readStrings). */
const SLICE = 2000;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads a BSON document whose values are all strings (the geocoder's files), a slice of entries at a time. bson's
 * deserialize decodes a whole file in one call: 140 ms for North America's 830 KB, 260 ms for Australia's 1.3 MB,
 * which an import on the server would take from the live calls' 20 ms audio frames.
 */
export async function readStrings(buf: Buffer, each: (key: string, value: string) => void): Promise<void> {
  const end = buf.readInt32LE(0) - 1;
  let at = 4;
  for (let n = 1; at < end; n++) {
    if (buf[at] !== 0x02) throw new Error(`geocoder data: a value of type ${buf[at]} at byte ${at}, not a string`);
    const keyEnd = buf.indexOf(0, at + 1);
    const length = buf.readInt32LE(keyEnd + 1);
    each(buf.toString('latin1', at + 1, keyEnd), buf.toString('utf8', keyEnd + 5, keyEnd + 4 + length));
    at = keyEnd + 5 + length;
    if (n % SLICE === 0) await nextTurn();
  }
}

/**
 * Prefix → subdivision code ('' for a place that names none), keeping only the prefixes whose answer differs from
 * their longest shorter prefix's: the longest-prefix lookup answers as it would on the whole file, with some 2,000
 * entries instead of 30,000-60,000.
 */
async function loadPrefixes(callingCode: string, p: PlaceNames): Promise<ReadonlyMap<string, string>> {
  const all = new Map<string, string>();
  await readStrings(await readGeoResource('geocodes', 'en', `${callingCode}.bson`), (prefix, place) => {
    const named = p.names.get(place.toLowerCase());
    const trailing = p.trailingCode ? /, ([A-Z]{2})$/.exec(place)?.[1] : undefined;
    all.set(prefix, named ?? trailing ?? '');
  });
  const kept = new Map<string, string>();
  let n = 0;
  for (const [prefix, code] of all) {
    if (code !== (longestPrefix(all, prefix.slice(0, -1)) ?? '')) kept.set(prefix, code);
    if (++n % SLICE === 0) await nextTurn();
  }
  return kept;
}

function longestPrefix(map: ReadonlyMap<string, string>, digits: string): string | undefined {
  for (let len = digits.length; len > 0; len--) {
    const found = map.get(digits.slice(0, len));
    if (found !== undefined) return found;
  }
  return undefined;
}

const loaded = new Map<string, Promise<ReadonlyMap<string, string>>>();

/** The subdivision code a number's prefix names (see above), or undefined. */
export async function subdivisionOfNumber(e164: string): Promise<string | undefined> {
  const n = parsePhoneNumberFromString(e164);
  if (n?.country === undefined || !n.isValid()) return undefined;
  let code: string | undefined;
  if (n.country === 'GB') code = n.getType() === 'FIXED_LINE' ? nationOfNumber(n.nationalNumber) : undefined;
  else {
    const places = PLACES[n.countryCallingCode];
    if (places === undefined) return undefined;
    let prefixes = loaded.get(n.countryCallingCode);
    if (prefixes === undefined)
      loaded.set(n.countryCallingCode, (prefixes = loadPrefixes(n.countryCallingCode, places())));
    code = longestPrefix(await prefixes, n.nationalNumber);
  }
  return code !== undefined && holidayRegions(n.country).has(code) ? code : undefined;
}
