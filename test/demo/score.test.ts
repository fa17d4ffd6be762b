import t from 'tap';
import { scoreFacts } from '../../src/demo/score.js';

t.test('scoring counts days, plans (amount+currency+period) and classes; extras are wrong', async (t) => {
  const expected = {
    hours: { mon: { opens: '05:00', closes: '23:00' }, sun: { closed: true as const } },
    pricing: [{ amount: 49, currency: 'USD', period: 'month' as const, plan: 'monthly' }],
    classes: ['yoga', 'spin'],
  };
  t.same(scoreFacts(expected, expected), { correct: 5, total: 5, storedWrong: 0, wrong: [] });
  const got = {
    hours: { mon: { opens: '05:00', closes: '22:00' }, tue: { opens: '05:00', closes: '23:00' } },
    pricing: [{ amount: 49, currency: 'USD', period: 'month' as const, plan: 'basic' }],
    classes: ['yoga', 'zumba'],
  };
  const s = scoreFacts(expected, got);
  t.equal(s.correct, 2, 'the plan (name is free) and yoga');
  t.equal(s.total, 7, 'mon, tue (extra), sun, plan, yoga, spin, zumba (extra)');
  t.equal(s.storedWrong, 3, 'mon (wrong closing), tue and zumba (never said); sun and spin are only missing');
  t.match(s.wrong.join('\n'), /mon: expected/);
  t.match(s.wrong.join('\n'), /tue: not said/);
  t.match(s.wrong.join('\n'), /class zumba not said/);
});
