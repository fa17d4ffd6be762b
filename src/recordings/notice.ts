import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { en } from '../language/en.js';

// Whether a recorded call starts with a recording notice (RECORDING_NOTICE). `always` (the default) says it on every
// recorded call; `two-party` only where the law asks every party's consent or notice: the all-party-consent US
// states, found by the number's area code, and the countries below, by the number's region; `never` not at all.
// This is a conservative summary, not legal advice: an area code is where a number was issued, not where the
// phone is, so a business that relies on `two-party` should check its own list. Recording off: no notice.

export type NoticePolicy = 'always' | 'two-party' | 'never';

/** The English notice; a call in another language says its pack's (src/language/). */
export const RECORDING_NOTICE_LINE = en.recordingNotice;

/** US states whose wiretap laws want the consent of all parties to a recorded phone call, by area code. */
const ALL_PARTY_AREA_CODES: Readonly<Record<string, readonly number[]>> = {
  CA: [
    209, 213, 279, 310, 323, 341, 350, 369, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650, 657, 661, 669,
    707, 714, 747, 760, 805, 818, 820, 831, 837, 840, 858, 909, 916, 925, 949, 951,
  ],
  CT: [203, 475, 860, 959],
  DE: [302],
  FL: [
    239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689, 727, 728, 754, 772, 786, 813, 850, 863, 904, 941, 954,
  ],
  IL: [217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 730, 773, 779, 815, 847, 861, 872],
  MD: [227, 240, 301, 410, 443, 667],
  MA: [339, 351, 413, 508, 617, 774, 781, 857, 978],
  MI: [231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 906, 947, 989],
  MT: [406],
  NV: [702, 725, 775],
  NH: [603],
  PA: [215, 223, 267, 272, 412, 445, 484, 570, 582, 610, 717, 724, 814, 835, 878],
  WA: [206, 253, 360, 425, 509, 564],
};

const AREA_TO_STATE = new Map<number, string>(
  Object.entries(ALL_PARTY_AREA_CODES).flatMap(([state, codes]) => codes.map((c) => [c, state] as const)),
);

/**
 * Countries where a business recording a call must tell the other party: the EU and EEA and the UK (GDPR's
 * transparency), Canada (PIPEDA), Australia (most states want all parties' consent).
 */
const NOTICE_COUNTRIES = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT',
  'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO', 'GB', 'CA', 'AU',
]); // prettier-ignore

/** Where the gym's number is: its region, and for North American numbers the state of an all-party area code. */
export function jurisdictionOf(phone: string): { region: string | undefined; state: string | undefined } {
  const n = parsePhoneNumberFromString(phone);
  const region = n?.country;
  if (n === undefined || region !== 'US') return { region, state: undefined };
  const area = Number(n.nationalNumber.slice(0, 3));
  return { region, state: AREA_TO_STATE.get(area) };
}

/** Whether the law where this number is wants every party told (or asked) before a call is recorded. */
export function needsAllPartyNotice(phone: string | undefined): boolean {
  // A number we cannot place: tell them, as the careful reading of every law does.
  if (phone === undefined) return true;
  const j = jurisdictionOf(phone);
  if (j.region === undefined) return true;
  if (j.region === 'US') return j.state !== undefined;
  return NOTICE_COUNTRIES.has(j.region);
}

/** The notice this call's greeting carries, or undefined for none. */
export function recordingNotice(
  recording: boolean,
  policy: NoticePolicy,
  phone: string | undefined,
): string | undefined {
  if (!recording || policy === 'never') return undefined;
  if (policy === 'two-party' && !needsAllPartyNotice(phone)) return undefined;
  return RECORDING_NOTICE_LINE;
}
