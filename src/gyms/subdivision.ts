import { holidayRegions } from '../campaigns/policy/holidays.js';
import { subdivisionOfAddress } from './subdivision-address.js';
import { subdivisionOfNumber } from './subdivision-number.js';

// A gym's subdivision (ISO 3166-2 without the country: "TX" in US-TX, "SCT" in GB-SCT, "NSW" in AU-NSW) decides its
// regional public holidays (src/campaigns/policy/holidays.ts). Where it comes from, first found wins:
// 1. the list's `subdivision` column ("US-TX" or "TX"), checked against the codes date-holidays knows for the
//    country of the gym's number: an unknown code rejects the row, as a bad time zone does;
// 2. the list's address (subdivision-address.ts: US, Canada, Australia, the UK);
// 3. the number (subdivision-number.ts: US/Canada area codes, Australian capital-city exchanges, UK area codes).
// Every inferred code is one date-holidays knows for the country, else none: a region the holiday rules cannot use
// is no better than none (the country's holidays still apply). `none` is stored as such, so a later list can tell
// "looked, found nothing" from a gym never imported.

export type SubdivisionSource = 'row' | 'address' | 'number' | 'none';

/** Codes named in a rejection: the US has 51, and the reason comes back in a report of thousands of rows. */
const NAMED = 16;

/** The list's column: "US-TX", "us-tx" or "TX" for a gym whose number is in `country` → "TX", or why not. */
export function parseSubdivision(
  value: string,
  country: string,
): { ok: true; code: string } | { ok: false; reason: string } {
  const m = /^(?:([A-Za-z]{2})-)?([A-Za-z0-9]{1,3})$/.exec(value.trim());
  if (m === null) return { ok: false, reason: 'subdivision must be an ISO 3166-2 code such as US-TX or TX' };
  const prefix = m[1]?.toUpperCase();
  const code = (m[2] as string).toUpperCase();
  if (prefix !== undefined && prefix !== country)
    return { ok: false, reason: `subdivision ${prefix}-${code} is not in ${country}, the country of the number` };
  const known = holidayRegions(country);
  if (known.size === 0) return { ok: false, reason: `no subdivisions of ${country} are known to the holiday rules` };
  if (known.has(code)) return { ok: true, code };
  const codes = [...known.keys()];
  const list = codes.slice(0, NAMED).join(', ') + (codes.length > NAMED ? ', …' : '');
  return { ok: false, reason: `subdivision ${code} is not one of ${country}'s (${list})` };
}

export interface GymSubdivision {
  readonly subdivision: string | null;
  readonly source: SubdivisionSource;
  /** Where the sources disagree (the report's warnings). */
  readonly warnings: string[];
}

const SAYS: Readonly<Record<SubdivisionSource, string>> = {
  row: 'the list',
  address: 'the address',
  number: "the number's area code",
  none: 'nothing',
};

/** The gym's subdivision by the rules above. `row` is a code parseSubdivision accepted. */
export async function gymSubdivision(g: {
  readonly e164: string;
  readonly country: string;
  readonly row: string | undefined;
  readonly address: string | undefined;
}): Promise<GymSubdivision> {
  const warnings: string[] = [];
  const byAddress = g.address === undefined ? undefined : subdivisionOfAddress(g.address, g.country);
  if (byAddress?.conflict)
    warnings.push(`the address names both ${byAddress.conflict.join(' and ')}; read none from it`);
  const found: [string | undefined, SubdivisionSource][] = [
    [g.row, 'row'],
    [byAddress?.code, 'address'],
    [await subdivisionOfNumber(g.e164), 'number'],
  ];
  const [code, source] = found.find(([c]) => c !== undefined) ?? [undefined, 'none'];
  if (code === undefined) return { subdivision: null, source: 'none', warnings };
  for (const [other, from] of found)
    if (other !== undefined && other !== code)
      warnings.push(`${SAYS[from]} says ${other}; kept ${code} from ${SAYS[source]}`);
  return { subdivision: code, source, warnings };
}
