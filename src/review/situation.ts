import type { CallDetail } from '../db/read-model.js';
import { fmtSeconds, fmtTime, html, type Html } from './html.js';

// What a call came to, on its review page: the outcome, the keys pressed on a phone tree and the time on hold,
// each topic the gym refused (its words, and the web address it pointed to, shown as text: a reviewer copies it
// rather than following a link a caller dictated), and the callback it asked for in the gym's local time.

const TOPIC_NAMES: Record<string, string> = { hours: 'Opening hours', pricing: 'Prices', classes: 'Classes' };

function callbackWhen(cb: NonNullable<CallDetail['callback']>): string {
  if (cb.earliest_local === null) return 'no time given';
  const when = cb.earliest_local.replace('T', ' ');
  return cb.time_zone === null ? `from ${when}` : `from ${when} (${cb.time_zone})`;
}

/** A front-desk call's messages for the staff and its transfer (personal data: the review page is behind login). */
function deskSection(c: CallDetail): Html {
  if (c.messages.length === 0 && c.transfer === null) return html``;
  const t = c.transfer;
  return html`<h3>Front desk</h3>
    ${c.messages.map(
      (m) =>
        html`<dl class="outcome message">
          <dt>Message from</dt>
          <dd>${m.name}</dd>
          <dt>Call back on</dt>
          <dd><code>${m.callback_number}</code></dd>
          <dt>About</dt>
          <dd>“${m.reason}”</dd>
          <dt>Taken</dt>
          <dd>${fmtTime(m.taken_at)}</dd>
        </dl>`,
    )}
    ${
      t === null
        ? ''
        : html`<dl class="outcome transfer">
            <dt>Put through to</dt>
            <dd><code>${t.to}</code> (${t.status === 'dialling' ? 'dialled' : 'failed'}, ${fmtTime(t.at)})</dd>
          </dl>`
    }`;
}

export function outcomeSection(c: CallDetail): Html {
  const cb = c.callback;
  return html`<section aria-labelledby="outcome-h">
    <h2 id="outcome-h">Outcome</h2>
    <dl class="outcome">
      <dt>Outcome</dt>
      <dd><span class="status">${c.outcome ?? '—'}</span></dd>
      <dt>Keys pressed</dt>
      <dd>${c.keys_pressed.length > 0 ? c.keys_pressed.join(' → ') : '—'}</dd>
      <dt>On hold</dt>
      <dd>${c.hold_ms === null || c.hold_ms === 0 ? '—' : fmtSeconds(c.hold_ms)}</dd>
      ${
        c.mode === null
          ? ''
          : html`<dt>Mode</dt>
              <dd>${c.mode}</dd>`
      }
    </dl>
    ${deskSection(c)}
    ${
      c.refusals.length === 0
        ? ''
        : html`<h3>Refused on the phone</h3>
            <ul class="refusals">
              ${c.refusals.map(
                (r) =>
                  html`<li>
                    <strong>${TOPIC_NAMES[r.topic] ?? r.topic}</strong>:
                    “${r.words}”${r.website === null ? '' : html` <small>website: <code>${r.website}</code></small>`}
                  </li>`,
              )}
            </ul>`
    }
    ${
      cb === null
        ? ''
        : html`<h3>Callback requested</h3>
            <dl class="outcome">
              <dt>When</dt>
              <dd>${callbackWhen(cb)}</dd>
              <dt>Ask for</dt>
              <dd>${cb.person ?? '—'}</dd>
              <dt>About</dt>
              <dd>${cb.topics.map((t) => TOPIC_NAMES[t] ?? t).join(', ') || '—'}</dd>
              <dt>Their words</dt>
              <dd>“${cb.words}”</dd>
              <dt>Recorded</dt>
              <dd>${fmtTime(cb.recorded_at)}</dd>
            </dl>`
    }
  </section>`;
}
