import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { checkDestination, type DestinationPolicy, type DiallableType } from '../telephony/destination.js';

// A gym's number as a list gives it ("(201) 555-0123", "+44 20 7946 0000", "201.555.0123 x12") → E.164, region and
// type, or the reason it is refused. libphonenumber-js's full metadata ("max") knows every plan's valid ranges and
// number types; the outbound path's policy (CALL_ALLOWED_REGIONS / CALL_ALLOWED_NUMBER_TYPES, destination.ts) is
// applied on top, so an imported gym is one the agent may actually dial.
//
// libphonenumber-js has no short-number metadata (Google's ShortNumberInfo is not ported), so emergency and service
// codes are recognised here: a list's "911" or "112" must be refused by name, never parsed as a national number
// of some other plan or silently reported as merely invalid.

/** Emergency numbers of the regions the agent calls and the wider ones a list could carry (GSM 112, 999, 000...). */
const EMERGENCY = new Set(['911', '999', '112', '000', '111', '110', '119', '118', '100', '101', '102', '106', '108']);
/** Digits up to this long, dialled without a country code, are short codes (service, carrier, SMS codes). */
const SHORT_CODE_MAX_DIGITS = 6;
/** North American N11 service codes (211 community, 311 city, 411 directory, 511 traffic, 611, 711 relay, 811). */
const NANP_N11 = /^[2-8]11$/;

export type PhoneRejection =
  'empty' | 'emergency' | 'short-code' | 'premium-rate' | 'extension' | 'invalid' | 'region' | 'type';

export type GymPhone =
  | { readonly ok: true; readonly e164: string; readonly region: CountryCode; readonly type: DiallableType }
  | { readonly ok: false; readonly reason: PhoneRejection; readonly message: string };

const fail = (reason: PhoneRejection, message: string): GymPhone => ({ ok: false, reason, message });

/**
 * Parses and checks one number. `defaultRegion` reads numbers written without a country code (the import's
 * --region). Messages never repeat the number (they reach logs); the report pairs them with the row.
 */
export function parseGymPhone(raw: string, defaultRegion: CountryCode, policy: DestinationPolicy): GymPhone {
  const text = raw.trim();
  if (text === '') return fail('empty', 'no phone number');
  const digits = text.replace(/\D/g, '');
  const international = text.startsWith('+');
  if (digits === '') return fail('invalid', 'has no digits');
  if (!international && EMERGENCY.has(digits)) return fail('emergency', 'is an emergency number');
  if (!international && NANP_N11.test(digits)) return fail('short-code', 'is a service code (N11)');
  if (!international && digits.length <= SHORT_CODE_MAX_DIGITS)
    return fail('short-code', `is a short code (${digits.length} digits), not a subscriber number`);
  const n = parsePhoneNumberFromString(text, defaultRegion);
  if (n === undefined || !n.isValid())
    return fail('invalid', `is not a valid number${international ? '' : ` in region ${defaultRegion}`}`);
  if (n.ext !== undefined) return fail('extension', 'has an extension; the agent cannot dial extensions');
  if (n.getType() === 'PREMIUM_RATE') return fail('premium-rate', 'is a premium-rate number');
  const d = checkDestination(n.number, policy);
  if (!d.ok) return fail(d.reason, d.message);
  return { ok: true, e164: n.number, region: d.region, type: d.type };
}
