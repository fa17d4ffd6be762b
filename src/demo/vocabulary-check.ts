import {
  DEFAULT_PLAN_NAME,
  isSupportedAmount,
  isSupportedClass,
  isSupportedTime,
  PLAN_WORDS,
  SUPPORTED_CLASSES,
  VOCABULARY_LIMITS,
} from '../facts/vocabulary.js';
import type { Period } from '../facts/model.js';
import { normalize, sayNumber } from '../facts/numbers.js';

// What a persona may say. The offline recogniser only knows a closed vocabulary (src/facts/vocabulary.ts, the
// single source shared with the parser and the grammars), so the receptionist must stay inside it; these
// wrappers turn its yes/no predicates into messages a persona author can act on.

export function checkTime(t: string, what: 'opens' | 'closes'): string | undefined {
  if (t === '24:00' && what === 'opens') return '"24:00" can only be a closing time';
  if (isSupportedTime(t)) return undefined;
  if (!/^\d\d:\d\d$/.test(t)) return `"${t}" is not a time in HH:MM (24-hour) form`;
  const [h, m] = t.split(':').map(Number) as [number, number];
  if (h > 24 || m > 59) return `"${t}" is not a valid time`;
  return `"${t}" is not on the quarter hour (supported minutes: ${VOCABULARY_LIMITS.minutes.map((x) => `:${String(x).padStart(2, '0')}`).join(', ')})`;
}

export function checkPriceAmount(amount: number): string | undefined {
  if (isSupportedAmount(amount)) return undefined;
  return `${amount} is outside the supported prices (dollars and cents from 0 to ${VOCABULARY_LIMITS.maxAmount})`;
}

/**
 * What a name sounds like: case, hyphens, spaces and punctuation do not count, and digits are the words a
 * speaker says ("Drop-In", "drop in" and "dropin" sound the same; "24 hour" is "twenty four hour").
 */
export function spokenKey(name: string): string {
  return normalize(name)
    .map((t) => (/^\d{1,3}$/.test(t) ? sayNumber(Number(t)) : t))
    .join('')
    .replace(/[^a-z0-9]/g, '');
}

/** The one spelling among `names` that sounds like `name`. */
function soundsLike(name: string, names: readonly string[]): string | undefined {
  const key = spokenKey(name);
  return key === '' ? undefined : names.find((n) => spokenKey(n) === key);
}

/** The supported class that sounds like `name` ("Tai-Chi" → "tai chi"), or undefined. */
export function canonicalClassName(name: string): string | undefined {
  return isSupportedClass(name) ? name.trim().toLowerCase() : soundsLike(name, SUPPORTED_CLASSES);
}

export function checkClassName(name: string): string | undefined {
  if (canonicalClassName(name) !== undefined) return undefined;
  return `"${name}" is not a supported class name (supported: ${SUPPORTED_CLASSES.join(', ')})`;
}

/** The plan name that sounds like `plan` ("drop in" → "drop-in", "Day-Pass" → "day pass"), or undefined. */
export function canonicalPlanName(plan: string, period: Period): string | undefined {
  return soundsLike(plan, [...PLAN_WORDS, DEFAULT_PLAN_NAME[period]]);
}

/** Plan names the recogniser can hear: a plan word ("student") or the default name of the period ("monthly"). */
export function checkPlanName(plan: string, period: Period): string | undefined {
  if (canonicalPlanName(plan, period) !== undefined) return undefined;
  return `"${plan}" is not a supported plan name for period "${period}" (use "${DEFAULT_PLAN_NAME[period]}" or one of: ${PLAN_WORDS.join(', ')})`;
}

/** "5:00" is "05:00": the same time, said the same way. */
export function canonicalTime(t: string): string {
  return /^\d:\d\d$/.test(t) ? `0${t}` : t;
}
