import { html } from '../review/html.js';
import { layout } from '../review/pages.js';
import type { ReplicaView } from './hub.js';

// GET /monitor: the page's frame, server-rendered in the review pages' layout; the calls are drawn by
// /monitor/monitor.js from the event stream (no inline script: the page's CSP allows only that file).

const MONITOR_CSS = `
.replica { color: var(--muted); }
#connection { font-size: .875rem; color: var(--muted); }
#connection.down { color: var(--cut); font-weight: 600; }
section.call { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
section.call.ended { opacity: .75; }
section.call h2 { margin: 0 0 .25rem; font-size: 1.15rem; }
.call-meta { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; font-size: .875rem; color: var(--muted); margin: 0; }
.call-meta dt { display: inline; } .call-meta dd { display: inline; margin: 0 0 0 .25rem; color: var(--fg); }
.state { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8rem; overflow-wrap: anywhere; }
.meters { display: flex; gap: 1.5rem; align-items: center; margin: .5rem 0; font-size: .875rem; }
.meters meter { width: 10rem; height: 1rem; }
.actions { display: flex; gap: .75rem; margin: .5rem 0; }
button.hangup { color: var(--cut); }
.interim { color: var(--muted); font-style: italic; }
li.now { border-style: dashed !important; }
.latency-list { font-size: .8rem; color: var(--muted); margin: .25rem 0; }
`;

export function monitorPage(replica: ReplicaView): string {
  return layout(
    'Live calls',
    html`<h1>Live calls</h1>
      <p class="replica" id="replica">${replicaText(replica)}</p>
      <p id="connection" role="status">Connecting to the live event stream…</p>
      <noscript><p>This page needs JavaScript: it draws the calls from the server's live event stream.</p></noscript>
      <p class="empty" id="none" hidden>No call is live on this replica.</p>
      <div id="calls"></div>`,
    { site: 'monitor', css: MONITOR_CSS, script: '/monitor/monitor.js' },
  );
}

/** What the page says about replicas; monitor.js says the same from the events (keep the two in step). */
export function replicaText(r: ReplicaView): string {
  const where = `Replica ${r.name}.`;
  if (r.elsewhere === 'single') return `${where} The only one: every live call is here.`;
  const others =
    r.elsewhere === null
      ? 'Calls that other replicas run are not shown here.'
      : `${r.elsewhere} live call${r.elsewhere === 1 ? '' : 's'} on other replicas, not shown here.`;
  return `${where} This page shows the calls this replica runs. ${others}`;
}
