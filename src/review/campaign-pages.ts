import type { CursorName } from '../campaigns/paging.js';
import { FINAL_GYM_STATES } from '../campaigns/store.js';
import type { CampaignGymItem, CampaignListItem, CampaignView, FactsState } from './campaign-data.js';
import { fmtTime, html, type Html } from './html.js';
import { layout } from './pages.js';

// The review site's campaign pages: every campaign with its progress, outcome counts and cost, and one campaign's
// gyms with their state, attempts, last outcome in the gym's local time, next call, facts and cost, each dial
// linked to its call's review page. Every value goes through html`` (escaped).

/** Where a page sits in a list read by key: whether it was asked for with a cursor, and the next page's cursor. */
export interface Paging {
  readonly first: boolean;
  readonly cursor: number | null;
}

/** Dollars as the call page shows them (src/recordings/playback.ts): four decimals, cents of a cent matter. */
export function fmtUsd(v: number): string {
  return `$${v.toFixed(4)}`;
}

/** "8 of 50 gyms final" with a native progress bar (no script). */
function progress(c: { gyms: number; states: Record<string, number> }): Html {
  const final = FINAL_GYM_STATES.reduce((n, s) => n + (c.states[s] ?? 0), 0);
  const pct = c.gyms === 0 ? 0 : Math.round((100 * final) / c.gyms);
  return html`<progress max="${c.gyms}" value="${final}" aria-label="Gyms in a final state">${pct}%</progress>
    <span class="num">${final} / ${c.gyms} (${pct}%)</span>`;
}

function counts(m: Record<string, number>): Html | string {
  const entries = Object.entries(m).filter(([, n]) => n > 0);
  return entries.length === 0 ? '—' : html`${entries.map(([k, n], i) => html`${i > 0 ? ' · ' : ''}${k} ${n}`)}`;
}

/** Links to the first page and the next: a key goes one way, so "back" is the browser's or the first page. */
function pager(base: string, key: CursorName, p: Paging, first: string, next: string): Html {
  return html`<nav class="pager" aria-label="Pages">
    ${p.first ? '' : html`<a href="${base}">${first}</a>`}
    ${p.cursor === null ? '' : html`<a href="${base}?${key}=${p.cursor}">${next}</a>`}
  </nav>`;
}

export function campaignListPage(items: CampaignListItem[], p: Paging): string {
  const body = html`<p><a href="/review">← All calls</a></p>
    <h1>Campaigns</h1>
    ${
      items.length === 0
        ? html`<p class="empty">No campaigns${p.first ? '' : ' on this page'}.</p>`
        : html`<table>
            <caption class="sr-only">
              Campaigns, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Outcomes</th>
                <th scope="col">Dials</th>
                <th scope="col">Cost</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (c) =>
                  html`<tr>
                    <td class="name"><a href="/review/campaigns/${c.id}">${c.name}</a></td>
                    <td><span class="status">${c.status}</span></td>
                    <td>${progress(c)}</td>
                    <td>${counts(c.outcomes)}</td>
                    <td class="num">${c.attempts}</td>
                    <td class="num">${fmtUsd(c.costUsd)}</td>
                    <td>${fmtTime(c.createdAt.toISOString())}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${pager('/review/campaigns', 'before', p, 'Newest campaigns', 'Older campaigns')}`;
  return layout('Campaigns', body);
}

/** An instant as the gym's wall clock ("2026-12-07 10:31 America/New_York"), or UTC when the zone is unusable. */
export function localTime(at: Date, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    const v = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
    return `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')} ${timeZone}`;
  } catch {
    return fmtTime(at.toISOString());
  }
}

function factsText(f: FactsState): string {
  const parts: string[] = [];
  if (f.missing.length > 0) parts.push(`missing: ${f.missing.join(', ')}`);
  if (f.missingDays > 0) parts.push(`hours of ${f.missingDays} day${f.missingDays === 1 ? '' : 's'} unknown`);
  if (f.stale.length > 0) parts.push(`stale: ${f.stale.join(', ')}`);
  return parts.length === 0 ? 'complete' : parts.join('; ');
}

function gymRow(g: CampaignGymItem): Html {
  return html`<tr>
    <td class="name">${g.name}<br /><small>gym ${g.gymId}</small></td>
    <td>
      <span class="status">${g.state}</span>${g.finalState !== null ? html`<br /><small>${g.finalState}</small>` : ''}
    </td>
    <td class="num">${g.attempts}</td>
    <td>
      ${g.last === null ? '—' : html`${g.last.outcome}<br /><small>${g.last.localTime.replace('T', ' ')} ${g.last.timeZone}</small>`}
    </td>
    <td>${g.nextAt === null ? '—' : localTime(g.nextAt, g.timeZone)}</td>
    <td>${factsText(g.facts)}</td>
    <td class="num">${fmtUsd(g.costUsd)}</td>
    <td>
      ${
        g.dials.length === 0
          ? '—'
          : html`<ol class="dials">
              ${g.dials.map(
                (d) =>
                  html`<li>
                    ${
                      d.recorded
                        ? html`<a href="/review/calls/${encodeURIComponent(d.callId)}">#${d.seq}</a>`
                        : html`#${d.seq}`
                    }
                    ${d.outcome ?? 'on the line'}
                  </li>`,
              )}
            </ol>`
      }
    </td>
  </tr>`;
}

export function campaignPage(v: CampaignView, p: Paging): string {
  const c = v.campaign;
  const body = html`<p><a href="/review/campaigns">← All campaigns</a></p>
    <h1 class="name">${c.name}</h1>
    <dl class="meta">
      <dt>Campaign</dt>
      <dd>${c.id}</dd>
      <dt>Status</dt>
      <dd><span class="status">${c.status}</span></dd>
      <dt>Topics</dt>
      <dd>${c.topics.join(', ')}</dd>
      <dt>Progress</dt>
      <dd>${progress(c)}</dd>
      <dt>Gyms per state</dt>
      <dd>${counts(c.states)}</dd>
      <dt>Outcomes</dt>
      <dd>${counts(c.outcomes)}</dd>
      <dt>Final states</dt>
      <dd>${counts(c.finals)}</dd>
      <dt>Dials</dt>
      <dd>${c.attempts} (at most ${c.maxAttempts} per gym, ${c.maxConcurrent} at once)</dd>
      <dt>Next call</dt>
      <dd>${c.nextAt === null ? '—' : fmtTime(c.nextAt.toISOString())}</dd>
      <dt>Cost</dt>
      <dd>${fmtUsd(v.costUsd)}</dd>
      <dt>Created</dt>
      <dd>${fmtTime(c.createdAt.toISOString())}</dd>
    </dl>
    <section aria-labelledby="gyms-h">
      <h2 id="gyms-h">Gyms</h2>
      ${
        v.gyms.length === 0
          ? html`<p class="empty">No gyms on this page.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Gym</th>
                  <th scope="col">State</th>
                  <th scope="col">Dials</th>
                  <th scope="col">Last outcome (local time)</th>
                  <th scope="col">Next call (local time)</th>
                  <th scope="col">Facts</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Calls</th>
                </tr>
              </thead>
              <tbody>
                ${v.gyms.map(gymRow)}
              </tbody>
            </table>`
      }
      ${pager(`/review/campaigns/${c.id}`, 'after', p, 'First gyms', 'More gyms')}
    </section>`;
  return layout(c.name, body);
}
