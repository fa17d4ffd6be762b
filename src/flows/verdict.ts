import type { CompareOptions, ExperimentReport, VariantReport, Verdict } from './compare.js';
import { chiSquareHomogeneity, holm, twoProportionTest, type Counts } from './stats.js';

// The verdict of an experiment on its primary metric, facts complete. With fewer conversations than the minimum in
// any variant there is none ("not enough calls yet"), whatever the p-values say: early looks are noisy, and looking
// again and again until a p-value dips below alpha finds differences that are not there. Then every pair of
// variants is compared (Holm over the pairs; with more than two variants only once the chi-square test across all of
// them says they differ), and a winner is a variant whose rate is higher than every other's with an adjusted p
// below alpha.

const counts = (r: VariantReport): Counts => ({ x: r.factsComplete.count, n: r.factsComplete.n });
const rateOf = (r: VariantReport): number => r.factsComplete.rate ?? 0;
const pct = (r: VariantReport) =>
  `${r.variant} ${r.factsComplete.rate === null ? 'n/a' : `${(100 * rateOf(r)).toFixed(1)} %`}`;

export const formatP = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** Facts complete across every variant: the two-group test for two, chi-square of homogeneity for more. */
function overallTest(groups: readonly Counts[]): NonNullable<ExperimentReport['overall']> {
  const [a, b] = groups;
  if (groups.length === 2 && a !== undefined && b !== undefined) return { ...twoProportionTest(a, b), note: null };
  const { p, smallExpected } = chiSquareHomogeneity(groups);
  const note = smallExpected ? 'an expected count is below 5: the chi-square p-value is approximate' : null;
  return { method: 'chi-square', p, note };
}

const verdict = (kind: Verdict['kind'], text: string, winner: string | null = null): Verdict => ({
  kind,
  winner,
  text,
});

export function verdictOf(
  rows: readonly VariantReport[],
  o: CompareOptions,
): Pick<ExperimentReport, 'overall' | 'verdict'> {
  if (rows.length < 2)
    return {
      overall: null,
      verdict: verdict('not-enough-calls', `not enough calls yet: only ${rows[0]?.variant ?? 'no variant'} has calls`),
    };
  const overall = overallTest(rows.map(counts));
  if (rows.some((r) => r.conversations < o.minConversations)) {
    const have = rows.map((r) => `${r.variant} ${r.conversations}`).join(', ');
    return {
      overall,
      verdict: verdict(
        'not-enough-calls',
        `not enough calls yet: every variant needs ${o.minConversations} conversations (${have})`,
      ),
    };
  }
  const rates = rows.map(pct).join(', ');
  if (rows.length > 2 && overall.p >= o.alpha)
    return {
      overall,
      verdict: verdict(
        'no-difference',
        `no significant difference in facts complete (${rates}; chi-square ${formatP(overall.p)}, not below alpha ${o.alpha})`,
      ),
    };
  const pairs = rows.flatMap((a, i) => rows.slice(i + 1).map((b) => [a, b] as const));
  const ps = holm(pairs.map(([a, b]) => twoProportionTest(counts(a), counts(b)).p));
  /** Holm-adjusted p of "w completes more often than x", when it is below alpha. */
  const beats = (w: VariantReport, x: VariantReport): number | undefined => {
    const p = ps[pairs.findIndex(([a, b]) => (a === w && b === x) || (a === x && b === w))] ?? 1;
    return rateOf(w) > rateOf(x) && p < o.alpha ? p : undefined;
  };
  for (const w of rows) {
    const others = rows.filter((x) => x !== w);
    const p = others.map((x) => beats(w, x));
    if (p.every((x) => x !== undefined)) {
      const text = `a winner is clear: ${w.variant} completes the facts in ${pct(w).slice(w.variant.length + 1)} of conversations against ${others.map(pct).join(', ')} (${formatP(Math.max(...(p as number[])))}, Holm-adjusted; alpha ${o.alpha})`;
      return { overall, verdict: verdict('winner', text, w.variant) };
    }
  }
  const ahead = pairs.flatMap(([a, b]) =>
    beats(a, b) !== undefined
      ? [`${a.variant} > ${b.variant}`]
      : beats(b, a) !== undefined
        ? [`${b.variant} > ${a.variant}`]
        : [],
  );
  if (ahead.length > 0 || rows.length > 2)
    return {
      overall,
      verdict: verdict(
        'no-single-winner',
        ahead.length > 0
          ? `no single winner yet: ${ahead.join('; ')} on facts complete, but no variant beats every other (${rates})`
          : `the variants differ (chi-square ${formatP(overall.p)}), but no pair does after Holm's adjustment yet (${rates})`,
      ),
    };
  return {
    overall,
    verdict: verdict(
      'no-difference',
      `no significant difference in facts complete (${rates}; ${formatP(ps[0] ?? 1)}, not below alpha ${o.alpha})`,
    ),
  };
}
