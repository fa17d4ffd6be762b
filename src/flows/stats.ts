import { chiSquareUpper, logGamma, normalQuantile, normalTwoSided, tQuantile, tTwoSided } from './distributions.js';

// The intervals and tests of the flows report (docs/flows.md says which metric uses which, and their assumptions):
// Wilson score intervals for proportions, Student t intervals for means, the two-proportion z-test or Fisher's exact
// test for two proportions, the chi-square test of homogeneity for several, Welch's t-test for two means, and Holm's
// step-down adjustment for a family of p-values.

export type Interval = readonly [low: number, high: number];

/** The Wilson score interval of `x` successes in `n` trials at `confidence`; undefined without trials. */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval | undefined {
  if (n <= 0) return undefined;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The Student t interval of a mean from its sample's size, mean and standard deviation; undefined below 2. */
export function tInterval(n: number, mean: number, sd: number, confidence = 0.95): Interval | undefined {
  if (n < 2) return undefined;
  const half = (tQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return [mean - half, mean + half];
}

/** Successes and trials of one group. */
export interface Counts {
  readonly x: number;
  readonly n: number;
}

export type ProportionMethod = 'z-test' | 'fisher-exact';

/** Two-sided Fisher exact test of a 2×2 table [[a, b], [c, d]] (rows: groups; columns: success, failure). */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const logChoose = (m: number, k: number) => logGamma(m + 1) - logGamma(k + 1) - logGamma(m - k + 1);
  const logP = (k: number) => logChoose(row1, k) + logChoose(row2, col1 - k) - logChoose(n, col1);
  const observed = logP(a);
  let p = 0;
  // Every table with these margins at most as probable as the one observed (a relative tolerance for rounding).
  for (let k = Math.max(0, col1 - row2); k <= Math.min(row1, col1); k++) {
    const lp = logP(k);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/**
 * Two proportions: the pooled two-proportion z-test, or Fisher's exact test when an expected cell count is below 5
 * (where the normal approximation is poor). Two groups with no variation at all (both 0 % or both 100 %) get p = 1.
 */
export function twoProportionTest(a: Counts, b: Counts): { p: number; method: ProportionMethod } {
  const n = a.n + b.n;
  const successes = a.x + b.x;
  const failures = n - successes;
  const smallest = (Math.min(a.n, b.n) * Math.min(successes, failures)) / n;
  if (smallest < 5) return { p: fisherExact(a.x, a.n - a.x, b.x, b.n - b.x), method: 'fisher-exact' };
  const pooled = successes / n;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  const z = (a.x / a.n - b.x / b.n) / se;
  return { p: normalTwoSided(z), method: 'z-test' };
}

/**
 * Chi-square test of homogeneity of k proportions (a k×2 table), df = k − 1. `smallExpected`: some expected count
 * is below 5, where the chi-square approximation is doubtful (the report says so).
 */
export function chiSquareHomogeneity(groups: readonly Counts[]): { p: number; smallExpected: boolean } {
  const n = groups.reduce((s, g) => s + g.n, 0);
  const successes = groups.reduce((s, g) => s + g.x, 0);
  const rate = successes / n;
  if (n === 0 || rate === 0 || rate === 1) return { p: 1, smallExpected: true };
  let statistic = 0;
  let smallExpected = false;
  for (const g of groups) {
    const expectedX = g.n * rate;
    const expectedY = g.n - expectedX;
    if (expectedX < 5 || expectedY < 5) smallExpected = true;
    statistic += (g.x - expectedX) ** 2 / expectedX + (g.n - g.x - expectedY) ** 2 / expectedY;
  }
  return { p: chiSquareUpper(statistic, groups.length - 1), smallExpected };
}

/** A sample as its size, mean and standard deviation. */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
}

/**
 * Welch's t-test of two means (unequal variances, Welch–Satterthwaite degrees of freedom); undefined with fewer than
 * two values in a group. Two groups without any spread get p = 1 when their means are equal, else 0.
 */
export function welchTest(a: Moments, b: Moments): { p: number; df: number } | undefined {
  if (a.n < 2 || b.n < 2) return undefined;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se2 = va + vb;
  if (se2 === 0) return { p: a.mean === b.mean ? 1 : 0, df: a.n + b.n - 2 };
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { p: tTwoSided((a.mean - b.mean) / Math.sqrt(se2), df), df };
}

/** Holm's step-down adjustment: each p-value of the family made comparable with alpha, in the order given. */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    out[i] = running;
  });
  return out;
}
