import t from 'tap';
import { ReceptionistBrain, understand, type ReceptionistAction } from '../../src/demo/brain.js';
import { parsePersona } from '../../src/demo/persona.js';

const base = {
  name: 'brain-test',
  gym: { name: 'Test Gym', phone: '+15550100001' },
  facts: {
    hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '06:00', closes: '22:00' }],
    pricing: [{ plan: 'monthly', amount: 49, currency: 'USD', period: 'month' }],
    classes: [{ name: 'yoga' }],
  },
};
const persona = (behaviour: object = {}) => parsePersona({ ...base, behaviour });
const said = (a: ReceptionistAction[]) =>
  a
    .filter((x): x is Extract<ReceptionistAction, { type: 'say' }> => x.type === 'say')
    .map((x) => x.text)
    .join(' ');

t.test('understand: the last topic keyword wins; goodbye; unknown', async (t) => {
  t.same(understand('hi I am calling about your hours prices and classes what are your opening hours'), {
    kind: 'ask',
    topic: 'hours',
  });
  t.same(understand('thanks and how much is a membership'), { kind: 'ask', topic: 'pricing' });
  t.same(understand('great what classes do you offer'), { kind: 'ask', topic: 'classes' });
  t.same(understand('thank you so much goodbye'), { kind: 'goodbye' });
  t.same(understand('thank you'), { kind: 'goodbye' });
  t.same(understand(''), { kind: 'unknown' });
  t.same(understand('the weather is nice'), { kind: 'unknown' });
  // A follow-up that names days asks for their hours.
  t.same(understand('got it thanks what about saturday and sunday'), { kind: 'ask', topic: 'hours' });
});

t.test('cooperative: one topic per question, in words', async (t) => {
  const b = new ReceptionistBrain(persona());
  t.match(said(b.opening()), /hello/i);
  t.match(said(b.onAgentUtterance('what are your opening hours')), /six a\.?\s?m/);
  const p = said(b.onAgentUtterance('and how much does a membership cost'));
  t.match(p, /forty nine dollars/);
  t.notMatch(p, /six a\.?\s?m/);
  t.match(said(b.onAgentUtterance('what classes do you have')), /yoga/);
  t.match(said(b.onAgentUtterance('thanks so much goodbye')), /bye/i);
  t.equal(b.turns, 5);
});

t.test('volunteerAllAtOnce answers every topic in one turn', async (t) => {
  const b = new ReceptionistBrain(persona({ volunteerAllAtOnce: true }));
  const s = said(b.onAgentUtterance('what are your hours'));
  t.match(s, /six a\.?\s?m/);
  t.match(s, /forty nine dollars/);
  t.match(s, /yoga/);
});

t.test('thinking pause: filler, pause, then the facts', async (t) => {
  const b = new ReceptionistBrain(persona({ thinkingPauseMs: 1200 }));
  const a = b.onAgentUtterance('what are your hours');
  t.equal(a[0]?.type, 'say');
  t.same(a[1], { type: 'pause', ms: 1200 });
  t.match(said(a.slice(2)), /six a\.?\s?m/);
});

t.test('silent once: first question gets silence, the re-prompt gets the answer', async (t) => {
  const b = new ReceptionistBrain(persona({ silentOnceMs: 9000 }));
  t.same(b.onAgentUtterance('what are your hours'), [{ type: 'pause', ms: 9000, untilAgentSpeaks: true }]);
  t.match(said(b.onAgentUtterance('are you still there what are your opening hours')), /six a\.?\s?m/);
});

t.test('barge-in during greeting, backchannel and cough while the agent speaks', async (t) => {
  const g = new ReceptionistBrain(persona({ bargeInDuringGreeting: true }));
  const first = g.whileAgentSpeaks();
  t.equal(first.length, 1);
  t.ok(first[0]!.action.type === 'say' && first[0]!.action.text.split(' ').length >= 2, 'barge-in has >= 2 words');
  const bc = new ReceptionistBrain(persona({ backchannelDuringAgentSpeech: true, coughDuringAgentSpeech: true }));
  t.same(bc.whileAgentSpeaks(), [], 'not during the greeting');
  const kinds = [bc.whileAgentSpeaks(), bc.whileAgentSpeaks()].flat().map((x) => x.action);
  t.ok(kinds.some((a) => a.type === 'say' && a.kind === 'backchannel'));
  t.ok(kinds.some((a) => a.type === 'cough'));
});

t.test('hangUpAfterTurn ends the call after that turn; dtmf before the first answer', async (t) => {
  const b = new ReceptionistBrain(persona({ hangUpAfterTurn: 2, dtmf: '1#' }));
  t.notOk(b.opening().some((a) => a.type === 'hangup'));
  const a = b.onAgentUtterance('what are your hours');
  t.same(a[0], { type: 'dtmf', digits: '1#' });
  t.same(a[a.length - 1], { type: 'hangup' });
  t.same(b.onAgentUtterance('and the prices'), [], 'nothing after hanging up');
});

t.test('not understood: asks once, then offers what is still missing', async (t) => {
  const b = new ReceptionistBrain(persona());
  t.match(said(b.onAgentUtterance('')), /help/);
  t.match(said(b.onAgentUtterance('')), /six a\.?\s?m/);
  t.match(said(b.onAgentUtterance('mumble')), /what was that/);
  t.match(said(b.onAgentUtterance('mumble')), /forty nine dollars/);
});

t.test('understand: a stray bye inside a question does not end the call', async (t) => {
  t.same(understand('fee about it to bye an cost and all month to us um membership cost uh'), {
    kind: 'ask',
    topic: 'pricing',
  });
  t.same(understand('bye an to you for to or sign up fee goodbye it'), { kind: 'goodbye' });
});

t.test('asked to say it again, the receptionist repeats its last answer', async (t) => {
  const b = new ReceptionistBrain(persona());
  b.opening();
  t.match(said(b.onAgentUtterance('what are your opening hours')), /six a\.?\s?m/);
  // The agent's "Sorry, I didn't quite catch … Could you say them again?" as badly heard as it was in a call.
  t.match(
    said(b.onAgentUtterance('so our a i that week one can to yes or is per do so it um again day')),
    /six a\.?\s?m/,
  );
  t.match(said(b.onAgentUtterance('the weather is nice')), /what was that/i, 'without a repeat word: asks');
});

t.test(
  'a Spanish receptionist: hears the agent in Spanish, answers in her words, picks up in the call language',
  async (t) => {
    t.same(understand('hola soy un asistente automatico cual es su horario de apertura'), {
      kind: 'ask',
      topic: 'hours',
    });
    t.same(understand('perfecto gracias y cuanto cuesta una membresia'), { kind: 'ask', topic: 'pricing' });
    t.same(understand('muy bien que clases de fitness ofrecen'), { kind: 'ask', topic: 'classes' });
    t.same(understand('y el sabado y el domingo'), { kind: 'ask', topic: 'hours' });
    t.same(understand('muchas gracias eso es todo que tenga un buen dia adios'), { kind: 'goodbye' });
    const says = {
      hours: 'Abrimos de lunes a viernes de seis a diez.',
      pricing: 'Cuarenta y nueve dólares al mes.',
      classes: 'Tenemos yoga.',
    };
    const spanish = new ReceptionistBrain(parsePersona({ ...base, language: 'es', says }));
    t.match(said(spanish.opening()), /^(¿Bueno\?|Hola, buenas tardes\.|Gimnasio, dígame\.)$/);
    t.equal(said(spanish.onAgentUtterance('cual es su horario de apertura')), says.hours);
    const switching = new ReceptionistBrain(parsePersona({ ...base, language: 'es', callLanguage: 'en', says }));
    t.match(said(switching.opening()), /hello/i, 'she picks up in English, the call language');
    t.equal(said(switching.onAgentUtterance('what are your opening hours')), says.hours, 'and answers in Spanish');
    t.throws(() => parsePersona({ ...base, language: 'es' }), /says\.hours: a persona speaking es says each fact/);
  },
);
