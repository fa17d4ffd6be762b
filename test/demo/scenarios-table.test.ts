import t from 'tap';
import { parsePersona, type Persona } from '../../src/demo/persona.js';
import { formatTable, tallyFacts, type ScenarioOutcome, type SuiteSummary } from '../../src/demo/scenarios.js';

// The scenario table's totals must add up on screen: the overall figure leaves out personas not meant to give
// every fact, so the table marks those rows and also prints the plain sum of the column.

function persona(name: string, minFactsCorrect: number): Persona {
  return parsePersona({
    name,
    gym: { name: 'Gym', phone: '+15550100001' },
    facts: {
      hours: [{ days: ['mon', 'tue'], opens: '05:00', closes: '23:00' }],
      pricing: [{ plan: 'monthly', amount: 49, currency: 'USD', period: 'month' }],
      classes: [{ name: 'yoga' }],
    },
    expect: { minFactsCorrect },
  });
}

function outcome(p: Persona, correct: number | undefined): ScenarioOutcome {
  if (correct === undefined)
    return { persona: p, json: undefined, score: undefined, failures: ['did not complete'], error: 'boom' };
  return {
    persona: p,
    json: undefined,
    score: { correct, total: 4, storedWrong: 0, wrong: [] },
    failures: [],
    error: undefined,
  };
}

function summary(outcomes: ScenarioOutcome[]): SuiteSummary {
  const { correct, total, counted } = tallyFacts(outcomes);
  return { outcomes, suiteFailures: [], factsCorrect: correct, factsTotal: total, counted, gapMedianMs: 600 };
}

/** The facts column of each row, and whether the row is marked as left out of the overall figure. */
function factCells(table: string): { correct: number; total: number; marked: boolean }[] {
  return table
    .split('\n')
    .slice(2)
    .map((l) => /^\S+\s+(\d+)\/(\d+)( \*)?\s/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ correct: Number(m[1]), total: Number(m[2]), marked: m[3] !== undefined }));
}

t.test('the overall figure is the sum of the unmarked rows, and the plain sum is shown too', async (t) => {
  const s = summary([
    outcome(persona('cooperative', 1), 4),
    outcome(persona('hangs-up-early', 0), 2),
    outcome(persona('thinking-pauses', 0.9), 3),
  ]);
  const table = formatTable(s);
  t.comment('\n' + table);
  const cells = factCells(table);
  t.same(
    cells.map((c) => c.marked),
    [false, true, false],
    'the persona not meant to give every fact is marked',
  );
  const sum = (xs: typeof cells) =>
    xs.reduce((a, c) => [a[0] + c.correct, a[1] + c.total] as [number, number], [0, 0] as [number, number]);
  const [oc, ot] = sum(cells.filter((c) => !c.marked));
  t.match(table, new RegExp(`^overall facts ${oc}/${ot} \\(88%\\): the 2 rows without \\*`, 'm'));
  const [ac, at] = sum(cells);
  t.match(table, new RegExp(`all 3 rows together ${ac}/${at}$`, 'm'));
  t.match(
    table,
    /^\* not in the overall figure: the persona is not meant to give every fact/m,
    'the mark is explained',
  );
});

t.test('a call that did not complete counts as none of its facts, in its row and in the totals', async (t) => {
  const s = summary([outcome(persona('cooperative', 1), 4), outcome(persona('broken', 1), undefined)]);
  const table = formatTable(s);
  t.same(
    factCells(table).map((c) => `${c.correct}/${c.total}`),
    ['4/4', '0/4'],
  );
  t.match(
    table,
    /^overall facts 4\/8 \(50%\); all 2 rows together 4\/8$/m,
    'no mark, no footnote when every row counts',
  );
  t.notMatch(table, /^\*/m);
});
