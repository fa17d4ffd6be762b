// The pure parts of /analytics: the filters' checks and defaults, the CSV's quoting, the long-to-wide pivot of the
// drawings, and the page's JSON data block that no text can break out of.
import t from 'tap';
import type { ChartReport } from '../../src/analytics/charts.js';
import { toCsv } from '../../src/analytics/csv.js';
import { byLabel, pivot, ratio } from '../../src/analytics/drawing.js';
import { daysOf, filterQuery, parseFilters } from '../../src/analytics/filters.js';
import { dataBlock } from '../../src/analytics/page.js';

const TODAY = new Date('2026-03-10T15:30:00Z');
const parsed = (q: string) => parseFilters(new URLSearchParams(q), TODAY);

t.test('filters: defaults, a range of whole UTC days, the campaign', async (t) => {
  const d = parsed('');
  t.ok(d.ok);
  if (!d.ok) return;
  t.same(
    { from: d.filters.from, to: d.filters.to, campaign: d.filters.campaignId },
    { from: '2026-02-09', to: '2026-03-10', campaign: undefined },
    'the last 30 days up to today',
  );
  t.equal(d.filters.since.toISOString(), '2026-02-09T00:00:00.000Z');
  t.equal(d.filters.until.toISOString(), '2026-03-11T00:00:00.000Z', 'the last day counts whole');
  t.equal(daysOf(d.filters).length, 30);

  const r = parsed('campaign=%2042%20&from=2026-01-01&to=2026-01-31');
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.filters.campaignId, 42);
  t.equal(filterQuery(r.filters), 'from=2026-01-01&to=2026-01-31&campaign=42');
  t.same(daysOf(r.filters).slice(-2), ['2026-01-30', '2026-01-31']);
  const onlyTo = parsed('to=2025-12-31');
  t.match(onlyTo, { ok: true, filters: { from: '2025-12-02', to: '2025-12-31' } }, 'a start 30 days before the end');
  t.match(parsed('from=2025-03-10&to=2026-03-10'), { ok: true }, '366 days is the most');
});

t.test('filters: every bad value is refused with its name', async (t) => {
  for (const [q, message] of [
    ['from=2026-02-30', /"from" must be a date/],
    ['from=2026-2-1', /"from" must be a date/],
    ['to=tomorrow', /"to" must be a date/],
    ["campaign=1' OR '1'='1", /"campaign" must be/],
    ['campaign=0', /"campaign" must be/],
    ['campaign=-1', /"campaign" must be/],
    ['campaign=1e3', /"campaign" must be/],
    ['campaign=1234567890123456', /"campaign" must be/],
    ['from=2026-03-02&to=2026-03-01', /"from" must not be after "to"/],
    ['from=2025-03-09&to=2026-03-10', /at most 366 days; this one spans 367/],
  ] as const) {
    const p = parsed(q);
    t.equal(p.ok, false, q);
    if (!p.ok) t.match(p.message, message, q);
  }
});

t.test('CSV: RFC 4180 quoting, formulas defused, numbers as numbers', async (t) => {
  const csv = toCsv({
    columns: ['name', 'n'],
    rows: [
      ['Spring, "north"', 3],
      ['=HYPERLINK("x")', -1.5],
      ['+1 (555)', 0],
      ['-sale', null],
      ['@me', 2],
      ['two\nlines', 1],
    ],
  });
  t.equal(
    csv,
    [
      'name,n',
      '"Spring, ""north""",3',
      `"'=HYPERLINK(""x"")",-1.5`,
      "'+1 (555),0",
      "'-sale,",
      "'@me,2",
      '"two\nlines",1',
      '',
    ].join('\r\n'),
  );
});

t.test('drawing: long rows to one series per name, days without rows', async (t) => {
  const rows = [
    { day: 'd1', outcome: 'busy', n: 2 },
    { day: 'd3', outcome: 'busy', n: 1 },
    { day: 'd3', outcome: 'completed', n: 4 },
    { day: 'elsewhere', outcome: 'busy', n: 9 },
  ];
  t.same(
    pivot(
      rows,
      ['d1', 'd2', 'd3'],
      (r) => r.day,
      (r) => r.outcome,
      (r) => r.n,
    ),
    [
      { label: 'busy', data: [2, 0, 1] },
      { label: 'completed', data: [0, 0, 4] },
    ],
  );
  t.same(
    byLabel(rows.slice(0, 2), ['d1', 'd2', 'd3'], (r) => r.day, [['n', (r) => r.n]]),
    [{ label: 'n', data: [2, null, 1] }],
  );
  t.equal(ratio(1, 3), 0.33);
  t.equal(ratio(1, 0), null);
});

t.test('the data block cannot be closed by the data', async (t) => {
  const chart = {
    id: 'classes',
    drawing: { type: 'bar', labels: ['</script><script>alert(1)</script>'], datasets: [] },
  } as unknown as ChartReport;
  const block = dataBlock([chart]);
  t.notOk(block.includes('<'), 'no < at all');
  t.same(JSON.parse(block), { charts: [{ id: 'classes', drawing: chart.drawing }] }, 'and it reads back the same');
});
