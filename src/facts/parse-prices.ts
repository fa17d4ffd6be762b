import type { MembershipPlan, Period } from './model.js';
import { parseNumber, parseSmallNumber } from './numbers.js';
import { DEFAULT_PLAN_NAME, PERIOD_WORDS, PLAN_WORDS } from './vocabulary.js';

// Membership prices from a token stream: "forty nine dollars a month", "a hundred and twenty nine dollars a
// year", "the day pass is fifteen", "forty nine ninety nine per month", "$49.99/month" (after normalize()).
// A number only counts as a price when a currency word or a period is attached to it, so "we have two plans"
// or a time of day never becomes a price.

/** Currency words (after normalize() or spanish.ts) and their ISO codes; the front desk's guard reads the same. */
export const CURRENCY: Readonly<Record<string, string>> = {
  dollars: 'USD',
  dollar: 'USD',
  bucks: 'USD',
  euros: 'EUR',
  euro: 'EUR',
  pounds: 'GBP',
  pound: 'GBP',
  // Said by a Spanish-speaking gym (src/facts/spanish.ts); of the many pesos, the Mexican one, the one most US
  // callers' Spanish-speaking gyms across the border charge in. A gym in another peso country says its own code.
  pesos: 'MXN',
};

/** The minor unit's words after a currency's ("forty nine pounds and ninety nine pence", "… pesos y … centavos"). */
const MINOR_UNITS: ReadonlySet<string> = new Set(['cents', 'cent', 'pence', 'centavos', 'centavo']);

const PERIOD_PHRASES: { words: string[]; period: Period }[] = (
  Object.entries(PERIOD_WORDS) as [Period, readonly string[]][]
)
  .flatMap(([period, list]) => list.map((p) => ({ words: p.split(' '), period })))
  .sort((a, b) => b.words.length - a.words.length);

const PLAN_PHRASES = PLAN_WORDS.map((p) => p.split(' ')).sort((a, b) => b.length - a.length);

function matchAt(tokens: readonly string[], i: number, words: readonly string[]): boolean {
  return words.every((w, k) => tokens[i + k] === w);
}

function periodAt(tokens: readonly string[], i: number): { period: Period; next: number } | undefined {
  let j = i;
  // "for the month", "per single visit" style fillers are skipped one word at most.
  if (tokens[j] === 'for' || tokens[j] === 'every' || tokens[j] === 'as') j++;
  for (const p of PERIOD_PHRASES)
    if (matchAt(tokens, j, p.words)) return { period: p.period, next: j + p.words.length };
  return undefined;
}

interface AmountMatch {
  minor: number;
  currency: string;
  at: number;
  next: number;
  period: Period | undefined;
}

/**
 * Words between what is priced and its amount: "the day pass is fifteen", "membership runs forty five", "a joining
 * fee of twenty five".
 */
const PRICE_VERBS = new Set(['is', "it's", 'costs', 'cost', 'runs', 'are', "that's", 'of']);
/** What a bare amount after a price verb may price: a period, a plan, or these. */
const PRICED = new Set(['membership', 'memberships', 'price', 'fee', 'pass', 'plan', 'rate']);

/** A bare number is a price when a priced thing and a price verb come right before it. */
function pricedBefore(tokens: readonly string[], i: number): boolean {
  if (!PRICE_VERBS.has(tokens[i - 1] ?? '')) return false;
  const k = i - 2;
  if (PRICED.has(tokens[k] ?? '')) return true;
  for (const p of PERIOD_PHRASES)
    if (k - p.words.length + 1 >= 0 && matchAt(tokens, k - p.words.length + 1, p.words)) return true;
  return PLAN_PHRASES.some((w) => k - w.length + 1 >= 0 && matchAt(tokens, k - w.length + 1, w));
}

/**
 * Things a gym prices that are neither a membership nor a visit: "a ten class pack is a hundred dollars", "personal
 * training is sixty dollars an hour". Their amounts are no plan's, and a lone one must not be taken as monthly.
 */
const NOT_A_PLAN = new Set([
  'pack',
  'packs',
  'package',
  'packages',
  'punch',
  'training',
  'trainer',
  'locker',
  'lockers',
  'towel',
  'towels',
  'parking',
  'childcare',
  'massage',
  'lesson',
  'lessons',
  'tanning',
]);
const PER_HOUR = [
  ['an', 'hour'],
  ['per', 'hour'],
  ['the', 'hour'],
];

/** The amount prices something that is not a plan: named in the few words before it, or priced by the hour. */
function pricesSomethingElse(tokens: readonly string[], a: AmountMatch, from: number): boolean {
  if (tokens.slice(Math.max(from, a.at - 3), a.at).some((w) => NOT_A_PLAN.has(w))) return true;
  return a.period === undefined && PER_HOUR.some((w) => matchAt(tokens, a.next, w));
}

function amountAt(tokens: readonly string[], i: number): AmountMatch | undefined {
  const n = parseNumber(tokens, i);
  if (!n) return undefined;
  const priced = pricedBefore(tokens, i);
  let j = n.next;
  let cents = 0;
  let currency: string | undefined;
  const cur = CURRENCY[tokens[j] ?? ''];
  if (cur) {
    currency = cur;
    j++;
    // "forty nine dollars and ninety nine cents", "forty nine dollars ninety nine"
    const and = tokens[j] === 'and' ? 1 : 0;
    const c = parseSmallNumber(tokens, j + and);
    const minor = MINOR_UNITS.has(tokens[c?.next ?? -1] ?? '');
    if (c && c.value >= 1 && c.value <= 99 && (minor || (!and && c.value >= 10))) {
      cents = c.value;
      j = minor ? c.next + 1 : c.next;
    }
  } else if (n.value >= 10) {
    // "forty nine ninety nine a month": dollars then cents, with the period right after.
    const c = parseSmallNumber(tokens, j);
    if (c && c.value >= 10 && c.value <= 99 && (priced || periodAt(tokens, c.next) || CURRENCY[tokens[c.next] ?? ''])) {
      cents = c.value;
      j = c.next;
      const cur2 = CURRENCY[tokens[j] ?? ''];
      if (cur2) {
        currency = cur2;
        j++;
      }
    }
  }
  const after = periodAt(tokens, j);
  if (!currency && !after && !priced) return undefined;
  return {
    minor: n.value * 100 + cents,
    currency: currency ?? 'USD',
    at: i,
    next: after ? after.next : j,
    period: after?.period,
  };
}

export interface PricesResult {
  pricing: MembershipPlan[];
  /** A price was heard without any period: stored as monthly when it was the only price, else left out. */
  assumedPeriod: boolean;
}

export function parsePrices(tokens: readonly string[]): PricesResult {
  const pricing: MembershipPlan[] = [];
  let assumedPeriod = false;
  let prevEnd = 0;
  const unplaced: MembershipPlan[] = [];
  for (let i = 0; i < tokens.length;) {
    const a = amountAt(tokens, i);
    if (!a) {
      i++;
      continue;
    }
    if (pricesSomethingElse(tokens, a, prevEnd)) {
      prevEnd = a.next;
      i = a.next;
      continue;
    }
    // Plan name and period said before the amount: "the student plan is thirty dollars", "monthly is forty nine".
    let plan: string | undefined;
    let before: Period | undefined;
    for (let k = prevEnd; k < a.at; k++) {
      const p = periodAt(tokens, k);
      if (p) before = p.period;
      const name = PLAN_PHRASES.find((w) => matchAt(tokens, k, w));
      if (name) plan = name.join(' ');
    }
    let period = a.period ?? before;
    if (period === undefined) {
      assumedPeriod = true;
      period = 'month';
    }
    const entry = { plan: plan ?? DEFAULT_PLAN_NAME[period], amountMinor: a.minor, currency: a.currency, period };
    // A price without a period next to other prices is left out rather than overwriting a stated monthly plan.
    if (a.period ?? before) pricing.push(entry);
    else unplaced.push(entry);
    prevEnd = a.next;
    i = a.next;
  }
  // A lone price with no period ("it's forty nine dollars") is taken as monthly, the usual membership price.
  if (pricing.length === 0 && unplaced.length === 1) pricing.push(...unplaced);
  return { pricing, assumedPeriod };
}
