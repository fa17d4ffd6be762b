import t from 'tap';
import type { NormalisedFacts } from '../../src/db/normalise.js';
import { parsePersona } from '../../src/demo/persona.js';
import { checkCall } from '../../src/demo/scenarios.js';
import { expectedFacts, scoreFacts } from '../../src/demo/score.js';

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

t.test('checkCall: maxFactsWrong fails a call that stored a fact the persona never said', async (t) => {
  const p = parsePersona({
    name: 'hangs-up',
    gym: { name: 'Test Gym', phone: '+15550100001' },
    facts: {
      hours: [{ days: ['mon'], opens: '07:00', closes: '21:00' }],
      pricing: [{ plan: 'monthly', amount: 25, currency: 'USD', period: 'month' }],
      classes: [{ name: 'dance' }],
    },
    behaviour: { hangUpAfterTurn: 2 },
    expect: { minFactsCorrect: 0, maxFactsWrong: 0, endReason: 'caller-hangup' },
  });
  const metrics = {
    responseGapsMs: [500],
    bargeIns: 0,
    falseBargeIns: 0,
    stops: 0,
    onsetToStopMs: [],
    goodbyeCompleted: null,
    repeatedQuestions: 0,
    greetings: 1,
    durationMs: 9000,
    endReason: 'caller-hangup',
  };
  const json = (facts: NormalisedFacts) => ({ callId: 'c', persona: p.name, facts, transcript: [], metrics });
  const none: NormalisedFacts = { hours: {}, pricing: [], classes: [] };
  t.same(checkCall(p, json(none), scoreFacts(expectedFacts(p), none)), [], 'nothing stored: fine');
  const wrong: NormalisedFacts = { hours: { mon: { opens: '07:00', closes: '20:00' } }, pricing: [], classes: [] };
  t.same(
    checkCall(p, json(wrong), scoreFacts(expectedFacts(p), wrong)),
    ['facts 1 stored wrong (at most 0)'],
    'a wrong closing time fails',
  );
});
