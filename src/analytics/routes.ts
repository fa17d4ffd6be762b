import type pg from 'pg';
import { json, jsonError, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import { page, pageGuard, type PageAuth } from '../review/guard.js';
import { loadAssets, serveAsset, type AnalyticsAssets } from './assets.js';
import { CHART_IDS, isChartId, loadChart, loadCharts, type ChartContext, type ChartId } from './charts.js';
import { toCsv } from './csv.js';
import { filterQuery, parseFilters, type AnalyticsFilters, type RawFilters } from './filters.js';
import { analyticsPage } from './page.js';
import { campaignChoices } from './queries-calls.js';

// GET /analytics (the report page), /analytics/<chart>.csv (one chart's figures), /analytics/data.json (all of
// them) and /analytics/assets/<file> (Chart.js and the page's script and stylesheet, served by the app). Signed in as
// the review pages are (src/review/guard.ts). Filters: ?campaign=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD (filters.ts).

export interface AnalyticsOptions extends PageAuth {
  pool: pg.Pool;
  /** FACTS_MAX_AGE_DAYS: past it a known fact counts as stale. */
  maxAgeDays: number;
  /** Whose today ends the default range (the campaigns' clock: the demo's runs fast); default the wall clock. */
  clock?: { now(): Date } | undefined;
  /** Default: read once from chart.js and ./assets (loadAssets). */
  assets?: AnalyticsAssets;
}

// Scripts and styles from this origin only, nothing else loads; the JSON data block is not a script to CSP.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const text = (status: number, body: string): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

type Checked =
  { ok: true; filters: AnalyticsFilters; raw: RawFilters } | { ok: false; message: string; raw: RawFilters };

export function analyticsRoutes(o: AnalyticsOptions): Route[] {
  const assets = o.assets ?? loadAssets();
  const guard = pageGuard(o, 'analytics');
  const ctx: ChartContext = { maxAgeDays: o.maxAgeDays };
  const today = () => o.clock?.now() ?? new Date();

  /** The request's filters, the named campaign checked to exist (a typo is a 400, not an empty report). */
  const checked = async (req: HttpRequest): Promise<Checked & { campaigns: { id: number; name: string }[] }> => {
    const p = parseFilters(req.query, today());
    const picked = p.ok ? p.filters.campaignId : undefined;
    const { choices, found } = await campaignChoices(o.pool, picked);
    if (p.ok && !found)
      return { ok: false, message: `There is no campaign with id ${picked}.`, raw: p.raw, campaigns: choices };
    return { ...p, campaigns: choices };
  };

  const csv = async (id: ChartId, f: AnalyticsFilters): Promise<HttpResponse> => {
    const chart = await loadChart(o.pool, id, f, ctx);
    const scope = f.campaignId === undefined ? '' : `_campaign-${f.campaignId}`;
    return {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${id}_${f.from}_${f.to}${scope}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: toCsv(chart.table),
    };
  };
  const dataJson = async (f: AnalyticsFilters): Promise<HttpResponse> => {
    const charts = await loadCharts(o.pool, f, ctx);
    return json(
      200,
      {
        filters: { campaign: f.campaignId ?? null, from: f.from, to: f.to, days: 'UTC' },
        maxAgeDays: o.maxAgeDays,
        charts: charts.map(({ id, title, description, table }) => ({ id, title, description, ...table })),
      },
      { 'cache-control': 'no-store' },
    );
  };

  return [
    {
      method: 'GET',
      pattern: '/analytics',
      auth: 'none',
      handler: (req) =>
        guard(req, async () => {
          const c = await checked(req);
          const base = { assets, raw: c.raw, campaigns: c.campaigns, maxAgeDays: o.maxAgeDays };
          const headers = { 'content-security-policy': PAGE_CSP };
          if (!c.ok) return page(400, analyticsPage({ ...base, charts: [], error: c.message }), headers);
          const charts = await loadCharts(o.pool, c.filters, ctx);
          // The form shows the range in force, defaults included.
          const raw = { campaign: c.raw.campaign, from: c.filters.from, to: c.filters.to };
          return page(200, analyticsPage({ ...base, raw, charts, query: filterQuery(c.filters) }), headers);
        }),
    },
    {
      method: 'GET',
      pattern: '/analytics/assets/:name',
      auth: 'none',
      handler: (req, p) =>
        guard(req, async () => {
          const a = assets.byName.get(p.name ?? '');
          return a === undefined ? text(404, 'no such file') : serveAsset(a);
        }),
    },
    {
      method: 'GET',
      pattern: '/analytics/:file',
      auth: 'none',
      handler: (req, p) =>
        guard(req, async () => {
          const file = p.file ?? '';
          const id = file.endsWith('.csv') ? file.slice(0, -'.csv'.length) : '';
          if (file !== 'data.json' && !isChartId(id))
            return text(404, `No such report. Charts: ${CHART_IDS.map((c) => `${c}.csv`).join(', ')}; or data.json.`);
          const c = await checked(req);
          if (!c.ok) return isChartId(id) ? text(400, c.message) : jsonError(400, 'BAD_ARGUMENT', c.message);
          return isChartId(id) ? csv(id, c.filters) : dataJson(c.filters);
        }),
    },
  ];
}
