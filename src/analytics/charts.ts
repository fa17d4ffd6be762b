import type pg from 'pg';
import type { Queryable } from '../db/sql.js';
import type { AnalyticsFilters } from './filters.js';
import type { Drawing, Table } from './drawing.js';
import { OUTCOME_CHARTS, QUALITY_AND_COST_CHARTS } from './charts-calls.js';
import { FACT_CHARTS } from './charts-facts.js';
import { FLOW_CHARTS } from './charts-flows.js';

// Every chart of /analytics, in page order: its title, what it computes (shown on the page; docs/analytics.md says
// more), and how its query's rows become the table (CSV, JSON) and the drawing (Chart.js). The charts themselves are
// in charts-calls.ts, charts-facts.ts and charts-flows.ts.

export interface ChartContext {
  /** FACTS_MAX_AGE_DAYS: past it a known fact counts as stale. */
  readonly maxAgeDays: number;
}

export interface Loaded {
  readonly table: Table;
  readonly drawing: Drawing;
  /** Sentences shown under the chart that depend on the data (the A/B flows' verdicts). */
  readonly notes?: readonly string[];
}

export interface ChartDef {
  readonly title: string;
  readonly description: string;
  load(db: Queryable, f: AnalyticsFilters, ctx: ChartContext): Promise<Loaded>;
}

const DEFS = { ...OUTCOME_CHARTS, ...FACT_CHARTS, ...QUALITY_AND_COST_CHARTS, ...FLOW_CHARTS };

export type ChartId = keyof typeof DEFS;
export const CHART_IDS = Object.keys(DEFS) as ChartId[];
export const isChartId = (s: string): s is ChartId => Object.hasOwn(DEFS, s);

export interface ChartReport extends Loaded {
  readonly id: ChartId;
  readonly title: string;
  readonly description: string;
}

export async function loadChart(
  db: Queryable,
  id: ChartId,
  f: AnalyticsFilters,
  ctx: ChartContext,
): Promise<ChartReport> {
  const d: ChartDef = DEFS[id];
  return { id, title: d.title, description: d.description, ...(await d.load(db, f, ctx)) };
}

/** Every chart, in page order (the queries run at once, each on its own pooled connection). */
export function loadCharts(pool: pg.Pool, f: AnalyticsFilters, ctx: ChartContext): Promise<ChartReport[]> {
  return Promise.all(CHART_IDS.map((id) => loadChart(pool, id, f, ctx)));
}
