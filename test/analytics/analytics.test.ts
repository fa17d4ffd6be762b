// /analytics on one seeded embedded database (seed.ts): each chart's query with its figures worked out by hand
// (percentile_cont on PGlite included), the CSV and JSON downloads with their filters, quoting and sign-in, the
// 400s, and the page in headless Chromium drawing every chart from the served Chart.js under its CSP.
import t from 'tap';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadChart } from '../../src/analytics/charts.js';
import { parseFilters, type AnalyticsFilters } from '../../src/analytics/filters.js';
import {
  bargeInsByDay,
  costByCampaign,
  costByGym,
  latencyByDay,
  outcomesByCampaign,
  outcomesByDay,
} from '../../src/analytics/queries-calls.js';
import { factCoverage, priceDistribution, topClasses } from '../../src/analytics/queries-facts.js';
import { analyticsRoutes } from '../../src/analytics/routes.js';
import { RateLimiter, withRateLimit } from '../../src/http/rate-limit.js';
import { reviewRoutes } from '../../src/review/routes.js';
import { withPglite } from '../db/helpers/backends.js';
import { serveRoutes } from '../db/helpers/http-adapter.js';
import { launchChromium } from '../support/chromium.js';
import { HOSTILE, NOW, seedAnalytics } from './seed.js';

/** What the tests read in the page (this tsconfig has no DOM lib). */
interface Canvas {
  dataset: { chart: string };
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface Win {
  document: { querySelectorAll(s: string): Iterable<Canvas>; querySelector(s: string): Canvas | null };
  Chart?: { getChart(c: Canvas | null): { data: { datasets: { label: string; data: unknown[] }[] } } | undefined };
}

const token = 'analytics-token-0123456789abcdef-0123';
const basic = { authorization: `Basic ${Buffer.from(`review:${token}`).toString('base64')}` };

const { backend } = await withPglite(t);
const pool = backend.pool;
const { spring, winter } = await seedAnalytics(pool);

const filters = (q: string): AnalyticsFilters => {
  const p = parseFilters(new URLSearchParams(q), NOW);
  if (!p.ok) throw new Error(p.message);
  return p.filters;
};
const march = filters('from=2026-03-01&to=2026-03-10');
const springOnly = filters(`campaign=${spring}`);

t.test('outcomes per day and per campaign', async (t) => {
  t.same(await outcomesByDay(pool, march), [
    { day: '2026-03-01', outcome: 'completed', calls: 1 },
    { day: '2026-03-01', outcome: 'partial', calls: 1 },
    { day: '2026-03-03', outcome: 'busy', calls: 1 },
    { day: '2026-03-03', outcome: 'callback-requested', calls: 1 },
  ]);
  t.same(
    (await outcomesByDay(pool, filters(`campaign=${spring}&from=2026-03-01`))).map((r) => r.outcome),
    ['completed', 'partial', 'callback-requested'],
    "a campaign keeps its own dials (the busy call was Winter's)",
  );
  const all = await outcomesByDay(pool, filters(''));
  t.equal(
    all.reduce((n, r) => n + r.calls, 0),
    38 + 1 + 4,
    'the default range is the 30 days to today: every call since 02-09',
  );
  t.same(
    all.filter((r) => r.outcome === 'no outcome'),
    [{ day: '2026-02-20', outcome: 'no outcome', calls: 1 }],
    'an ended call without an outcome',
  );
  t.same(await outcomesByCampaign(pool, march), [
    { campaignId: winter, campaign: 'Winter', outcome: 'busy', attempts: 1 },
    { campaignId: spring, campaign: 'Spring, "north"', outcome: 'completed', attempts: 1 },
    { campaignId: spring, campaign: 'Spring, "north"', outcome: 'not settled', attempts: 1 },
    { campaignId: spring, campaign: 'Spring, "north"', outcome: 'partial', attempts: 1 },
  ]);
});

t.test('latency percentiles and barge-ins per UTC day', async (t) => {
  // 03-01: gaps 400, 600, 800 → median 600, p90 600 + 0.8 × 200, p99 600 + 0.98 × 200; server 200, 300, 350.
  t.same(await latencyByDay(pool, march), [
    {
      day: '2026-03-01',
      gapTurns: 3,
      gapP50: 600,
      gapP90: 760,
      gapP99: 796,
      serverTurns: 3,
      serverP50: 300,
      serverP90: 340,
    },
    {
      day: '2026-03-03',
      gapTurns: 1,
      gapP50: 1000,
      gapP90: 1000,
      gapP99: 1000,
      serverTurns: 1,
      serverP50: 500,
      serverP90: 500,
    },
  ]);
  t.same(await bargeInsByDay(pool, march), [
    { day: '2026-03-01', calls: 2, interruptions: 1, countedCalls: 2, falseBargeIns: 1 },
    { day: '2026-03-03', calls: 1, interruptions: 1, countedCalls: 1, falseBargeIns: 2 },
  ]);
  // 02-20: two background calls (one interruption, one false barge-in) and Iron Temple's, ended without a count.
  const feb20 = (await bargeInsByDay(pool, filters('from=2026-02-20&to=2026-02-20')))[0];
  t.same(feb20, { day: '2026-02-20', calls: 3, interruptions: 1, countedCalls: 2, falseBargeIns: 1 });
  const chart = await loadChart(pool, 'barge-ins-by-day', march, { maxAgeDays: 90 });
  t.equal(chart.drawing.labels.length, 10, 'every day of the range is on the axis');
  t.same(chart.drawing.datasets[1]?.data.slice(0, 3), [0.5, null, 2], 'false barge-ins per counted call; gaps null');
});

t.test('cost per campaign and per gym', async (t) => {
  t.same(await costByCampaign(pool, march), [
    { id: spring, name: 'Spring, "north"', calls: 3, gyms: 3, totalUsd: 0.1 },
  ]);
  t.same(
    (await costByGym(pool, march)).map((r) => [r.name, r.calls, r.totalUsd]),
    [
      ['Iron Temple', 1, 0.05],
      ['Flex Hub', 1, 0.03],
      [HOSTILE, 1, 0.02],
    ],
  );
  const chart = await loadChart(pool, 'cost-by-campaign', march, { maxAgeDays: 90 });
  t.same(chart.table.rows, [[spring, 'Spring, "north"', 3, 3, 0.1, 0.033333]]);
});

t.test('fact coverage and freshness, as of the end of the range', async (t) => {
  const [hours, pricing, classes] = await factCoverage(pool, springOnly, 90);
  // Iron Temple all week (03-01), Flex Hub weekdays, the hostile gym no hours; all three stated prices and classes.
  // Ages at the end of 03-10: 9.58 and 9.54 days.
  t.match(hours, { topic: 'hours', gyms: 3, fresh: 1, stale: 0, partial: 1, missing: 1, medianAgeDays: 9.6 });
  t.match(pricing, { topic: 'pricing', gyms: 3, fresh: 3, stale: 0, partial: 0, missing: 0 });
  t.match(classes, { topic: 'classes', gyms: 3, fresh: 3, missing: 0 });
  const old = await factCoverage(pool, filters(`campaign=${winter}`), 90);
  t.match(old[0], { topic: 'hours', gyms: 1, fresh: 0, stale: 1, missing: 0 }, 'stated 2025-10-01: stale at 90 days');
  t.match((await factCoverage(pool, filters(`campaign=${winter}`), 400))[0], { fresh: 1, stale: 0 });
  const before = await factCoverage(pool, filters(`campaign=${spring}&from=2026-02-01&to=2026-02-25`), 90);
  t.match(before[1], { topic: 'pricing', fresh: 1, missing: 2 }, "on 02-25 only Iron Temple's 02-20 list was known");
  t.equal((await factCoverage(pool, march, 90))[0]?.gyms, 16, 'without a campaign: every gym');
});

t.test('prices by plan and period; classes most offered', async (t) => {
  t.same(await priceDistribution(pool, springOnly), [
    { plan: 'Monthly', period: 'month', currency: 'USD', gyms: 3, min: 39, p25: 44, median: 49, p75: 54, max: 59 },
    { plan: 'Annual', period: 'year', currency: 'USD', gyms: 1, min: 499, p25: 499, median: 499, p75: 499, max: 499 },
  ]);
  t.same(
    await priceDistribution(pool, filters(`campaign=${spring}&to=2026-02-25`)),
    [{ plan: 'Monthly', period: 'month', currency: 'USD', gyms: 1, min: 45, p25: 45, median: 45, p75: 45, max: 45 }],
    'the list as it was known then (the 03-01 call superseded it later)',
  );
  t.same(await topClasses(pool, springOnly), [
    { name: 'Yoga', gyms: 3, gymsWithClasses: 3 },
    { name: 'HIIT', gyms: 1, gymsWithClasses: 3 },
    { name: 'Spin', gyms: 1, gymsWithClasses: 3 },
  ]);
  const all = await priceDistribution(pool, filters(''));
  t.ok(all.length <= 20 && all[0]?.gyms === 13, 'every gym with prices: ten in the background, three in Spring');
});

t.test('over HTTP', async (t) => {
  const routes = analyticsRoutes({ pool, apiToken: token, maxAgeDays: 90, clock: { now: () => NOW } });
  const srv = await serveRoutes(routes);
  t.teardown(srv.close);
  const get = (path: string, headers: Record<string, string> = basic) => fetch(`${srv.url}${path}`, { headers });

  for (const path of ['/analytics', '/analytics/prices.csv', '/analytics/data.json', '/analytics/assets/x.js']) {
    const r = await get(path, {});
    t.equal(r.status, 401, `${path} needs the token`);
    t.match(r.headers.get('www-authenticate') ?? '', /^Basic /);
  }
  t.equal((await get('/analytics', { authorization: `Bearer ${token}` })).status, 200, 'or a bearer token');

  const csv = await get(`/analytics/cost-by-gym.csv?from=2026-03-01&to=2026-03-10`);
  t.equal(csv.status, 200);
  t.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  t.equal(csv.headers.get('content-disposition'), 'attachment; filename="cost-by-gym_2026-03-01_2026-03-10.csv"');
  const rows = parse(await csv.text()) as string[][];
  t.same(rows[0], ['gym_id', 'gym', 'calls', 'total_usd']);
  t.same(
    rows.slice(1).map((r) => r[1]),
    ['Iron Temple', 'Flex Hub', `'${HOSTILE}`],
    'a cell that starts like a formula is text',
  );
  const byCampaign = await (await get('/analytics/cost-by-campaign.csv?from=2026-03-01')).text();
  t.match(byCampaign, /,"Spring, ""north""",3,3,0\.1,0\.033333\r\n$/, 'commas and quotes are quoted');
  const winterDays = await (await get(`/analytics/outcomes-by-day.csv?campaign=${winter}`)).text();
  t.same(
    parse(winterDays),
    [
      ['day', 'outcome', 'calls'],
      ['2026-03-03', 'busy', '1'],
    ],
    'filtered',
  );

  for (const [q, message] of [
    ['from=2026-02-30', /"from" must be a date/],
    ['to=yesterday', /"to" must be a date/],
    ['campaign=1%20OR%201=1', /"campaign" must be/],
    ['campaign=999', /no campaign with id 999/],
    ['from=2026-03-05&to=2026-03-01', /must not be after/],
    ['from=2024-01-01&to=2026-01-01', /at most 366 days/],
  ] as const) {
    const r = await get(`/analytics/prices.csv?${q}`);
    t.equal(r.status, 400, q);
    t.match(await r.text(), message);
  }
  const badPage = await get('/analytics?from=2026-02-30');
  t.equal(badPage.status, 400);
  t.match(await badPage.text(), /<p role="alert">&quot;from&quot; must be a date/, 'the page shows why');
  const badJson = await get('/analytics/data.json?campaign=x');
  t.equal(badJson.status, 400);
  t.match(await badJson.json(), { error: { code: 'BAD_ARGUMENT' } });
  t.equal((await get('/analytics/nope.csv')).status, 404);

  const data = (await (await get(`/analytics/data.json?from=2026-03-01&campaign=${spring}`)).json()) as {
    filters: unknown;
    charts: { id: string; columns: string[]; rows: unknown[][] }[];
  };
  t.same(data.filters, { campaign: spring, from: '2026-03-01', to: '2026-03-10', days: 'UTC' });
  t.equal(data.charts.length, 10);
  t.same(data.charts.find((c) => c.id === 'classes')?.rows[0], ['Yoga', 3, 1]);

  // The A/B flows: the background's 38 calls, by gym's id, in experiment 'greeting'; far below a verdict's minimum.
  const flows = await get('/analytics/flow-variants.csv?from=2026-02-01&to=2026-02-28');
  t.equal(flows.status, 200);
  const flowRows = (await flows.text()).trim().split('\r\n');
  t.match(flowRows[0], /^experiment,variant,calls,conversations,facts_complete_pct,/);
  t.same(
    flowRows.slice(1).map((r) => r.split(',').slice(0, 3)),
    [
      ['greeting', 'control', '19'],
      ['greeting', 'warm', '19'],
    ],
    'both variants, control first, every call counted',
  );
  t.ok(
    flowRows.slice(1).every((r) => /,"?not enough calls yet/.test(r)),
    'the verdict column says it is too early',
  );
  t.match(
    await (await get('/analytics?from=2026-02-01&to=2026-02-28')).text(),
    /<p class="note">greeting: not enough calls yet/,
    'and so does the page, under the chart',
  );

  const page = await get('/analytics');
  const csp = page.headers.get('content-security-policy') ?? '';
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe/);
  const text = await page.text();
  t.same(
    [...text.matchAll(/<script\b([^>]*)>/g)].map((m) => /src=|type="application\/json"/.test(m[1] ?? '')),
    [true, true, true],
    'two served scripts and one data block: nothing inline runs',
  );
  t.notOk(text.includes('<b>Gym</b>'), 'the hostile name is escaped in the data block');
  const chartJs = /src="(\/analytics\/assets\/chart-4\.6\.2\.umd\.js)"/.exec(text)?.[1] ?? '';
  const asset = await get(chartJs);
  t.equal(asset.status, 200);
  t.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
  t.equal((await get('/analytics/assets/chart-0.0.0.umd.js')).status, 404);

  const limited = withRateLimit(routes, { limiter: new RateLimiter({ perMinute: 60, burst: 1, now: () => 0 }) });
  const pageRoute = limited.find((r) => r.pattern === '/analytics');
  const visit = { method: 'GET', path: '/analytics', query: new URLSearchParams(), headers: {} };
  const hit = () => pageRoute?.handler({ ...visit, body: Buffer.alloc(0), remoteIp: '192.0.2.9' }, {});
  t.equal((await hit())?.status, 401);
  t.equal((await hit())?.status, 429, '/analytics is rate-limited as /review is');

  const open = await serveRoutes(analyticsRoutes({ pool, maxAgeDays: 90, clock: { now: () => NOW } }));
  t.teardown(open.close);
  t.equal((await fetch(`${open.url}/analytics/classes.csv`)).status, 200, 'without API_TOKEN (loopback) it is open');
});

t.test('in headless Chromium', async (t) => {
  const browser = await launchChromium(t);
  if (browser === undefined) return;
  const srv = await serveRoutes([
    ...reviewRoutes({ pool, apiToken: token }),
    ...analyticsRoutes({ pool, apiToken: token, maxAgeDays: 90, clock: { now: () => NOW } }),
  ]);
  t.teardown(srv.close);
  const ctx = await browser.newContext({
    httpCredentials: { username: 'review', password: token },
    viewport: { width: 1000, height: 900 },
  });
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(srv.url)) problems.push(`request off the app: ${r.url()}`);
  });

  await page.goto(`${srv.url}/review`);
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.waitForURL(/\/analytics$/);
  t.equal(await page.title(), 'Analytics · gym-call-agent review');

  // Every chart drawn: Chart.js holds each canvas's data, and each canvas has pixels painted on it.
  type Drawn = { id: string; points: number[]; painted: number };
  const drawn = async (): Promise<Drawn[]> => {
    await page.waitForFunction(() => {
      const g = globalThis as unknown as Win;
      const canvases = [...g.document.querySelectorAll('canvas[data-chart]')];
      return canvases.length > 0 && canvases.every((c) => g.Chart?.getChart(c) !== undefined);
    });
    return page.evaluate(() => {
      const g = globalThis as unknown as Win;
      return [...g.document.querySelectorAll('canvas[data-chart]')].map((c) => {
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if ((px[i] ?? 0) > 0) painted++;
        const sets = g.Chart?.getChart(c)?.data.datasets ?? [];
        return { id: c.dataset.chart, points: sets.map((d) => d.data.filter((v) => v !== null).length), painted };
      });
    });
  };
  const all = await drawn();
  t.same(
    all.map((c) => c.id),
    [
      'outcomes-by-campaign',
      'outcomes-by-day',
      'fact-coverage',
      'prices',
      'classes',
      'latency-by-day',
      'barge-ins-by-day',
      'cost-by-campaign',
      'cost-by-gym',
      'flow-variants',
    ],
    'ten charts drawn',
  );
  for (const c of all) {
    t.ok(c.points.length > 0 && c.points.every((n) => n > 0), `${c.id}: every dataset has data`);
    t.ok(c.painted > 2000, `${c.id}: the canvas is painted (${c.painted} pixels)`);
  }
  const callsDrawn = () =>
    page.evaluate(() => {
      const g = globalThis as unknown as Win;
      const sets = g.Chart?.getChart(g.document.querySelector('canvas[data-chart="outcomes-by-day"]'))?.data.datasets;
      return (sets ?? []).map((d) => [d.label, (d.data as number[]).reduce((a, b) => a + b, 0)] as const);
    });
  t.equal(
    (await callsDrawn()).reduce((n, [, v]) => n + v, 0),
    43,
    'every call of the 30 days',
  );

  const dir = await mkdtemp(join(tmpdir(), 'gca-analytics-'));
  const shot = process.env.ANALYTICS_SCREENSHOT ?? join(dir, 'analytics.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.ok((await stat(shot)).size > 20_000, `screenshot saved to ${shot}`);

  // The campaign filter, as a person uses it.
  await page.locator('select[name="campaign"]').selectOption({ label: `#${winter} Winter` });
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(new RegExp(`campaign=${winter}`));
  await drawn();
  t.same(await callsDrawn(), [['busy', 1]], "the Winter campaign's one busy call");
  t.match(await page.locator('#cost-by-gym').innerText(), /No data for these filters/, 'its calls were not priced');
  const csvHref = await page.locator('#outcomes-by-day a[download]').getAttribute('href');
  t.match(
    csvHref ?? '',
    new RegExp(`^/analytics/outcomes-by-day\\.csv\\?from=2026-02-09&to=2026-03-10&campaign=${winter}$`),
  );
  t.same(problems, [], 'no script error, CSP violation or request off the app');
});
