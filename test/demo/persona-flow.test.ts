import t from 'tap';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../src/dsp/index.js';
import { loadPersona, parsePersona } from '../../src/demo/persona.js';
import { loadScenarios, scenarioDirs, suiteProblems } from '../../src/demo/scenarios.js';
import { expectedFacts } from '../../src/demo/score.js';
import { AppError } from '../../src/errors.js';

// Personas with a phone line (flow): the schema names every problem with its path, the graph is checked (names,
// keys, reachability), every sentence the line says must be one the offline recogniser can hear, and the
// scenarios/flows/ folder covers each situation of issue 16.

const desk = { kind: 'person' };
const base = {
  name: 'p',
  gym: { name: 'Gym', phone: '+12015550199' },
  facts: { hours: [{ days: ['mon'], opens: '06:00', closes: '22:00' }] },
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

t.test('a one-level tree parses with its defaults', async (t) => {
  const p = parsePersona({
    ...base,
    flow: {
      start: 'main',
      nodes: { main: { kind: 'menu', options: [{ key: '2', label: 'membership', to: 'desk' }] }, desk },
    },
    expect: { outcome: 'completed', keys: '2' },
  });
  const main = p.flow?.nodes.main;
  t.equal(main?.kind, 'menu');
  if (main?.kind !== 'menu') return;
  t.equal(main.options[0]?.order, 'label-first');
  t.equal(main.invalid, "Sorry, I didn't get that.");
  t.equal(main.plays, 3);
  t.equal(main.timeout, 'hangup');
});

t.test('graph problems are named: unknown node, repeated key, unreachable node', async (t) => {
  const msg = problems({
    ...base,
    flow: {
      start: 'main',
      nodes: {
        main: {
          kind: 'menu',
          options: [
            { key: '1', label: 'membership', to: 'desk' },
            { key: '1', label: 'billing', to: 'nowhere' },
          ],
        },
        desk,
        island: { kind: 'recording', says: 'hello', then: 'hangup' },
      },
    },
  });
  t.match(msg, /flow\.nodes\.main: key 1 is used twice/);
  t.match(msg, /flow\.nodes\.main\.options\[1\]\.to: no node named "nowhere"/);
  const unreachable = problems({
    ...base,
    flow: { start: 'desk', nodes: { desk, island: { kind: 'recording', says: 'hello', then: 'hangup' } } },
  });
  t.match(unreachable, /flow\.nodes\.island: cannot be reached from flow\.start/);
});

t.test("the line's words must be the recogniser's: unknown words are listed per sentence", async (t) => {
  const msg = problems({
    ...base,
    flow: {
      start: 'main',
      nodes: {
        main: {
          kind: 'menu',
          intro: 'Welcome to Xyzzy Plugh.',
          options: [{ key: '2', label: 'membership', to: 'desk' }],
        },
        desk,
      },
    },
  });
  t.match(msg, /flow\.nodes\.main\.intro: the offline recogniser does not know "welcome", "xyzzy", "plugh"/);
});

t.test('schema errors: a bad key, a bad node kind, a scenario setting that is not a call knob', async (t) => {
  const msg = problems({
    ...base,
    server: { API_TOKEN: 'x'.repeat(40), NOT_A_SETTING: '1', MAX_CALL_MS: '60000' },
    flow: {
      start: 'main',
      nodes: {
        main: { kind: 'menu', options: [{ key: '22', label: 'membership', to: 'desk' }] },
        desk: { kind: 'robot' },
      },
    },
    expect: { outcome: 'great-success' },
  });
  t.match(msg, /flow\.nodes\.main\.options\.0\.key: a key is one of 0-9 \* #/);
  t.match(msg, /flow\.nodes\.desk\.kind/);
  t.match(msg, /server\.API_TOKEN: API_TOKEN cannot be set by a scenario/);
  t.match(msg, /server\.NOT_A_SETTING: NOT_A_SETTING is not a server setting/);
  t.notMatch(msg, /server\.MAX_CALL_MS/);
  t.match(msg, /expect\.outcome/);
});

t.test("a second person's facts get the same vocabulary checks", async (t) => {
  const msg = problems({
    ...base,
    flow: {
      start: 'desk',
      nodes: {
        desk: { kind: 'person', transfer: { topics: ['pricing'], says: 'one moment', to: 'manager' } },
        manager: {
          kind: 'person',
          facts: { pricing: [{ plan: 'monthly', amount: 5000, currency: 'USD', period: 'month' }] },
        },
      },
    },
  });
  t.match(msg, /flow\.nodes\.manager\.facts\.pricing\[0\]\.amount: 5000 is outside the supported prices/);
});

t.test('a persona with a line may know no facts; without one it must know some', async (t) => {
  t.equal(
    problems({
      ...base,
      facts: {},
      flow: { start: 'vm', nodes: { vm: { kind: 'voicemail', greeting: 'please leave a message after the tone' } } },
    }),
    '',
  );
  t.match(problems({ ...base, facts: {} }), /a persona must know at least one fact/);
});

t.test(
  'expected facts are what the people on the line tell: refused and transferred topics come from elsewhere',
  async (t) => {
    const p = parsePersona({
      ...base,
      facts: {
        hours: [{ days: ['mon'], opens: '06:00', closes: '22:00' }],
        pricing: [{ plan: 'monthly', amount: 40, currency: 'USD', period: 'month' }],
        classes: [{ name: 'yoga' }],
      },
      flow: {
        start: 'desk',
        nodes: {
          desk: {
            kind: 'person',
            refuses: [{ topic: 'classes', says: 'it is on our website' }],
            transfer: { topics: ['pricing'], says: 'one moment', to: 'manager' },
          },
          manager: {
            kind: 'person',
            pitchHz: 120,
            facts: { pricing: [{ plan: 'annual', amount: 400, currency: 'USD', period: 'year' }] },
          },
        },
      },
    });
    const e = expectedFacts(p);
    t.same(Object.keys(e.hours), ['mon'], 'the desk tells the hours');
    t.same(
      e.pricing.map((x) => x.amount),
      [400],
      "the manager's price, not the persona's",
    );
    t.same(e.classes, [], 'classes were refused');
  },
);

t.test('scenarios/flows/: valid, one number each, and every situation of issue 16', async (t) => {
  const files = (await readdir(join(packageRoot(), 'scenarios', 'flows'))).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 14, `${files.length} phone-line personas`);
  for (const f of files) await t.resolves(loadPersona(join(packageRoot(), 'scenarios', 'flows', f)), f);
  const all = await loadScenarios([scenarioDirs().base, scenarioDirs().flows]);
  t.same(suiteProblems(all), []);
  const flows = all.filter((p) => p.flow !== undefined);
  const nodes = flows.flatMap((p) => Object.values(p.flow?.nodes ?? {}));
  const menus = (p: (typeof flows)[number]) => Object.values(p.flow?.nodes ?? {}).filter((n) => n.kind === 'menu');
  const outcomes = new Set(flows.map((p) => p.expect.outcome));
  for (const o of ['completed', 'ivr-stuck', 'hold-timeout', 'voicemail-left', 'voicemail-full', 'refused'] as const)
    t.ok(outcomes.has(o), `one expects ${o}`);
  t.ok(outcomes.has('callback-requested') && outcomes.has('wrong-number'), 'a callback and a wrong number');
  t.ok(
    flows.some((p) => menus(p).length === 1 && p.expect.outcome === 'completed'),
    'a one-level tree',
  );
  t.ok(
    flows.some((p) => menus(p).length >= 2 && p.expect.outcome === 'completed'),
    'a two-level tree',
  );
  t.ok(
    flows.some((p) => p.expect.keys === '0'),
    'a tree that needs 0',
  );
  t.ok(
    nodes.some((n) => n.kind === 'hold' && n.ms >= 45_000 && n.sound === 'music' && n.announcement),
    '45 s of music with announcements',
  );
  t.ok(
    flows.some((p) => p.server?.HOLD_MAX_MS !== undefined && p.expect.outcome === 'hold-timeout'),
    'hold past HOLD_MAX_MS',
  );
  t.ok(
    nodes.some((n) => n.kind === 'screening'),
    'call screening',
  );
  t.ok(
    nodes.some((n) => n.kind === 'person' && n.transfer && n.pitchHz === undefined),
    'a transfer ...',
  );
  t.ok(
    nodes.some((n) => n.kind === 'person' && n.pitchHz !== undefined && n.facts),
    '... to a second voice with her facts',
  );
  t.ok(
    nodes.some((n) => n.kind === 'person' && n.refuses.some((r) => r.website)),
    'a refusal with a website',
  );
  t.ok(
    flows.some((p) => p.expect.repeatCall === true),
    'a repeat call',
  );
});
