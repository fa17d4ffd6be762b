import type { Comparison, ExperimentReport, Mean, Metric, Rate, VariantReport } from './compare.js';
import type { FlowsReport } from './report.js';
import { formatP } from './verdict.js';

// The flows report as a terminal table (gym-agent flows report): for each experiment one row per metric and one
// column per variant, each variant's cell with its 95 % interval and, against control, the difference and the
// Holm-adjusted p-value; then the verdict.

const interval = (ci: readonly [number, number] | null, f: (x: number) => string) =>
  ci === null ? '' : ` [${f(ci[0])}, ${f(ci[1])}]`;
const signed = (x: number, f: (x: number) => string) => `${x >= 0 ? '+' : '-'}${f(Math.abs(x))}`;
const percent = (x: number) => (100 * x).toFixed(1);
const seconds = (x: number) => x.toFixed(1);
const dollars = (x: number) => x.toFixed(4);

function rateCell(r: Rate): string {
  return r.rate === null ? 'n/a' : `${percent(r.rate)} %${interval(r.ci, percent)}`;
}

function meanCell(m: Mean | null, f: (x: number) => string): string {
  return m === null ? 'n/a' : `${f(m.mean)}${interval(m.ci, f)} md ${f(m.median)}`;
}

function versus(c: Comparison | null, difference: (x: number) => string): string {
  if (c === null) return '';
  return `  ${difference(c.difference)} ${formatP(c.pAdjusted)}${c.significant ? ' *' : ''}`;
}

const ROWS: readonly {
  label: string;
  metric: Metric;
  cell: (v: VariantReport) => string;
  diff: (x: number) => string;
}[] = [
  {
    label: 'facts complete',
    metric: 'factsComplete',
    cell: (v) => rateCell(v.factsComplete),
    diff: (x) => `${signed(x, percent)} pts`,
  },
  {
    label: 'call length, s',
    metric: 'callSeconds',
    cell: (v) => meanCell(v.callSeconds, seconds),
    diff: (x) => `${signed(x, seconds)} s`,
  },
  {
    label: 'hang-ups before a fact',
    metric: 'hangupsBeforeFact',
    cell: (v) => rateCell(v.hangupsBeforeFact),
    diff: (x) => `${signed(x, percent)} pts`,
  },
  {
    label: 'refusals',
    metric: 'refusals',
    cell: (v) => rateCell(v.refusals),
    diff: (x) => `${signed(x, percent)} pts`,
  },
  {
    label: 'cost per conversation, $',
    metric: 'costUsd',
    cell: (v) => meanCell(v.costUsd, dollars),
    diff: (x) => `${signed(x, dollars)} $`,
  },
];

export function experimentTable(e: ExperimentReport): string {
  const calls = e.variants.reduce((s, v) => s + v.calls, 0);
  const conversations = e.variants.reduce((s, v) => s + v.conversations, 0);
  const overall =
    e.overall === null ? '' : `; facts complete across variants: ${e.overall.method} ${formatP(e.overall.p)}`;
  const lines: string[][] = [
    ['', ...e.variants.map((v) => v.variant)],
    ['calls / conversations', ...e.variants.map((v) => `${v.calls} / ${v.conversations}`)],
    ...ROWS.map((r) => [
      r.label,
      ...e.variants.map((v) => r.cell(v) + versus(v.vsControl?.[r.metric] ?? null, r.diff)),
    ]),
  ];
  const widths = (lines[0] as string[]).map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const table = lines.map((l) =>
    l
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return [
    `experiment ${e.experiment}: ${e.variants.length} variants, ${calls} calls, ${conversations} conversations${overall}`,
    ...table,
    ...(e.overall?.note ? [`note: ${e.overall.note}`] : []),
    `verdict: ${e.verdict.text}`,
  ].join('\n');
}

export function reportText(r: FlowsReport): string {
  if (r.experiments.length === 0) return 'no calls of any flow experiment match these filters\n';
  const legend =
    `Rates and means are over conversations (calls where a person spoke); [95 % interval: Wilson for rates, Student t ` +
    `for means]; md = median. Against control: the difference and its p-value (two-proportion z-test, Fisher's exact ` +
    `test below five expected, Welch's t-test for means), Holm-adjusted per metric; * below alpha ${r.alpha}. A ` +
    `verdict needs ${r.minConversations} conversations in every variant.`;
  return `${r.experiments.map(experimentTable).join('\n\n')}\n\n${legend}\n`;
}
