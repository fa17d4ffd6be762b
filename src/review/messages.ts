import type { MessageItem } from '../frontdesk/store.js';
import { fmtTime, html } from './html.js';
import { layout } from './pages.js';

// /review/messages: the messages front-desk callers left for the staff, newest first, a page at a time, each linked
// to the call it was taken on. A message is a caller's personal data (name, number, words): shown behind the review
// pages' sign-in, every value escaped, never logged.

/** What the reason column shows of a long reason (the call's page has all of it). */
const REASON_CHARS = 280;

function short(text: string): string {
  return text.length <= REASON_CHARS ? text : `${text.slice(0, REASON_CHARS - 1)}…`;
}

export function messagesPage(
  messages: readonly MessageItem[],
  p: { offset: number; limit: number; total: number },
): string {
  const more = p.offset + messages.length < p.total;
  const body = html`<h1>Messages</h1>
    <p>Messages callers left for the staff on the front-desk lines, newest first (${p.total} in all).</p>
    ${
      messages.length === 0
        ? html`<p class="empty">No messages${p.offset > 0 ? ' on this page' : ''}.</p>`
        : html`<table class="messages">
            <caption class="sr-only">
              Messages, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Gym</th>
                <th scope="col">From</th>
                <th scope="col">Call back on</th>
                <th scope="col">About</th>
              </tr>
            </thead>
            <tbody>
              ${messages.map(
                (m) =>
                  html`<tr>
                    <td><a href="/review/calls/${encodeURIComponent(m.call_id)}">${fmtTime(m.taken_at)}</a></td>
                    <td class="name">${m.gym_name ?? '—'}</td>
                    <td class="name">${m.name}</td>
                    <td><code>${m.callback_number}</code></td>
                    <td class="name">“${short(m.reason)}”</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <nav class="pager" aria-label="Pages">
      ${p.offset > 0 ? html`<a href="?offset=${Math.max(0, p.offset - p.limit)}">Newer messages</a>` : ''}
      ${more ? html`<a href="?offset=${p.offset + p.limit}">Older messages</a>` : ''}
    </nav>`;
  return layout('Messages', body);
}
