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
  return `${amount} is outside the supported prices (whole dollars from 0 to ${VOCABULARY_LIMITS.maxAmount})`;
}

export function checkClassName(name: string): string | undefined {
  if (isSupportedClass(name)) return undefined;
  return `"${name}" is not a supported class name (supported: ${SUPPORTED_CLASSES.join(', ')})`;
}

/** Plan names the recogniser can hear: a plan word ("student") or the default name of the period ("monthly"). */
export function checkPlanName(plan: string, period: Period): string | undefined {
  const p = plan.trim().toLowerCase();
  if (PLAN_WORDS.includes(p) || p === DEFAULT_PLAN_NAME[period]) return undefined;
  return `"${plan}" is not a supported plan name for period "${period}" (use "${DEFAULT_PLAN_NAME[period]}" or one of: ${PLAN_WORDS.join(', ')})`;
}
