import type { Key, MenuOption } from './menu.js';
import { conceptOf, MENU_CONCEPTS } from './menu-concepts.js';
import { plain } from './words.js';

// Recognising a menu again: the fingerprint of a menu for remembering the key path that reached a person, the
// check that a menu heard now still says what it said, a repeat of the menu just heard (a loop), and the phone
// tree's "sorry, I didn't get that". Recognisers mishear labels ("memberships", "member ship", "front desk" as
// "front desks"), so a fingerprint is the set of keys with what each leads to, not the words.

/** Each option as key=concept (the first label word when no concept matches), sorted by key: "0=operator|2=membership". */
export function menuFingerprint(options: readonly MenuOption[]): string {
  return [...new Map(options.map((o) => [o.key, token(o)])).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('|');
}

function token(o: MenuOption): string {
  const c = conceptOf(o.label).concept;
  if (c !== 'unknown') return c;
  const first = o.label.split(' ').find((w) => w.length > 2) ?? '';
  return first.replace(/s$/, '') || 'none';
}

function parseFingerprint(fp: string): Map<string, string> {
  return new Map(
    fp
      .split('|')
      .filter((x) => x.includes('='))
      .map((x) => x.split('=', 2) as [string, string]),
  );
}

export type MenuAgreement = 'same' | 'different' | 'unknown';

/** Fingerprint tokens that name a kind of option (the others are a label's first word). */
const KNOWN = new Set<string>(MENU_CONCEPTS.map((c) => c.concept));

/**
 * Does a menu being heard agree with a remembered fingerprint? 'different' when a heard key leads to another known
 * kind of option than it did, or the remembered key is missing from a finished menu; 'same' once the remembered
 * key is heard saying what it said, or, while the menu is still playing, once any key is heard leading where it
 * led (the menu's first option is enough: phone systems take a key typed ahead, and the repeat call is faster for
 * it); 'unknown' while nothing telling has been heard. Labels the recogniser made nothing of agree with nothing
 * and contradict nothing: a menu misheard differently on each call is still the same menu.
 */
export function menuAgrees(
  fingerprint: string,
  key: Key,
  heard: readonly MenuOption[],
  finished: boolean,
): MenuAgreement {
  const stored = parseFingerprint(fingerprint);
  const now = parseFingerprint(menuFingerprint(heard));
  for (const [k, v] of now) {
    const was = stored.get(k);
    if (was !== undefined && KNOWN.has(was) && KNOWN.has(v) && was !== v) return 'different';
  }
  if (finished && !now.has(key)) return 'different';
  if (now.has(key) && now.get(key) === stored.get(key)) return 'same';
  if ([...now].some(([k, v]) => KNOWN.has(v) && stored.get(k) === v)) return 'same';
  return finished ? 'different' : 'unknown';
}

/**
 * The menu just heard is the one heard before (a loop): the same fingerprint, or most of its options the same
 * (Jaccard ≥ 0.6 on key=concept pairs, so one misheard label still counts as the same menu).
 */
export function isMenuRepeat(before: readonly MenuOption[], now: readonly MenuOption[]): boolean {
  if (before.length === 0 || now.length === 0) return false;
  const a = new Set(menuFingerprint(before).split('|'));
  const b = new Set(menuFingerprint(now).split('|'));
  const common = [...a].filter((x) => b.has(x)).length;
  return common / (a.size + b.size - common) >= 0.6;
}

// The phone tree did not take what it heard: a key it does not offer, or nothing in time.
const INVALID_ENTRY = [
  /\b(sorry|apologies) i (did not|didn't|do not|don't) (get|understand|catch|recognize|recognise) (that|your)\b/,
  /\bi (did not|didn't) (get|understand|catch) (that|your (response|selection|entry))\b/,
  /\b(that|this) (is not|isn't|was not|wasn't) a valid (option|selection|entry|choice|extension|response)\b/,
  /\binvalid (option|selection|entry|choice|extension|response)\b/,
  /\byour (entry|selection|response) (was not|wasn't|is not|isn't) (recognized|recognised|valid)\b/,
  /\b(i'm sorry|sorry) (that|this) (option|extension|selection) is not available\b/,
  /\bplease try again\b/,
  /\bno (entry|selection|response) (was )?(received|detected)\b/,
  // Spanish (accents folded): "opción no válida", "no se reconoce su selección", "intente de nuevo".
  /\b(opcion|seleccion|extension|entrada) (no valida|invalida|incorrecta)\b/,
  /\bno (es|fue) una (opcion|seleccion|extension) valida\b/,
  /\bno (se )?(reconoce|reconocio|recibio|entendi|entendimos) (su|la) (seleccion|opcion|respuesta|entrada)\b/,
  /\b(por favor )?(intente|intentelo) (de nuevo|nuevamente|otra vez)\b/,
];

export function isInvalidEntry(text: string): boolean {
  const t = plain(text);
  return INVALID_ENTRY.some((re) => re.test(t));
}
