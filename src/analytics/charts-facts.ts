import type { ChartDef } from './charts.js';
import { ratio, shortLabel } from './drawing.js';
import { factCoverage, priceDistribution, topClasses, TOP_CLASSES, TOP_PLANS } from './queries-facts.js';

// The fact charts of /analytics: how much of the gyms' facts is known and how fresh, what gyms charge, what they
// teach (src/analytics/charts.ts puts them in page order).

export const FACT_CHARTS = {
  'fact-coverage': {
    title: 'Fact coverage and freshness',
    description:
      'Gyms per topic: known in full and fresh, known in full but stale (older than FACTS_MAX_AGE_DAYS), hours known for some days only, or nothing known. As of the end of the range.',
    async load(db, f, ctx) {
      const rows = await factCoverage(db, f, ctx.maxAgeDays);
      const name = { hours: 'Hours', pricing: 'Prices', classes: 'Classes' } as const;
      return {
        table: {
          columns: ['topic', 'gyms', 'complete_fresh', 'complete_stale', 'partial', 'missing', 'median_age_days'],
          rows: rows.map((r) => [r.topic, r.gyms, r.fresh, r.stale, r.partial, r.missing, r.medianAgeDays]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map((r) => name[r.topic]),
          datasets: [
            { label: `complete, ≤ ${ctx.maxAgeDays} days old`, data: rows.map((r) => r.fresh), tone: 'good' },
            { label: `complete, older`, data: rows.map((r) => r.stale), tone: 'bad' },
            { label: 'some days only', data: rows.map((r) => r.partial), tone: 'warn' },
            { label: 'missing', data: rows.map((r) => r.missing), tone: 'muted' },
          ],
          stacked: true,
          horizontal: true,
          valueTitle: 'gyms',
        },
      };
    },
  },
  prices: {
    title: 'Prices by plan and period',
    description: `Each plan's price across gyms' current price lists: the box spans the middle half (25th to 75th percentile), the thin bar the lowest to the highest, the mark the median. The ${TOP_PLANS} plans most gyms state.`,
    async load(db, f) {
      const rows = await priceDistribution(db, f);
      return {
        table: {
          columns: ['plan', 'period', 'currency', 'gyms', 'min', 'p25', 'median', 'p75', 'max'],
          rows: rows.map((r) => [r.plan, r.period, r.currency, r.gyms, r.min, r.p25, r.median, r.p75, r.max]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map((r) => shortLabel(`${r.plan} / ${r.period} (${r.currency})`)),
          datasets: [
            {
              label: 'median',
              type: 'line',
              showLine: false,
              data: rows.map((r) => r.median),
              order: 0,
              tone: 'strong',
            },
            { label: '25th–75th percentile', data: rows.map((r) => [r.p25, r.p75] as const), grouped: false, order: 1 },
            {
              label: 'lowest–highest',
              data: rows.map((r) => [r.min, r.max] as const),
              grouped: false,
              barPercentage: 0.15,
              order: 2,
              tone: 'muted',
            },
          ],
          stacked: false,
          horizontal: false,
          valueTitle: 'price (in the currency shown)',
        },
      };
    },
  },
  classes: {
    title: 'Classes most offered',
    description: `The ${TOP_CLASSES} classes most gyms offer, by each gym's current class list.`,
    async load(db, f) {
      const rows = await topClasses(db, f);
      return {
        table: {
          columns: ['class', 'gyms', 'share_of_gyms_with_classes'],
          rows: rows.map((r) => [r.name, r.gyms, ratio(r.gyms, r.gymsWithClasses)]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map((r) => shortLabel(r.name)),
          datasets: [{ label: 'gyms', data: rows.map((r) => r.gyms) }],
          stacked: false,
          horizontal: true,
          valueTitle: 'gyms',
        },
      };
    },
  },
} satisfies Record<string, ChartDef>;
