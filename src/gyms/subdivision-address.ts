import { holidayRegions } from '../campaigns/policy/holidays.js';
import { nationOfPostcode } from './subdivision-gb.js';

// A gym's subdivision from the address a list gives, for the countries whose addresses name it in a set way:
// - the state or province code before the postal code: "Austin, TX 78701", "Toronto ON M5V 2T6", "Sydney NSW 2000";
// - the code or the name as the address's last part: "Austin, TX", "Seattle, Washington" is not read (the state or
//   the capital?), "Edinburgh, Scotland", "Perth, Western Australia", "Québec" (accents aside);
// - Canada: the postal code's first letter (one province each; X is Nunavut for X0A-X0C, else the Northwest
//   Territories); the UK: the postcode's area (subdivision-gb.ts).
// A trailing country ("USA", "United Kingdom") is passed over. A code elsewhere in the address is not read: "12 OAK
// CT" is a street, not Connecticut. When two of these disagree, the address says nothing. Other countries'
// addresses are not read (German postcodes do not follow the Länder, for one).

/** A postal code at the end of an address part, per country. */
const POSTAL: Readonly<Record<string, RegExp>> = {
  US: /\s*\b\d{5}(?:-\d{4})?$/,
  CA: /\s*\b[A-Z]\d[A-Z] ?\d[A-Z]\d$/i,
  AU: /\s*\b\d{4}$/,
  GB: /\s*\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
};

const COUNTRY_WORDS = new Set([
  'us',
  'usa',
  'united states',
  'united states of america',
  'canada',
  'australia',
  'uk',
  'gb',
  'united kingdom',
  'great britain',
]);

/** A city as well known as the state it shares a name with. */
const AMBIGUOUS_NAMES: Readonly<Record<string, string>> = { US: 'washington' };

/** Lower case, accents and dots dropped, spaces single: "Québec." → "quebec". */
const plain = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f.]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** Canadian postal codes' first letter. */
const CA_POSTAL: Readonly<Record<string, string>> = {
  A: 'NL',
  B: 'NS',
  C: 'PE',
  E: 'NB',
  G: 'QC',
  H: 'QC',
  J: 'QC',
  K: 'ON',
  L: 'ON',
  M: 'ON',
  N: 'ON',
  P: 'ON',
  R: 'MB',
  S: 'SK',
  T: 'AB',
  V: 'BC',
  Y: 'YT',
};

function canadaPostal(address: string): string | undefined {
  const last = [...address.matchAll(/\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b/gi)].at(-1);
  if (last === undefined) return undefined;
  const fsa = last[0].slice(0, 3).toUpperCase();
  if (fsa[0] === 'X') return /^X0[ABC]$/.test(fsa) ? 'NU' : 'NT';
  return CA_POSTAL[fsa[0] as string];
}

/** The code or name of the address's last part (before a postal code), per the rules above. */
function named(address: string, country: string, postal: RegExp): string | undefined {
  const regions = holidayRegions(country);
  const parts = address
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  while (parts.length > 0 && COUNTRY_WORDS.has(plain(parts.at(-1) as string))) parts.pop();
  let part = parts.pop() ?? '';
  let rest = part.replace(postal, '');
  // "Sydney, NSW, 2000": the postal code alone is a part of its own.
  if (rest === '' && parts.length > 0) {
    part = parts.pop() as string;
    rest = part.replace(postal, '');
  }
  const withPostal = rest !== part;
  const code = /(?:^|\s)([A-Za-z]{2,3})$/.exec(rest)?.[1]?.toUpperCase();
  if (code !== undefined && regions.has(code) && (withPostal || rest.length === code.length)) return code;
  const name = plain(rest);
  if (name === AMBIGUOUS_NAMES[country]) return undefined;
  for (const [c, n] of regions) if (plain(n) === name) return c;
  return undefined;
}

export interface AddressSubdivision {
  readonly code?: string;
  /** Two readings of the address that disagree (then `code` is absent). */
  readonly conflict?: readonly [string, string];
}

/**
 * The subdivision an address names for a gym in `country` (US, CA, AU, GB), by the rules above: always one the
 * holiday rules know for the country.
 */
export function subdivisionOfAddress(address: string, country: string): AddressSubdivision {
  const postal = POSTAL[country];
  if (postal === undefined) return {};
  const byName = named(address, country, postal);
  const byPostal = country === 'CA' ? canadaPostal(address) : country === 'GB' ? nationOfPostcode(address) : undefined;
  if (byName !== undefined && byPostal !== undefined && byName !== byPostal) return { conflict: [byName, byPostal] };
  const code = byName ?? byPostal;
  return code !== undefined && holidayRegions(country).has(code) ? { code } : {};
}
