import type { ScenarioOutcome } from './scenarios.js';
import { fmtS } from './line-checks.js';

// The phone-line part of the scenario table (issue 16): per persona with a flow, the outcome the server stored,
// the facts, the keys the gym's line heard, time on hold, and when a person first spoke (both calls of a repeat
// call, so the remembered path's gain is on screen).

export function formatLineTable(outcomes: readonly ScenarioOutcome[]): string {
  const rows = outcomes.filter((o) => o.persona.flow !== undefined);
  if (rows.length === 0) return '';
  const head = ['phone line', 'outcome', 'expected', 'facts', 'keys', 'on hold', 'person at', 'path', 'result'];
  const cells = rows.map((o) => {
    const j = o.json;
    const l = j?.line;
    const person = (x: number | null | undefined) => (x === null || x === undefined ? '-' : fmtS(x));
    return [
      o.persona.name,
      j?.outcome ?? (o.error ? 'error' : '-'),
      o.persona.expect.outcome ?? '-',
      o.score ? `${o.score.correct}/${o.score.total}` : '-',
      l ? l.keys || '(none)' : '-',
      l ? fmtS(l.holdMs) : '-',
      o.first ? `${person(o.first.line?.personAtMs)} → ${person(l?.personAtMs)}` : person(l?.personAtMs),
      l ? l.path.join('>') : '-',
      o.failures.length === 0 ? 'ok' : `FAIL: ${o.failures.join('; ')}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}
