import { open } from 'node:fs/promises';
import type { HttpResponse } from '../http/types.js';
import { esc } from '../review/html.js';
import type { StoredCost } from '../costs/store.js';
import type { RecordingStore } from './store.js';

// A call's recording for the review page's <audio> element: whole, or the byte range the browser asks for (it
// seeks with Range requests). The caller has checked the review page's sign-in (src/review/routes.ts). Only a
// single `bytes=a-b`, `bytes=a-` or `bytes=-n` range is served; anything else is answered with the whole file, as
// RFC 9110 allows. A range is read from the file alone, at most MAX_RANGE bytes of it.

const MAX_RANGE = 1024 * 1024;

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

export function parseRange(header: string | undefined, size: number): Range {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || end < start) return 'unsatisfiable';
  }
  return { start, end: Math.min(end, start + MAX_RANGE - 1) };
}

export async function serveRecording(
  store: RecordingStore,
  callId: string,
  rangeHeader: string | undefined,
): Promise<HttpResponse> {
  const found = await store.find(callId);
  const missing: HttpResponse = { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no recording' };
  if (found === undefined) return missing;
  let fh;
  try {
    fh = await open(found.path, 'r');
  } catch {
    return missing; // the sweep took it, or another replica's disk holds it
  }
  try {
    const size = (await fh.stat()).size;
    const base = {
      'content-type': found.row.mediaType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
    };
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } };
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const body = Buffer.alloc(Math.max(0, end - start + 1));
    if (body.length > 0) await fh.read(body, 0, body.length, start);
    return range === undefined
      ? { status: 200, headers: base, body }
      : { status: 206, headers: { ...base, 'content-range': `bytes ${start}-${end}/${size}` }, body };
  } finally {
    await fh.close();
  }
}

/** The call page's section: the recording's player (when there is one) and the call's cost. */
export function extrasSection(callId: string, recorded: boolean, cost: StoredCost | undefined): string {
  const audio = recorded
    ? `<h2>Recording</h2><p>Left: the gym. Right: the agent.</p>
       <audio controls preload="none" src="/review/calls/${encodeURIComponent(callId)}/recording"></audio>`
    : '';
  const money = (v: number) => `$${v.toFixed(4)}`;
  const costHtml =
    cost === undefined
      ? ''
      : `<h2>Cost</h2><table><tbody>
       <tr><th>Twilio</th><td>${esc(cost.twilioMinutes)} min</td><td>${money(cost.usd.twilio)}</td></tr>
       <tr><th>Speech recognition</th><td>${esc(cost.asrSeconds)} s</td><td>${money(cost.usd.asr)}</td></tr>
       <tr><th>LLM</th><td>${esc(cost.llmInputTokens)} in / ${esc(cost.llmOutputTokens)} out tokens</td><td>${money(cost.usd.llm)}</td></tr>
       <tr><th>Speech synthesis</th><td>${esc(cost.ttsCharacters)} characters</td><td>${money(cost.usd.tts)}</td></tr>
       <tr><th>Total</th><td></td><td>${money(cost.usd.total)}</td></tr></tbody></table>`;
  return audio === '' && costHtml === '' ? '' : `<section id="extras">${audio}${costHtml}</section>`;
}
