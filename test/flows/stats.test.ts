import t, { type Test } from 'tap';
import {
  chiSquareUpper,
  logGamma,
  normalCdf,
  normalQuantile,
  normalTwoSided,
  tQuantile,
  tTwoSided,
} from '../../src/flows/distributions.js';
import {
  chiSquareHomogeneity,
  fisherExact,
  holm,
  tInterval,
  twoProportionTest,
  welchTest,
  wilsonInterval,
} from '../../src/flows/stats.js';

// The report's statistics against published values: the normal and t tables, chi-square critical values, Fisher's
// tea-tasting table and Wikipedia's dieting example, Newcombe's (1998) Wilson intervals, Welch's example data.

const close = (t: Test, got: number, want: number, tol: number, what: string) =>
  t.ok(Math.abs(got - want) <= tol, `${what}: ${got} ≈ ${want} (±${tol})`);

t.test('log-gamma: factorials and Γ(½) = √π', async (t) => {
  close(t, logGamma(1), 0, 1e-14, 'ln Γ(1)');
  close(t, logGamma(11), Math.log(3628800), 1e-12, 'ln 10!');
  close(t, logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, 'ln Γ(½)');
  close(t, logGamma(101), 363.73937555556347, 1e-10, 'ln 100!');
});

t.test('the normal distribution: the table values', async (t) => {
  close(t, normalCdf(1.96), 0.9750021048517795, 1e-13, 'Φ(1.96)');
  close(t, normalCdf(-1), 0.15865525393145707, 1e-13, 'Φ(−1)');
  close(t, normalCdf(0), 0.5, 1e-15, 'Φ(0)');
  close(t, normalTwoSided(6) / 2, 9.865876450376946e-10, 1e-20, 'upper tail at 6 (no cancellation)');
  close(t, normalQuantile(0.975), 1.959963984540054, 1e-9, 'z 0.975');
  close(t, normalQuantile(0.995), 2.5758293035489, 1e-9, 'z 0.995');
});

t.test("Student's t: the critical values of the table", async (t) => {
  const table: [number, number][] = [
    [1, 12.706204736174694],
    [5, 2.5705818356363146],
    [10, 2.228138851986274],
    [30, 2.0422724563012378],
    [120, 1.9799304050824402],
  ];
  for (const [df, want] of table) close(t, tQuantile(0.975, df), want, 1e-8, `t(0.975, ${df})`);
  close(t, tTwoSided(2.228138851986274, 10), 0.05, 1e-12, 'two-sided p at the critical value');
  close(t, tTwoSided(2, 7.5), 0.08289699529816631, 1e-12, 'fractional df (Welch)');
});

t.test('chi-square: the 5 % critical values', async (t) => {
  close(t, chiSquareUpper(3.841458820694124, 1), 0.05, 1e-12, 'df 1');
  close(t, chiSquareUpper(5.991464547107979, 2), 0.05, 1e-12, 'df 2');
  close(t, chiSquareUpper(7.814727903251179, 3), 0.05, 1e-12, 'df 3');
});

t.test("Fisher's exact test: textbook 2×2 tables", async (t) => {
  close(t, fisherExact(3, 1, 1, 3), 0.48571428571428565, 1e-12, "Fisher's lady tasting tea (34/70)");
  close(t, fisherExact(1, 9, 11, 3), 0.0027594561852200836, 1e-12, 'Wikipedia: men and women dieting');
  t.equal(fisherExact(5, 0, 5, 0), 1, 'no variation');
});

t.test("Wilson intervals: Newcombe (1998)'s examples", async (t) => {
  const cases: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [x, n, lo, hi] of cases) {
    const ci = wilsonInterval(x, n);
    close(t, ci?.[0] ?? NaN, lo, 5e-5, `${x}/${n} low`);
    close(t, ci?.[1] ?? NaN, hi, 5e-5, `${x}/${n} high`);
  }
  t.equal(wilsonInterval(0, 0), undefined, 'no trials, no interval');
});

t.test('t interval of a mean', async (t) => {
  const ci = tInterval(11, 10, 2);
  close(t, ci?.[0] ?? NaN, 10 - (2.228138851986274 * 2) / Math.sqrt(11), 1e-8, 'low');
  close(t, ci?.[1] ?? NaN, 10 + (2.228138851986274 * 2) / Math.sqrt(11), 1e-8, 'high');
  t.equal(tInterval(1, 5, 0), undefined, 'one value has no interval');
});

t.test('two proportions: z-test with enough counts, Fisher below five expected', async (t) => {
  const big = twoProportionTest({ x: 12, n: 40 }, { x: 32, n: 40 });
  t.equal(big.method, 'z-test');
  close(t, big.p, 6.967931072849849e-6, 1e-15, 'z = −4.49');
  const same = twoProportionTest({ x: 20, n: 40 }, { x: 21, n: 40 });
  close(t, same.p, 0.8230088713702759, 1e-12, 'z = −0.22');
  // Six successes in twenty: the smaller group expects three.
  const small = twoProportionTest({ x: 1, n: 10 }, { x: 5, n: 10 });
  t.equal(small.method, 'fisher-exact');
  close(t, small.p, fisherExact(1, 9, 5, 5), 1e-15, 'the exact p');
  t.equal(twoProportionTest({ x: 1, n: 10 }, { x: 11, n: 14 }).method, 'z-test', 'five expected is enough');
});

t.test('chi-square homogeneity of three proportions', async (t) => {
  const r = chiSquareHomogeneity([
    { x: 30, n: 100 },
    { x: 45, n: 100 },
    { x: 50, n: 100 },
  ]);
  close(t, r.p, 0.011595445849444693, 1e-12, 'scipy chi2_contingency(correction=False)');
  t.equal(r.smallExpected, false);
  t.equal(
    chiSquareHomogeneity([
      { x: 0, n: 5 },
      { x: 0, n: 5 },
      { x: 0, n: 5 },
    ]).p,
    1,
    'no successes at all',
  );
});

t.test("Welch's t-test: Wikipedia's first example", async (t) => {
  const moments = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    return { n: xs.length, mean, sd };
  };
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const r = welchTest(moments(a1), moments(a2));
  close(t, r?.df ?? NaN, 24.988529290231416, 1e-9, 'df');
  close(t, r?.p ?? NaN, 0.021378001462866992, 1e-12, 'p');
  t.equal(welchTest({ n: 1, mean: 1, sd: 0 }, moments(a2)), undefined, 'one value is not a sample');
  t.equal(welchTest({ n: 3, mean: 1, sd: 0 }, { n: 3, mean: 1, sd: 0 })?.p, 1, 'identical constants');
});

t.test("Holm's adjustment keeps order and monotonicity", async (t) => {
  t.same(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]);
  t.same(holm([0.5]), [0.5]);
  t.same(holm([0.6, 0.9]), [1, 1], 'capped at 1, never below an earlier step');
});
