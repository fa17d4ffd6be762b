import t from 'tap';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ReceptionistBrain } from '../../src/demo/brain.js';
import { loadPersona, parsePersona } from '../../src/demo/persona.js';
import { AppError } from '../../src/errors.js';
import { repoPath } from '../support/repo.js';

const valid = {
  name: 'p',
  gym: { name: 'Gym', phone: '+15550100001' },
  facts: {
    hours: [
      { days: ['mon', 'tue'], opens: '05:00', closes: '23:00' },
      { days: ['sun'], closed: true },
    ],
    pricing: [{ plan: 'monthly', amount: 49, currency: 'USD', period: 'month' }],
    classes: [{ name: 'yoga' }, { name: 'Tai Chi' }],
  },
};

function problems(value: unknown): string {
  try {
    parsePersona(value, 'test');
  } catch (e) {
    if (e instanceof AppError && e.code === 'PERSONA_INVALID') return e.message;
    throw e;
  }
  return '';
}

t.test('a valid persona gets defaults for behaviour and voice', async (t) => {
  const p = parsePersona(valid);
  t.equal(p.voice, 'slt');
  t.equal(p.behaviour.volunteerAllAtOnce, false);
  t.equal(p.behaviour.hangUpAfterTurn, null);
  t.equal(p.behaviour.dtmf, null);
});

t.test('schema errors name the path', async (t) => {
  const msg = problems({ ...valid, gym: { name: 'Gym', phone: '555-1234' }, voice: 'kal16', extra: 1 });
  t.match(msg, /gym\.phone: gym\.phone must be E\.164/);
  t.match(msg, /voice:/);
  t.match(msg, /Unrecognized key|unrecognized/i);
});

t.test('vocabulary: every problem is listed at once', async (t) => {
  const msg = problems({
    ...valid,
    facts: {
      hours: [
        { days: ['mon'], opens: '05:10', closes: '23:00' },
        { days: ['mon'], closed: true },
        { days: ['tue'], opens: '24:00', closes: '23:00' },
      ],
      pricing: [{ plan: 'monthly', amount: 1200, currency: 'USD', period: 'month' }],
      classes: [{ name: 'underwater basket weaving' }, { name: 'yoga' }, { name: 'Yoga' }],
    },
  });
  t.match(msg, /outside the supported vocabulary/);
  t.match(msg, /facts\.hours\[0\]\.opens: "05:10" is not on the quarter hour/);
  t.match(msg, /facts\.hours\[1\]\.days: mon is already given by facts\.hours\[0\]/);
  t.match(msg, /facts\.hours\[2\]\.opens: "24:00" can only be a closing time/);
  t.match(msg, /facts\.pricing\[0\]\.amount: 1200 is outside the supported prices/);
  t.match(msg, /facts\.classes\[0\]\.name: "underwater basket weaving" is not a supported class name/);
  t.match(msg, /facts\.classes\[2\]\.name: "Yoga" is listed twice/);
});

t.test('currency other than USD and fractions of a cent are rejected; dollars and cents are a price', async (t) => {
  const msg = problems({
    ...valid,
    facts: { pricing: [{ plan: 'x', amount: 9.505, currency: 'EUR', period: 'month' }] },
  });
  t.match(msg, /currency must be USD/);
  const cents = problems({
    ...valid,
    facts: { pricing: [{ plan: 'monthly', amount: 9.505, currency: 'USD', period: 'month' }] },
  });
  t.match(cents, /9\.505 is outside the supported prices/);
  t.doesNotThrow(() =>
    parsePersona({
      ...valid,
      facts: { pricing: [{ plan: 'monthly', amount: 29.99, currency: 'USD', period: 'month' }] },
    }),
  );
});

t.test('plan names must be a plan word or the period default', async (t) => {
  const msg = problems({
    ...valid,
    facts: { pricing: [{ plan: 'mega deal', amount: 9, currency: 'USD', period: 'month' }] },
  });
  t.match(msg, /facts\.pricing\[0\]\.plan: "mega deal" is not a supported plan name/);
  t.equal(
    problems({ ...valid, facts: { pricing: [{ plan: 'student', amount: 9, currency: 'USD', period: 'month' }] } }),
    '',
  );
});

t.test('a persona without any fact is rejected', async (t) => {
  t.match(problems({ ...valid, facts: {} }), /must know at least one fact/);
});

t.test('loadPersona: unreadable file and bad JSON give clear errors', async (t) => {
  const dir = t.testdir({ 'bad.json': '{"name": ' });
  await t.rejects(loadPersona(join(dir, 'missing.json')), {
    code: 'PERSONA_INVALID',
    message: /cannot read persona file/,
  });
  await t.rejects(loadPersona(join(dir, 'bad.json')), { code: 'PERSONA_INVALID', message: /is not valid JSON/ });
});

t.test('every shipped scenario persona is valid, and the suite covers the required behaviours', async (t) => {
  const dir = repoPath('scenarios') + '/';
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 10, `at least 10 personas (found ${files.length})`);
  const personas = await Promise.all(files.map((f) => loadPersona(join(dir, f))));
  const some = (pred: (p: (typeof personas)[number]) => boolean) => personas.some(pred);
  t.ok(
    some((p) => p.behaviour.volunteerAllAtOnce),
    'volunteers everything',
  );
  t.ok(
    some((p) => p.behaviour.thinkingPauseMs > 0),
    'thinking pauses',
  );
  t.ok(
    some((p) => p.behaviour.silentOnceMs > 0),
    'silent once',
  );
  t.ok(
    some((p) => p.behaviour.bargeInDuringGreeting),
    'barge-in during greeting',
  );
  t.ok(
    some((p) => p.behaviour.backchannelDuringAgentSpeech && p.behaviour.coughDuringAgentSpeech),
    'backchannel + cough',
  );
  t.ok(
    some((p) => p.behaviour.hangUpAfterTurn !== null),
    'hangs up early',
  );
  t.ok(
    some((p) => p.facts.pricing.length >= 2 && p.facts.hours.some((h) => 'closed' in h)),
    'plans + closed days',
  );
  t.ok(
    some((p) => p.facts.hours.some((h) => 'open24h' in h)),
    '24-hour gym',
  );
  t.ok(
    some((p) => p.behaviour.dtmf !== null),
    'dtmf',
  );
  t.ok(personas.filter((p) => p.expect.fast).length >= 2, 'a fast subset exists');
  t.equal(new Set(personas.map((p) => p.name)).size, personas.length, 'names are unique');
});

t.test('spellings that sound alike are accepted and stored in the vocabulary spelling', async (t) => {
  const p = parsePersona({
    ...valid,
    facts: {
      hours: [{ days: ['mon'], opens: '5:00', closes: '23:00' }],
      pricing: [
        { plan: 'drop in', amount: 15, currency: 'USD', period: 'visit' },
        { plan: 'Day-Pass', amount: 20, currency: 'USD', period: 'day' },
        { plan: 'Off-Peak', amount: 29, currency: 'USD', period: 'month' },
        { plan: 'V.I.P.', amount: 999, currency: 'USD', period: 'year' },
      ],
      classes: [{ name: 'Tai-Chi' }, { name: 'Kick Boxing' }, { name: 'cross-fit' }, { name: 'HIIT' }],
    },
  });
  t.same(
    p.facts.pricing.map((x) => x.plan),
    ['drop-in', 'day pass', 'off peak', 'vip'],
  );
  t.same(
    p.facts.classes.map((c) => c.name),
    ['tai chi', 'kickboxing', 'crossfit', 'hiit'],
  );
  t.match(p.facts.hours[0], { opens: '05:00', closes: '23:00' });
  for (const plan of ['drop-in', 'Drop In', 'dropin', 'DROP-IN'])
    t.equal(
      problems({ ...valid, facts: { pricing: [{ plan, amount: 9, currency: 'USD', period: 'visit' }] } }),
      '',
      plan,
    );
});

t.test(
  'sounding alike is not a loophole: other words, and plan names of another period, are still rejected',
  async (t) => {
    t.match(
      problems({ ...valid, facts: { pricing: [{ plan: 'drop out', amount: 9, currency: 'USD', period: 'visit' }] } }),
      /"drop out" is not a supported plan name/,
    );
    t.match(
      problems({ ...valid, facts: { pricing: [{ plan: 'day-pass', amount: 9, currency: 'USD', period: 'month' }] } }),
      /"day-pass" is not a supported plan name for period "month"/,
    );
    t.match(
      problems({ ...valid, facts: { classes: [{ name: 'Yoga' }, { name: 'YOGA!' }] } }),
      /"YOGA!" is listed twice/,
    );
    t.match(problems({ ...valid, facts: { classes: [{ name: '---' }] } }), /"---" is not a supported class name/);
    t.match(
      problems({ ...valid, facts: { hours: [{ days: ['mon'], opens: '5:00', closes: '05:00' }] } }),
      /opens equals closes/,
    );
  },
);

t.test('held-out personas say hours, prices and classes in their own words', async (t) => {
  const dir = repoPath('scenarios/heldout') + '/';
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 6, `at least 6 held-out personas (found ${files.length})`);
  for (const f of files) {
    const p = await loadPersona(join(dir, f));
    t.ok(p.says?.hours && p.says.pricing && p.says.classes, `${p.name} has its own words for every topic`);
    const brain = new ReceptionistBrain(p);
    brain.opening();
    const said = brain.onAgentUtterance('What are your opening hours?');
    t.match(said, [{ type: 'say', kind: 'answer', text: p.says?.hours }], `${p.name} answers hours in its words`);
  }
  t.throws(() => parsePersona({ ...valid, says: { hours: '' } }), { code: 'PERSONA_INVALID' }, 'empty words');
  t.throws(() => parsePersona({ ...valid, says: { weather: 'sunny' } }), { code: 'PERSONA_INVALID' }, 'unknown topic');
});
