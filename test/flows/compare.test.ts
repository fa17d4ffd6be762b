import t from 'tap';
import { compareExperiment, type VariantTally } from '../../src/flows/compare.js';

// The verdict with more than two variants: chi-square across all first, then every pair (Holm); a winner only when
// one variant beats every other. And the edge cases: one variant, no control, a variant without lengths or costs.

const arm = (variant: string, conversations: number, complete: number): VariantTally => ({
  variant,
  calls: conversations,
  conversations,
  factsComplete: complete,
  hangupsBeforeFact: 0,
  refusals: 0,
  seconds: { n: conversations, mean: 100, sd: 10, median: 100 },
  costUsd: undefined,
});
const o = { alpha: 0.05, minConversations: 50 };

t.test('three variants: one beats both others', async (t) => {
  const r = compareExperiment('x', [arm('b', 200, 150), arm('control', 200, 80), arm('a', 200, 90)], o);
  t.same(
    r.variants.map((v) => v.variant),
    ['control', 'a', 'b'],
    'control first, then by name',
  );
  t.equal(r.overall?.method, 'chi-square');
  t.equal(r.verdict.kind, 'winner');
  t.equal(r.verdict.winner, 'b');
  t.match(r.verdict.text, /against control 40\.0 %, a 45\.0 %/);
  t.equal(r.variants[1]?.vsControl?.factsComplete?.significant, false, 'a against control: no');
  t.equal(r.variants[2]?.vsControl?.factsComplete?.significant, true, 'b against control: yes');
  t.equal(r.variants[2]?.vsControl?.costUsd, null, 'no costs: no comparison');
  t.equal(r.variants[0]?.vsControl, null, 'control is not compared with itself');
});

t.test('three variants: two tie ahead of control, no single winner', async (t) => {
  const r = compareExperiment('x', [arm('control', 200, 60), arm('a', 200, 120), arm('b', 200, 121)], o);
  t.equal(r.verdict.kind, 'no-single-winner');
  t.match(r.verdict.text, /a > control; b > control on facts complete, but no variant beats every other/);
});

t.test('three variants alike: chi-square says no difference', async (t) => {
  const r = compareExperiment('x', [arm('control', 100, 50), arm('a', 100, 52), arm('b', 100, 49)], o);
  t.equal(r.verdict.kind, 'no-difference');
  t.match(r.verdict.text, /chi-square p = 0\.\d{3}, not below alpha 0\.05/);
});

t.test('control can win, and the minimum holds whatever the p-value', async (t) => {
  t.equal(compareExperiment('x', [arm('control', 100, 90), arm('a', 100, 40)], o).verdict.winner, 'control');
  const early = compareExperiment('x', [arm('control', 49, 45), arm('a', 200, 20)], o);
  t.equal(early.verdict.kind, 'not-enough-calls');
  t.ok((early.overall?.p ?? 1) < 1e-6, 'however small the p-value');
});

t.test('one variant, or none named control', async (t) => {
  t.match(compareExperiment('x', [arm('control', 300, 100)], o).verdict.text, /only control has calls/);
  const r = compareExperiment('x', [arm('a', 100, 80), arm('b', 100, 40)], o);
  t.equal(r.verdict.winner, 'a', 'the verdict compares every pair');
  t.same(
    r.variants.map((v) => v.vsControl),
    [null, null],
    'no control, nothing to compare against',
  );
});
