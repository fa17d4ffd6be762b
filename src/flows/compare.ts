import {
  holm,
  tInterval,
  twoProportionTest,
  welchTest,
  wilsonInterval,
  type Counts,
  type Interval,
  type Moments,
} from './stats.js';
import { verdictOf } from './verdict.js';

// The comparison of one experiment's variants, from their tallies (report.ts reads them from the database): rates
// with Wilson intervals, means with t intervals, each variant against control (Holm-adjusted per metric), and the
// verdict on the primary metric, facts complete, which names a winner only with enough conversations in every arm
// and a difference that survives the adjustment. Pure: the page and the CLI print what this returns.

/** A sample's summary as the database aggregates it. */
export interface SampleSummary extends Moments {
  readonly median: number;
}

/** One variant's calls as counted by the report's query. */
export interface VariantTally {
  readonly variant: string;
  /** Ended calls of the variant, assigned by the gym's number. */
  readonly calls: number;
  /** Of those, the calls where a person spoke: what every rate and mean below is over. */
  readonly conversations: number;
  readonly factsComplete: number;
  readonly hangupsBeforeFact: number;
  readonly refusals: number;
  /** Call length in seconds (answer to end). */
  readonly seconds: SampleSummary | undefined;
  /** Cost in US dollars (calls without a priced cost are left out of it). */
  readonly costUsd: SampleSummary | undefined;
}

export interface Rate {
  readonly count: number;
  readonly n: number;
  readonly rate: number | null;
  readonly ci: Interval | null;
}

export interface Mean {
  readonly n: number;
  readonly mean: number;
  readonly median: number;
  readonly sd: number;
  readonly ci: Interval | null;
}

/** One variant against control on one metric. */
export interface Comparison {
  /** Variant minus control (a rate's difference is in proportion, 0.1 = 10 points). */
  readonly difference: number;
  readonly p: number;
  /** Holm-adjusted across the variants compared with control on this metric. */
  readonly pAdjusted: number;
  readonly method: 'z-test' | 'fisher-exact' | 'welch-t';
  readonly significant: boolean;
}

export const METRICS = ['factsComplete', 'hangupsBeforeFact', 'refusals', 'callSeconds', 'costUsd'] as const;
export type Metric = (typeof METRICS)[number];

export interface VariantReport {
  readonly variant: string;
  readonly calls: number;
  readonly conversations: number;
  readonly factsComplete: Rate;
  readonly hangupsBeforeFact: Rate;
  readonly refusals: Rate;
  readonly callSeconds: Mean | null;
  readonly costUsd: Mean | null;
  /** Against control, per metric (null for control itself, without a control, or without the data). */
  readonly vsControl: { readonly [M in Metric]: Comparison | null } | null;
}

export interface Verdict {
  readonly kind: 'winner' | 'not-enough-calls' | 'no-difference' | 'no-single-winner';
  readonly winner: string | null;
  readonly text: string;
}

export interface ExperimentReport {
  readonly experiment: string;
  /** Control first, then the others by name. */
  readonly variants: readonly VariantReport[];
  /** The test of facts complete across all variants (the two-group test for two, chi-square for more). */
  readonly overall: { readonly method: string; readonly p: number; readonly note: string | null } | null;
  readonly verdict: Verdict;
}

export interface CompareOptions {
  /** Significance level of the verdict and of each comparison's `significant`. */
  readonly alpha: number;
  /** Conversations every variant needs before a verdict is given. */
  readonly minConversations: number;
}

export const DEFAULT_ALPHA = 0.05;
/** See docs/flows.md: below this the report says "not enough calls yet" whatever the p-values. */
export const DEFAULT_MIN_CONVERSATIONS = 100;

const rate = (count: number, n: number): Rate => ({
  count,
  n,
  rate: n > 0 ? count / n : null,
  ci: wilsonInterval(count, n) ?? null,
});

const mean = (s: SampleSummary | undefined): Mean | null =>
  s === undefined || s.n === 0 ? null : { ...s, ci: tInterval(s.n, s.mean, s.sd) ?? null };

const counts = (r: Rate): Counts => ({ x: r.count, n: r.n });

function described(t: VariantTally): Omit<VariantReport, 'vsControl'> {
  return {
    variant: t.variant,
    calls: t.calls,
    conversations: t.conversations,
    factsComplete: rate(t.factsComplete, t.conversations),
    hangupsBeforeFact: rate(t.hangupsBeforeFact, t.conversations),
    refusals: rate(t.refusals, t.conversations),
    callSeconds: mean(t.seconds),
    costUsd: mean(t.costUsd),
  };
}

type Raw = Omit<Comparison, 'pAdjusted' | 'significant'>;
type Described = Omit<VariantReport, 'vsControl'>;

function compareOne(v: Described, c: Described, m: Metric): Raw | null {
  if (m === 'callSeconds' || m === 'costUsd') {
    const a = v[m];
    const b = c[m];
    const test = a === null || b === null ? undefined : welchTest(a, b);
    return test === undefined || a === null || b === null
      ? null
      : { difference: a.mean - b.mean, p: test.p, method: 'welch-t' };
  }
  const a = v[m];
  const b = c[m];
  if (a.n === 0 || b.n === 0) return null;
  const test = twoProportionTest(counts(a), counts(b));
  return { difference: (a.rate ?? 0) - (b.rate ?? 0), p: test.p, method: test.method };
}

/** One metric's comparisons, Holm-adjusted together (those without data left out). */
function adjusted(tests: readonly (Raw | null)[], alpha: number): (Comparison | null)[] {
  const ps = holm(tests.flatMap((x) => (x === null ? [] : [x.p])));
  let k = 0;
  return tests.map((x) => {
    if (x === null) return null;
    const pAdjusted = ps[k++] ?? 1;
    return { ...x, pAdjusted, significant: pAdjusted < alpha };
  });
}

/** Each variant against control on every metric. */
function againstControl(rows: readonly Described[], alpha: number): VariantReport[] {
  const control = rows.find((r) => r.variant === 'control');
  const others = rows.filter((r) => r !== control);
  const byMetric = METRICS.map((m) =>
    adjusted(
      others.map((r) => (control === undefined ? null : compareOne(r, control, m))),
      alpha,
    ),
  );
  return rows.map((r) => {
    const i = others.indexOf(r);
    if (control === undefined || i < 0) return { ...r, vsControl: null };
    const vs = Object.fromEntries(METRICS.map((m, k) => [m, byMetric[k]?.[i] ?? null]));
    return { ...r, vsControl: vs as VariantReport['vsControl'] };
  });
}

/** The report of one experiment from its variants' tallies. */
export function compareExperiment(
  experiment: string,
  tallies: readonly VariantTally[],
  o: CompareOptions = { alpha: DEFAULT_ALPHA, minConversations: DEFAULT_MIN_CONVERSATIONS },
): ExperimentReport {
  const ordered = [...tallies].sort((a, b) =>
    a.variant === 'control' ? -1 : b.variant === 'control' ? 1 : a.variant.localeCompare(b.variant),
  );
  const rows = againstControl(ordered.map(described), o.alpha);
  return { experiment, variants: rows, ...verdictOf(rows, o) };
}
