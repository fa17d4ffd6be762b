import { getCountries, parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';

// Which numbers the agent may dial. Every outbound call costs what its destination costs, so a premium-rate
// (+1 900), satellite (+881, +882) or far-away number placed by a leaked token or a bad import is toll fraud paid by
// us. A destination must be a valid number (libphonenumber's full "max" metadata, which knows number types) in an
// allowed region (CALL_ALLOWED_REGIONS) of an allowed type (CALL_ALLOWED_NUMBER_TYPES). Used by POST /v1/calls
// and meant for anything else that accepts numbers to call (campaign imports).

/** Types an operator may allow. Premium rate, personal (follow-me), pager and voicemail numbers are never dialled. */
export const DIALLABLE_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'UAN',
  'SHARED_COST',
  'VOIP',
] as const satisfies readonly NumberType[];
export type DiallableType = (typeof DIALLABLE_TYPES)[number];

/** A gym's own number: landline or mobile (North American numbers do not say which), or its free-phone line. */
export const DEFAULT_NUMBER_TYPES: readonly DiallableType[] = [
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'MOBILE',
  'TOLL_FREE',
];
/** English-speaking regions the agent's voice and vocabulary are made for. */
export const DEFAULT_REGIONS: readonly CountryCode[] = ['US', 'CA', 'GB', 'IE', 'AU', 'NZ'];

export function isRegion(code: string): code is CountryCode {
  return (getCountries() as string[]).includes(code);
}

export function isDiallableType(t: string): t is DiallableType {
  return (DIALLABLE_TYPES as readonly string[]).includes(t);
}

export interface DestinationPolicy {
  readonly regions: readonly CountryCode[];
  readonly types: readonly DiallableType[];
}

export type DestinationCheck =
  | { readonly ok: true; readonly region: CountryCode; readonly type: DiallableType }
  | { readonly ok: false; readonly reason: 'invalid' | 'region' | 'type'; readonly message: string };

/**
 * Checks an E.164 number against the policy. Messages name the region or type, never the number (they reach logs
 * and API clients).
 */
export function checkDestination(e164: string, policy: DestinationPolicy): DestinationCheck {
  const n = parsePhoneNumberFromString(e164);
  if (n === undefined || n.number !== e164 || !n.isValid())
    return { ok: false, reason: 'invalid', message: 'is not a number in service in any numbering plan' };
  if (n.country === undefined)
    return {
      ok: false,
      reason: 'region',
      message: `is a non-geographic service number (+${n.countryCallingCode}: satellite, global or shared-cost service)`,
    };
  if (!policy.regions.includes(n.country))
    return {
      ok: false,
      reason: 'region',
      message: `is in region ${n.country}; calls go only to ${policy.regions.join(', ')} (CALL_ALLOWED_REGIONS)`,
    };
  const type = n.getType() ?? 'UNKNOWN';
  if (!isDiallableType(type) || !policy.types.includes(type))
    return {
      ok: false,
      reason: 'type',
      message: `is a ${type} number; calls go only to ${policy.types.join(', ')} numbers (CALL_ALLOWED_NUMBER_TYPES)`,
    };
  return { ok: true, region: n.country, type };
}
