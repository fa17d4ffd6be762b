import { html, Html } from '../review/html.js';
import { siteHeader } from '../review/pages.js';
import type { AnalyticsAssets } from './assets.js';
import type { ChartReport } from './charts.js';
import type { RawFilters } from './filters.js';

// The /analytics page: the filter form, then one section per chart with its canvas and CSV link. The figures travel
// in a JSON data block (not executed, so the Content-Security-Policy needs no hash for it) that the served script
// reads; the page itself holds no script and no inline style.

export interface CampaignChoice {
  readonly id: number;
  readonly name: string;
}

export interface PageModel {
  readonly assets: AnalyticsAssets;
  readonly raw: RawFilters;
  readonly campaigns: readonly CampaignChoice[];
  /** The filters' query string for the CSV and JSON links (absent with an error). */
  readonly query?: string;
  readonly charts: readonly ChartReport[];
  readonly maxAgeDays: number;
  readonly error?: string;
}

/** The script's input: what to draw, per chart. `<` is escaped so no text can close the data block. */
export function dataBlock(charts: readonly ChartReport[]): string {
  return JSON.stringify({ charts: charts.map((c) => ({ id: c.id, drawing: c.drawing })) }).replaceAll('<', '\\u003c');
}

const hasData = (c: ChartReport) =>
  c.drawing.datasets.some((d) => d.data.some((v) => v !== null && (typeof v !== 'number' || v !== 0)));

function chartSection(c: ChartReport, query: string): Html {
  const tall = c.drawing.horizontal && c.drawing.labels.length > 10;
  return html`<section class="chart" id="${c.id}" aria-labelledby="${c.id}-h">
    <h2 id="${c.id}-h">${c.title}</h2>
    <p class="about">${c.description}</p>
    ${(c.notes ?? []).map((n) => html`<p class="note">${n}</p>`)}
    ${
      hasData(c)
        ? html`<div class="chart-box${tall ? ' tall' : ''}">
            <canvas data-chart="${c.id}" role="img" aria-label="${c.title} (the CSV holds every figure)"></canvas>
          </div>`
        : html`<p class="empty">No data for these filters.</p>`
    }
    <p>
      <a href="/analytics/${c.id}.csv?${query}" download>Download CSV</a>
      (${c.table.rows.length} ${c.table.rows.length === 1 ? 'row' : 'rows'})
    </p>
  </section>`;
}

export function analyticsPage(m: PageModel): string {
  const { assets, raw } = m;
  const picked = raw.campaign;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Analytics · gym-call-agent review</title>
        <link rel="stylesheet" href="/analytics/assets/${assets.style.name}" />
        <script src="/analytics/assets/${assets.chartJs.name}" defer></script>
        <script src="/analytics/assets/${assets.script.name}" defer></script>
      </head>
      <body>
        ${siteHeader('analytics')}
        <main id="main">
          <h1>Analytics</h1>
          <form class="filters" method="get" action="/analytics" role="search" aria-label="Filter the report">
            <label
              >Campaign
              <select name="campaign">
                <option value="">all calls and gyms</option>
                ${m.campaigns.map(
                  (c) =>
                    html`<option value="${c.id}" ${String(c.id) === picked ? html` selected` : ''}>
                      #${c.id} ${c.name}
                    </option>`,
                )}
              </select>
            </label>
            <label>From (UTC) <input type="date" name="from" value="${raw.from}" /></label>
            <label>To (UTC, inclusive) <input type="date" name="to" value="${raw.to}" /></label>
            <button type="submit">Apply</button>
            <a href="/analytics">Reset</a>
          </form>
          ${m.error === undefined ? '' : html`<p role="alert">${m.error}</p>`}
          <p class="note">
            Days are UTC days; a call counts on the day it was placed. Fact charts show each gym's newest facts up to
            the end of the range (its start does not apply to them); a fact is stale after ${m.maxAgeDays} days
            (FACTS_MAX_AGE_DAYS).
            ${
              m.query === undefined
                ? ''
                : html`Every figure as JSON: <a href="/analytics/data.json?${m.query}">data.json</a>.`
            }
          </p>
          ${
            m.query === undefined
              ? ''
              : html`<div class="charts">${m.charts.map((c) => chartSection(c, m.query as string))}</div>`
          }
        </main>
        <script type="application/json" id="analytics-data">
          ${new Html(dataBlock(m.charts))}
        </script>
      </body>
    </html>`.value;
}
