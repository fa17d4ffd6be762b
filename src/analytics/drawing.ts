// What the page's script hands to Chart.js, built here so it is typed and tested: labels, datasets and a few
// layout switches. The script (assets/analytics.js) only adds colours, axes and the chart itself. Each chart also
// keeps its rows as a table, the CSV download and the JSON of the same figures.

export type Cell = string | number | null;

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** One Chart.js dataset: a bar or line series; [low, high] pairs draw floating bars. */
export interface Dataset {
  readonly label: string;
  readonly data: readonly (number | null | readonly [number, number])[];
  readonly type?: 'bar' | 'line';
  /** Points only, no line (the median mark of a price range). */
  readonly showLine?: false;
  /** Bars of this dataset overlap the others' at the same label instead of standing beside them. */
  readonly grouped?: false;
  /** Share of the category's width (Chart.js barPercentage). */
  readonly barPercentage?: number;
  /** Drawing order: higher is drawn first, under the others. */
  readonly order?: number;
  /**
   * A colour that means something rather than a series colour: good, warn and bad (fresh, partial and stale facts),
   * or the page's text colours (strong: a median mark; muted: a range's whisker, what is missing).
   */
  readonly tone?: 'good' | 'warn' | 'bad' | 'muted' | 'strong';
}

export interface Drawing {
  readonly type: 'bar' | 'line';
  readonly labels: readonly string[];
  readonly datasets: readonly Dataset[];
  /** Bars stacked per label (counts that add up to a whole). */
  readonly stacked: boolean;
  /** Bars along the x axis, labels down the y axis (long labels: classes, plans). */
  readonly horizontal: boolean;
  /** What the value axis measures. */
  readonly valueTitle: string;
  /** Charts with the same key colour a series name alike (outcomes); without one, series take palette order. */
  readonly colourKey?: 'outcome';
}

/** Canvas labels are cut to this length (the table and the CSV keep the whole name). */
const LABEL_MAX = 40;
export const shortLabel = (s: string): string => (s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s);

/**
 * Long rows (x, series, value) → one dataset per series over the given labels, in first-seen order; a label without
 * a row counts 0 (a day without calls).
 */
export function pivot<R>(
  rows: readonly R[],
  labels: readonly string[],
  x: (r: R) => string,
  series: (r: R) => string,
  value: (r: R) => number,
): Dataset[] {
  const at = new Map(labels.map((l, i) => [l, i]));
  const sums = new Map<string, number[]>();
  for (const r of rows) {
    const i = at.get(x(r));
    if (i === undefined) continue;
    const s = series(r);
    const data = sums.get(s) ?? labels.map(() => 0);
    data[i] = (data[i] ?? 0) + value(r);
    sums.set(s, data);
  }
  return [...sums.entries()].map(([label, data]) => ({ label, data }));
}

/** One dataset per picked field over the labels; a label without a row, or a null field, is a gap. */
export function byLabel<R>(
  rows: readonly R[],
  labels: readonly string[],
  x: (r: R) => string,
  fields: ReadonlyArray<readonly [label: string, pick: (r: R) => number | null]>,
): Dataset[] {
  const of = new Map(rows.map((r) => [x(r), r]));
  return fields.map(([label, pick]) => ({
    label,
    data: labels.map((l) => {
      const r = of.get(l);
      return r === undefined ? null : pick(r);
    }),
  }));
}

/** a / b to two decimals; null when nothing was counted. */
export const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
/** Dollars as stored (numeric(14, 6)): six decimals, no float noise. */
export const usd = (v: number): number => Math.round(v * 1e6) / 1e6;
