import type { ChartDef } from './charts.js';
import { shortLabel, type Cell } from './drawing.js';
import { flowsReport } from '../flows/report.js';
import type { Comparison, Rate } from '../flows/compare.js';

// The A/B flows chart of /analytics: the same report as `gym-agent flows report` (src/flows/report.ts), for the page's
// campaign and days. The drawing is the primary metric (facts complete) with its interval; the table and CSV carry
// every metric against control, and the verdicts are the page's notes under the chart.

/** A share as a percentage to one decimal, as the chart's axis reads. */
const pct = (v: number | null | undefined): number | null =>
  v === null || v === undefined ? null : Math.round(v * 1000) / 10;
const rounded = (v: number | null | undefined, places: number): number | null =>
  v === null || v === undefined ? null : Number(v.toFixed(places));
const p = (c: Comparison | null | undefined): Cell => (c ? Number(c.pAdjusted.toPrecision(3)) : null);
const interval = (r: Rate): readonly [number, number] | null =>
  r.ci ? ([pct(r.ci[0]) ?? 0, pct(r.ci[1]) ?? 0] as const) : null;

export const FLOW_CHARTS = {
  'flow-variants': {
    title: 'A/B flow variants: facts complete',
    description:
      'Each variant of each flow experiment (FLOWS, docs/flows.md): the share of its conversations (calls where a person spoke) that got every fact, the mark, with its 95 % Wilson interval, the bar. The CSV adds hang-ups before any fact, refusals, call length and cost, each with its Holm-adjusted p against control; the verdicts below are those of gym-agent flows report.',
    async load(db, f) {
      const report = await flowsReport(db, { campaignId: f.campaignId, since: f.since, until: f.until });
      const rows = report.experiments.flatMap((e) => e.variants.map((v) => ({ e, v })));
      return {
        table: {
          columns: [
            'experiment',
            'variant',
            'calls',
            'conversations',
            'facts_complete_pct',
            'facts_complete_ci_low',
            'facts_complete_ci_high',
            'facts_complete_p_vs_control',
            'hangups_before_fact_pct',
            'hangups_before_fact_p_vs_control',
            'refusals_pct',
            'refusals_p_vs_control',
            'mean_call_seconds',
            'call_seconds_p_vs_control',
            'mean_cost_usd',
            'cost_p_vs_control',
            'verdict',
          ],
          rows: rows.map(({ e, v }) => [
            e.experiment,
            v.variant,
            v.calls,
            v.conversations,
            pct(v.factsComplete.rate),
            pct(v.factsComplete.ci?.[0]),
            pct(v.factsComplete.ci?.[1]),
            p(v.vsControl?.factsComplete),
            pct(v.hangupsBeforeFact.rate),
            p(v.vsControl?.hangupsBeforeFact),
            pct(v.refusals.rate),
            p(v.vsControl?.refusals),
            rounded(v.callSeconds?.mean, 1),
            p(v.vsControl?.callSeconds),
            rounded(v.costUsd?.mean, 4),
            p(v.vsControl?.costUsd),
            e.verdict.text,
          ]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map(({ e, v }) => shortLabel(`${e.experiment} / ${v.variant}`)),
          datasets: [
            {
              label: 'facts complete',
              type: 'line',
              showLine: false,
              data: rows.map(({ v }) => pct(v.factsComplete.rate)),
              order: 0,
              tone: 'strong',
            },
            { label: '95 % interval', data: rows.map(({ v }) => interval(v.factsComplete)), grouped: false, order: 1 },
          ],
          stacked: false,
          horizontal: false,
          valueTitle: '% of conversations with every fact',
        },
        notes: report.experiments.map((e) => `${e.experiment}: ${e.verdict.text}`),
      };
    },
  },
} satisfies Record<string, ChartDef>;
