import { fmtMs, html, type Html } from './html.js';

// Latency figures on the review page, in words and milliseconds instead of raw JSON. The stored shapes are open
// (jsonb): the session writes {responseGapMs: {count, p50, p90, max}, serverAddedMs: [ms, …]} per call and
// {endOfTurnToFirstAudioMs, responseGapMs} per agent turn; anything else is shown by its name in words.

const LABELS: Readonly<Record<string, string>> = {
  responseGapMs: 'Response gap (caller stops → agent starts)',
  serverAddedMs: 'Server-added time (end of turn → first audio sent)',
  endOfTurnToFirstAudioMs: 'end of turn → first audio',
  firstAudioMs: 'first audio',
  llmFirstTokenMs: 'LLM first token',
};

/** "responseGapMs" → "response gap", for keys this page has no wording for. */
function words(key: string): string {
  return key
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function latencyLabel(key: string): string {
  return LABELS[key] ?? words(key);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One figure as text: a number, a list of samples, or a {count, p50, p90, max} summary. */
export function latencyValue(v: unknown): string {
  if (v === null || v === undefined) return 'none measured';
  if (isNumber(v)) return fmtMs(v);
  if (Array.isArray(v) && v.every(isNumber)) {
    if (v.length === 0) return 'none measured';
    if (v.length === 1) return fmtMs(v[0]);
    return `median ${fmtMs(median(v))} · max ${fmtMs(Math.max(...v))} (${count(v.length, 'turn')})`;
  }
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const parts: string[] = [];
    if (isNumber(o['p50'])) parts.push(`median ${fmtMs(o['p50'])}`);
    if (isNumber(o['p90'])) parts.push(`p90 ${fmtMs(o['p90'])}`);
    if (isNumber(o['max'])) parts.push(`max ${fmtMs(o['max'])}`);
    const n = isNumber(o['count']) ? ` (${count(o['count'], 'turn')})` : '';
    if (parts.length > 0) return parts.join(' · ') + n;
  }
  // A shape this page does not know: still readable, never markup (the caller escapes it).
  return JSON.stringify(v);
}

/** The call's latency figures as a small table (one row per figure). */
export function latencyTable(latency: Record<string, unknown>): Html {
  const rows = Object.entries(latency);
  if (rows.length === 0) return html`—`;
  return html`<table class="latency">
    <tbody>
      ${rows.map(
        ([k, v]) =>
          html`<tr>
            <th scope="row">${latencyLabel(k)}</th>
            <td class="num">${latencyValue(v)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
