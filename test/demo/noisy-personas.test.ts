import t from 'tap';
import { join } from 'node:path';
import { ReceptionistBrain } from '../../src/demo/brain.js';
import { parsePersona } from '../../src/demo/persona.js';
import { loadScenarios } from '../../src/demo/scenarios.js';
import { packageRoot } from '../../src/dsp/index.js';
import { AppError } from '../../src/errors.js';

// The noisy personas (scenarios/noisy/): a background around the receptionist's phone, and one who interrupts
// the agent on purpose.

const base = {
  name: 'p',
  gym: { name: 'Gym', phone: '+15550100001' },
  facts: { pricing: [{ plan: 'monthly', amount: 49, currency: 'USD', period: 'month' }] },
};

t.test('scenarios/noisy/ holds valid personas with every kind of background', async (t) => {
  const personas = await loadScenarios(join(packageRoot(), 'scenarios', 'noisy'));
  t.ok(personas.length >= 6, `${personas.length} noisy personas`);
  const kinds = new Set(personas.map((p) => p.background?.kind));
  for (const k of ['music', 'music-vocals', 'chatter', 'street']) t.ok(kinds.has(k as never), `one over ${k}`);
  t.ok(
    personas.some((p) => p.background?.kind === 'music' && p.behaviour.interruptAgent !== null),
    'one interrupts the agent over music',
  );
  const clean = await loadScenarios();
  t.ok(
    clean.every((p) => p.background === undefined),
    'the default suite stays on clean lines',
  );
});

t.test('a background of an unknown kind, or an SNR out of range, is refused by name', async (t) => {
  const refused = (background: unknown) => {
    try {
      parsePersona({ ...base, background }, 'test');
      return '';
    } catch (e) {
      if (e instanceof AppError && e.code === 'PERSONA_INVALID') return e.message;
      throw e;
    }
  };
  t.match(refused({ kind: 'disco', snrDb: 10 }), /background\.kind/);
  t.match(refused({ kind: 'music', snrDb: 99 }), /background\.snrDb/);
  t.match(refused({ kind: 'music', snrDb: 10, seed: -1 }), /background\.seed/);
  t.equal(refused({ kind: 'music', snrDb: 10, seed: 3 }), '');
});

t.test('interruptAgent talks over the chosen agent utterance, once', async (t) => {
  const p = parsePersona({ ...base, behaviour: { interruptAgent: { utterance: 2, afterMs: 1500 } } });
  const brain = new ReceptionistBrain(p);
  t.same(brain.whileAgentSpeaks(), [], 'not over the greeting');
  const second = brain.whileAgentSpeaks();
  t.equal(second.length, 1);
  t.equal(second[0]?.afterMs, 1500);
  t.match(second[0]?.action, { type: 'say', kind: 'interruption' });
  t.same(brain.whileAgentSpeaks(), [], 'only that utterance');
});

t.test(
  'after cutting the agent short she waits for it to say it again, asks again if it does not, then answers',
  async (t) => {
    const p = parsePersona({ ...base, behaviour: { interruptAgent: { utterance: 2, afterMs: 1500 } } });
    const brain = new ReceptionistBrain(p);
    brain.whileAgentSpeaks();
    brain.onAgentUtterance('hi this is an assistant what are your opening hours');
    const [cut] = brain.whileAgentSpeaks();
    brain.saidOverAgent(cut!.action);
    t.same(
      brain.onAgentUtterance('got it thanks what'),
      [{ type: 'pause', ms: 5000, untilAgentSpeaks: true }],
      'the half sentence it stopped in is not a thank-you to answer',
    );
    t.match(
      brain.afterSilence('got it thanks what'),
      [{ type: 'say', text: /what was that/i }],
      'no repeat: she asks again',
    );
    t.match(brain.onAgentUtterance('how much does a membership cost'), [{ type: 'say', kind: 'answer' }]);
  },
);
