import { DAYS } from '../facts/model.js';
import type { CallDetail, TranscriptItem } from '../db/read-model.js';
import type { NormalisedFacts } from '../db/normalise.js';
import { CSS } from './style.js';
import { fmtMs, fmtSeconds, fmtTime, html, Html } from './html.js';
import { latencyLabel, latencyTable } from './latency.js';
import { outcomeSection } from './situation.js';

// Server-rendered review pages: a filterable list of calls and one call's transcript with facts.

const DAY_NAMES: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** The skip link and the header with the sections of the review site, /analytics and the live monitor included. */
export function siteHeader(current?: 'analytics' | 'monitor'): Html {
  const home =
    current === 'monitor'
      ? html`<a href="/monitor">gym-call-agent · live calls</a>`
      : html`<a href="/review">gym-call-agent · call review</a>`;
  return html`<a class="skip" href="#main">Skip to content</a>
    <header>
      ${home}
      <nav aria-label="Sections">
        <a href="/review">Calls</a> <a href="/review/messages">Messages</a> <a href="/review/campaigns">Campaigns</a>
        <a href="/analytics" ${current === 'analytics' ? html`aria-current="page"` : ''}>Analytics</a>
        <a href="/monitor" ${current === 'monitor' ? html`aria-current="page"` : ''}>Live</a>
      </nav>
    </header>`;
}

/** The frame of the review pages, and of the live monitor (its own title suffix, style and script). */
export function layout(
  title: string,
  body: Html,
  o: { site?: 'review' | 'monitor'; css?: string; script?: string } = {},
): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · gym-call-agent ${o.site ?? 'review'}</title>
        <style>
          ${new Html(CSS + (o.css ?? ''))}
        </style>
        ${o.script === undefined ? '' : html`<script src="${o.script}" defer></script>`}
      </head>
      <body>
        ${siteHeader(o.site === 'monitor' ? 'monitor' : undefined)}
        <main id="main">${body}</main>
      </body>
    </html> `.value;
}

export interface ListRow {
  call_id: string;
  created_at: string;
  gym_name: string | null;
  phone_number: string | null;
  direction: string;
  status: string;
  end_reason: string | null;
  outcome: string | null;
  turns: number;
  answered_at: string | null;
  ended_at: string | null;
  /** interview | front-desk for a call to one of our numbers, else null (an outbound or unmapped call). */
  mode: string | null;
  /** Messages a front-desk caller left for the staff. */
  messages: number;
}

/** The call's mode in words, and a marker when a caller left a message for the staff (linked to the call). */
function modeCell(r: ListRow): Html {
  const mode = r.mode === 'front-desk' ? 'front desk' : (r.mode ?? '—');
  if (r.messages === 0) return html`${mode}`;
  const n = r.messages === 1 ? '1 message' : `${r.messages} messages`;
  return html`${mode}<br /><span class="status message-taken" title="A caller left a message for the staff"
      >✉ ${n}</span
    >`;
}

export interface ListFilters {
  status: string;
  outcome: string;
  gym: string;
  from: string;
  to: string;
}

function duration(r: { created_at: string; answered_at: string | null; ended_at: string | null }): string {
  if (!r.ended_at) return '—';
  const start = Date.parse(r.answered_at ?? r.created_at);
  return fmtSeconds(Date.parse(r.ended_at) - start);
}

export function listPage(
  rows: ListRow[],
  f: ListFilters,
  statuses: string[],
  outcomes: string[],
  page: { offset: number; limit: number; more: boolean },
  error?: string,
): string {
  const qs = (offset: number) =>
    '?' +
    new URLSearchParams({
      status: f.status,
      outcome: f.outcome,
      gym: f.gym,
      from: f.from,
      to: f.to,
      offset: String(offset),
    }).toString();
  const body = html` <h1>Calls</h1>
    <form class="filters" method="get" action="/review" role="search" aria-label="Filter calls">
      <label
        >Status
        <select name="status">
          <option value="">any</option>
          ${statuses.map((s) => html`<option value="${s}" ${s === f.status ? html` selected` : ''}>${s}</option>`)}
        </select>
      </label>
      <label
        >Outcome
        <select name="outcome">
          <option value="">any</option>
          ${outcomes.map((s) => html`<option value="${s}" ${s === f.outcome ? html` selected` : ''}>${s}</option>`)}
        </select>
      </label>
      <label>Gym name contains <input type="search" name="gym" value="${f.gym}" maxlength="200" /></label>
      <label>From (UTC) <input type="date" name="from" value="${f.from}" /></label>
      <label>To (UTC, inclusive) <input type="date" name="to" value="${f.to}" /></label>
      <button type="submit">Filter</button>
      <a href="/review">Clear</a>
    </form>
    ${error ? html`<p role="alert">${error}</p>` : ''}
    ${
      rows.length === 0
        ? html`<p class="empty">No calls match.</p>`
        : html`<table>
            <caption class="sr-only">
              Calls, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Gym</th>
                <th scope="col">Direction</th>
                <th scope="col">Mode</th>
                <th scope="col">Status</th>
                <th scope="col">End reason</th>
                <th scope="col">Outcome</th>
                <th scope="col">Turns</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr>
                    <td><a href="/review/calls/${encodeURIComponent(r.call_id)}">${fmtTime(r.created_at)}</a></td>
                    <td class="name">
                      ${r.gym_name ?? '—'}${r.phone_number ? html`<br /><small>${r.phone_number}</small>` : ''}
                    </td>
                    <td>${r.direction}</td>
                    <td>${modeCell(r)}</td>
                    <td><span class="status">${r.status}</span></td>
                    <td>${r.end_reason ?? '—'}</td>
                    <td>${r.outcome ?? '—'}</td>
                    <td class="num">${r.turns}</td>
                    <td class="num">${duration(r)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <nav class="pager" aria-label="Pages">
      ${page.offset > 0 ? html`<a href="${qs(Math.max(0, page.offset - page.limit))}">Newer calls</a>` : ''}
      ${page.more ? html`<a href="${qs(page.offset + page.limit)}">Older calls</a>` : ''}
    </nav>`;
  return layout('Calls', body);
}

function hoursText(h: NormalisedFacts['hours'][keyof NormalisedFacts['hours']]): string {
  if (!h) return '';
  if ('closed' in h) return 'closed';
  if ('open24h' in h) return 'open 24 hours';
  return `${h.opens}–${h.closes}`;
}

export function factsSection(f: NormalisedFacts): Html {
  const days = DAYS.filter((d) => f.hours[d]);
  return html` <section aria-labelledby="facts-h">
    <h2 id="facts-h">Facts collected</h2>
    <div class="columns">
      <div>
        <h3>Opening hours</h3>
        ${
          days.length === 0
            ? html`<p class="empty">None recorded.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Hours</th>
                  </tr>
                </thead>
                <tbody>
                  ${days.map(
                    (d) =>
                      html`<tr>
                        <th scope="row">${DAY_NAMES[d]}</th>
                        <td>${hoursText(f.hours[d])}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </div>
      <div>
        <h3>Membership pricing</h3>
        ${
          f.pricing.length === 0
            ? html`<p class="empty">None recorded.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Plan</th>
                    <th scope="col">Price</th>
                    <th scope="col">Per</th>
                  </tr>
                </thead>
                <tbody>
                  ${f.pricing.map(
                    (p) =>
                      html`<tr>
                        <td class="name">${p.plan}</td>
                        <td class="num">${p.amount.toFixed(2)} ${p.currency}</td>
                        <td>${p.period}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </div>
      <div>
        <h3>Classes</h3>
        ${
          f.classes.length === 0
            ? html`<p class="empty">None recorded.</p>`
            : html`<ul class="classes">
                ${f.classes.map((c) => html`<li>${c}</li>`)}
              </ul>`
        }
      </div>
    </div>
  </section>`;
}

/** The agent's words with the part the caller never heard struck through. */
function spoken(t: TranscriptItem): Html {
  if (t.speaker !== 'agent' || !t.interrupted || t.heard_text === null || t.heard_text === t.text)
    return html`<p class="text">${t.text}</p>`;
  const heard = t.heard_text;
  if (t.text.startsWith(heard)) {
    const rest = t.text.slice(heard.length);
    return html`<p class="text">
        ${heard}<del class="cut"><span class="sr-only">(cut off, not heard:) </span>${rest}</del>
      </p>
      <p class="cut-note">Interrupted: the caller did not hear the struck-through part.</p>`;
  }
  return html`<p class="text">${heard}</p>
    <p class="text">
      <del class="cut"><span class="sr-only">(sent but not heard:) </span>${t.text}</del>
    </p>
    <p class="cut-note">Interrupted: heard text above, full text sent struck through.</p>`;
}

function turnMeta(t: TranscriptItem, prev: TranscriptItem | undefined): Html {
  const parts: string[] = [];
  if (t.start_ms !== null) parts.push(`${fmtSeconds(t.start_ms)}–${fmtSeconds(t.end_ms)}`);
  // One response gap per agent turn: the one measured live (caller's end of speech → the agent's first audio)
  // when the turn has it, else the gap between the two turns' timestamps.
  const { responseGapMs: measured, ...figures } = t.latency ?? {};
  if (typeof measured === 'number') parts.push(`response gap ${fmtMs(measured)}`);
  else if (t.speaker === 'agent' && prev?.speaker === 'caller' && prev.end_ms !== null && t.start_ms !== null)
    parts.push(`response gap ${fmtMs(t.start_ms - prev.end_ms)}`);
  for (const [k, v] of Object.entries(figures)) if (typeof v === 'number') parts.push(`${latencyLabel(k)} ${fmtMs(v)}`);
  if (t.confidence !== null && t.speaker === 'caller') parts.push(`confidence ${t.confidence.toFixed(2)}`);
  return parts.length ? html`<p class="turn-meta">${parts.join(' · ')}</p>` : html``;
}

export function callPage(c: CallDetail): string {
  const title = c.gym_name ?? 'Call';
  const body = html` <p><a href="/review">← All calls</a></p>
    <h1 class="name">${title}</h1>
    <dl class="meta">
      <dt>Call</dt>
      <dd>${c.call_id}</dd>
      <dt>Phone</dt>
      <dd>${c.phone_number ?? '—'}</dd>
      <dt>Direction</dt>
      <dd>${c.direction}</dd>
      <dt>Status</dt>
      <dd><span class="status">${c.status}</span></dd>
      <dt>End reason</dt>
      <dd>${c.end_reason ?? '—'}</dd>
      <dt>Started</dt>
      <dd>${fmtTime(c.created_at)}</dd>
      <dt>Answered</dt>
      <dd>${fmtTime(c.answered_at)}</dd>
      <dt>Ended</dt>
      <dd>${fmtTime(c.ended_at)}</dd>
      <dt>Providers</dt>
      <dd>
        ${
          Object.entries(c.providers)
            .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(', ') || '—'
        }
      </dd>
      ${
        c.latency
          ? html`<dt>Latency</dt>
              <dd>${latencyTable(c.latency)}</dd>`
          : ''
      }
      ${
        c.twilio_call_sid
          ? html`<dt>Twilio SID</dt>
              <dd>${c.twilio_call_sid}</dd>`
          : ''
      }
    </dl>
    ${outcomeSection(c)} ${factsSection(c.facts)}
    <section aria-labelledby="transcript-h">
      <h2 id="transcript-h">Transcript</h2>
      ${
        c.transcript.length === 0
          ? html`<p class="empty">No turns recorded.</p>`
          : html`<ol class="transcript">
              ${c.transcript.map(
                (t, i) =>
                  html`<li class="${t.speaker}" id="turn-${t.seq}">
                    <span class="speaker">${t.speaker === 'agent' ? 'Agent' : 'Gym'}</span
                    >${t.interrupted ? html`<span class="cut-note">(interrupted)</span>` : ''} ${spoken(t)}
                    ${turnMeta(t, c.transcript[i - 1])}
                  </li>`,
              )}
            </ol>`
      }
    </section>
    <section aria-labelledby="status-h">
      <h2 id="status-h">Status history</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          ${c.status_history.map(
            (s) =>
              html`<tr>
                <td>${fmtTime(s.at)}</td>
                <td>${s.status}</td>
                <td>${s.detail ? JSON.stringify(s.detail) : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  return layout(title, body);
}

export function messagePage(title: string, message: string): string {
  return layout(
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/review">All calls</a></p>`,
  );
}
