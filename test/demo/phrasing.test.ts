import t from 'tap';
import {
  classesSentence,
  dayRuns,
  daysWords,
  hoursSentence,
  numberWords,
  pricingSentence,
  Rng,
  timeWords,
} from '../../src/demo/phrasing.js';

t.test('numbers in words', async (t) => {
  t.equal(numberWords(0), 'zero');
  t.equal(numberWords(15), 'fifteen');
  t.equal(numberWords(40), 'forty');
  t.equal(numberWords(49), 'forty nine');
  t.equal(numberWords(100), 'one hundred');
  t.equal(numberWords(399), 'three hundred ninety nine');
  t.equal(numberWords(999), 'nine hundred ninety nine');
  t.throws(() => numberWords(1000), RangeError);
});

t.test('times in words', async (t) => {
  t.match(timeWords('05:00'), /^five a\.?\s?m\.?$/);
  t.match(timeWords('23:00'), /^eleven p\.?\s?m\.?$/);
  t.match(timeWords('08:30'), /^eight thirty a\.?\s?m\.?$/);
  t.match(timeWords('17:45'), /^five forty five p\.?\s?m\.?$/);
  t.match(timeWords('12:15'), /^twelve fifteen p\.?\s?m\.?$/);
  t.equal(timeWords('12:00'), 'noon');
  t.equal(timeWords('00:00'), 'midnight');
  t.equal(timeWords('24:00'), 'midnight');
});

t.test('day runs and day words', async (t) => {
  t.same(dayRuns(['fri', 'mon', 'tue', 'wed', 'thu', 'sun']), [['mon', 'tue', 'wed', 'thu', 'fri'], ['sun']]);
  const rng = new Rng('x');
  t.match(daysWords(['mon', 'tue', 'wed', 'thu', 'fri'], rng), /^monday through friday$/);
  t.equal(daysWords(['sat', 'sun'], rng), 'saturday and sunday');
  t.equal(daysWords(['sun'], rng, true), 'sundays');
  t.match(daysWords(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], rng), /^(every day|seven days a week)$/);
  t.equal(daysWords(['mon', 'wed'], rng), 'monday and wednesday');
});

t.test('hours sentence says every fact and varies across seeds', async (t) => {
  const hours = [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, opens: '05:00', closes: '23:00' },
    { days: ['sun'] as const, closed: true as const },
  ].map((h) => ({ ...h, days: [...h.days] }));
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const s = hoursSentence(hours, new Rng(`seed${i}`));
    seen.add(s);
    t.match(s, /five a\.?\s?m/);
    t.match(s, /eleven p\.?\s?m/);
    t.match(s, /monday (through|to) friday/i);
    t.match(s, /closed (on )?sundays?/i);
    t.match(s, /^[A-Z].*\.$/);
  }
  t.ok(seen.size >= 3, `varied phrasing (${seen.size} distinct)`);
  t.match(
    hoursSentence([{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open24h: true }], new Rng('a')),
    /twenty four hours/,
  );
});

t.test('pricing and classes sentences', async (t) => {
  const p = pricingSentence(
    [
      { plan: 'monthly', amount: 39, currency: 'USD', period: 'month' },
      { plan: 'annual', amount: 399, currency: 'USD', period: 'year' },
    ],
    new Rng('b'),
  );
  t.match(p, /thirty nine dollars (a|per|each) month/);
  t.match(p, /three hundred ninety nine dollars (a year|per year|annually)/);
  t.match(
    pricingSentence([{ plan: 'drop-in', amount: 1, currency: 'USD', period: 'visit' }], new Rng('c')),
    /one dollar/,
  );
  const c = classesSentence([{ name: 'Yoga' }, { name: 'tai chi' }, { name: 'spin' }], new Rng('d'));
  t.match(c, /yoga, tai chi and spin/);
  t.match(
    pricingSentence([{ plan: 'student', amount: 20, currency: 'USD', period: 'month' }], new Rng('e')),
    /student/,
  );
});

t.test('Rng is deterministic per seed', async (t) => {
  const a = new Rng('same');
  const b = new Rng('same');
  for (let i = 0; i < 5; i++) t.equal(a.next(), b.next());
  t.throws(() => a.pick([]), RangeError);
});
