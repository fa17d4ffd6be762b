import t from 'tap';
import { amenityAnswer, classesAnswer, hoursAnswer, priceAnswer } from '../../src/frontdesk/answers.js';
import { checkSentence } from '../../src/frontdesk/guard.js';
import { deskIntent } from '../../src/frontdesk/intent.js';
import { deskLines } from '../../src/frontdesk/lines.js';
import { planNameEs, sayAmountEs, sayNumberEs, sayTimeEs } from '../../src/frontdesk/lines-es.js';
import { digitsIn, nameFrom, OfflineReceptionist } from '../../src/frontdesk/receptionist.js';
import { greeted } from '../machines/harness.js';
import { ask, desk, FACTS, inventedReply, inventingDesk, known, MONDAY } from './support.js';

// The front desk in Spanish: its spoken values, what Spanish callers ask, the guard reading Spanish sentences, the
// offline receptionist through the call machine, and the OpenAI desk (against the fake) told the call's language
// and stopped when it invents a price or a time in Spanish.

const ES = deskLines('es');

t.test('Spanish values are said in the words spanish.ts reads back', async (t) => {
  t.equal(sayNumberEs(49), 'cuarenta y nueve');
  t.equal(sayNumberEs(21), 'veintiuno');
  t.equal(sayNumberEs(100), 'cien');
  t.equal(sayNumberEs(1250), 'mil doscientos cincuenta');
  t.equal(sayTimeEs('06:00'), 'seis de la mañana');
  t.equal(sayTimeEs('13:00'), 'una de la tarde');
  t.equal(sayTimeEs('21:30'), 'nueve y media de la noche');
  t.equal(sayTimeEs('12:00'), 'mediodía');
  t.equal(sayTimeEs('24:00'), 'medianoche');
  t.equal(sayAmountEs(3999, 'EUR'), 'treinta y nueve con noventa y nueve euros');
  t.equal(sayAmountEs(9999950, 'COP'), '99999 con cincuenta pesos', 'beyond 9,999 in digits, not a RangeError');
  const pesos = known(MONDAY, {
    ...FACTS,
    pricing: [{ plan: 'annual', amountMinor: 1_200_000, currency: 'MXN', period: 'year' as const }],
  });
  const yearly = priceAnswer(pesos, undefined, 'year', 'es').sentences[0] ?? '';
  t.equal(yearly, 'El plan anual cuesta 12000 pesos al año.');
  t.same(checkSentence(yearly, pesos, 'es'), { ok: true, problems: [] }, 'and the guard reads it back');
  t.equal(planNameEs('day pass'), 'el pase diario');
  t.equal(planNameEs('student monthly'), 'el plan estudiante mensual');
  // Every answer the desk can give in Spanish passes the guard: the guard reads the desk's own words.
  const k = known(MONDAY, {
    ...FACTS,
    pricing: [...FACTS.pricing, { plan: 'annual', amountMinor: 39999, currency: 'USD', period: 'year' as const }],
    classes: [
      { name: 'yoga' },
      { name: 'spin', schedule: 'los martes a las seis y media de la tarde' },
      { name: 'boxing' },
      { name: 'hot yoga' },
    ],
    stale: ['hours'],
  });
  const answers = [
    ...(['today', 'tomorrow', 'week', 'sun', 'fri'] as const).map((d) => hoursAnswer(k, d, 'es')),
    priceAnswer(k, undefined, undefined, 'es'),
    priceAnswer(k, 'student', undefined, 'es'),
    priceAnswer(k, undefined, 'week', 'es'),
    classesAnswer(k, undefined, 'es'),
    classesAnswer(k, 'spin', 'es'),
    classesAnswer(k, 'zumba', 'es'),
    amenityAnswer('piscina', 'es'),
  ];
  t.same(hoursAnswer(k, 'today', 'es').sentences, [
    'Hoy abrimos de seis de la mañana a diez de la noche.',
    ES.staleNote,
  ]);
  t.match(priceAnswer(k, undefined, 'year', 'es').sentences, [
    'El plan anual cuesta trescientos noventa y nueve con noventa y nueve dólares al año.',
  ]);
  t.same(classesAnswer(k, undefined, 'es').sentences, ['Nuestras clases son yoga, spin, boxeo y yoga caliente.']);
  t.same(classesAnswer(k, 'boxing', 'es').sentences, ['Sí, tenemos boxeo.']);
  for (const s of answers.flatMap((a) => a.sentences)) t.same(checkSentence(s, k, 'es'), { ok: true, problems: [] }, s);
});

t.test('what Spanish callers ask', async (t) => {
  const table: Array<[string, object]> = [
    ['¿A qué hora abren hoy?', { kind: 'hours', day: 'today' }],
    ['¿a que hora cierran mañana?', { kind: 'hours', day: 'tomorrow' }],
    ['¿Abren el domingo?', { kind: 'hours', day: 'sun' }],
    ['¿Cuál es su horario?', { kind: 'hours', day: 'week' }],
    ['¿Cuánto cuesta la mensualidad?', { kind: 'price', period: 'month' }],
    ['¿Cuánto cuesta el pase diario?', { kind: 'price', period: 'day' }],
    ['¿Tienen plan de estudiante?', { kind: 'price', plan: 'student' }],
    ['¿Tienen clases de spinning?', { kind: 'classes', name: 'spin' }],
    ['¿Qué clases tienen?', { kind: 'classes', name: undefined }],
    ['¿Tienen alberca?', { kind: 'amenity', thing: 'alberca' }],
    ['¿Hay estacionamiento?', { kind: 'amenity', thing: 'estacionamiento' }],
    ['Quiero dejar un mensaje.', { kind: 'message' }],
    ['¿Me pasa con alguien?', { kind: 'person' }],
    ['Quisiera hablar con el gerente, por favor.', { kind: 'person' }],
    ['No, gracias. Adiós.', { kind: 'goodbye' }],
    ['No.', { kind: 'no' }],
    ['Buenas tardes.', { kind: 'unclear' }],
  ];
  for (const [q, intent] of table) t.match(deskIntent(q, 'es'), intent, q);
  t.match(deskIntent('What time do you open today?'), { kind: 'hours', day: 'today' }, 'English unchanged');
  t.equal(digitsIn('dos cero uno, cinco cinco cinco, cero uno dos tres', 'es'), '2015550123');
  t.equal(nameFrom('Me llamo María López.'), 'María López');
});

t.test('the guard reads Spanish sentences', async (t) => {
  const k = known();
  const bad: Array<[string, string]> = [
    ['Hoy abrimos hasta las once de la noche.', 'time'],
    ['Abrimos a las cinco de la mañana entre semana.', 'time'],
    ['Sí, el domingo abrimos.', 'hours'],
    ['Hoy estamos cerrados.', 'hours'],
    ['La mensualidad cuesta treinta y nueve dólares al mes.', 'price'],
    ['Cuesta 59 dólares.', 'price'],
    ['Sí, tenemos zumba.', 'class'],
    ['Tenemos piscina y sauna.', 'amenity'],
    ['Mañana es feriado.', 'holiday'],
    // A denial is a claim too, and "no se preocupe" says nothing is unknown.
    ['No tenemos piscina.', 'amenity'],
    ['No se preocupe, el domingo abrimos.', 'hours'],
    ['No sé si tenemos piscina, pero tenemos zumba.', 'class'],
    ['No estoy seguro de la sauna; el domingo abrimos.', 'hours'],
    ['La mensualidad cuesta cincuenta y nueve pesos.', 'price'],
  ];
  for (const [s, problem] of bad)
    t.ok(checkSentence(s, k, 'es').problems.includes(problem as never), `${s} → ${problem}`);
  t.ok(checkSentence('No sé si tenemos piscina.', k, 'es').ok, 'an unknown may name the amenity');
  t.ok(checkSentence('Mañana abrimos de seis de la mañana a diez de la noche.', k, 'es').ok, 'mañana: tuesday');
  t.ok(checkSentence('No lo sé, pero tenemos yoga y spin.', k, 'es').ok, 'true claims beside an unknown');
  // A gym that charges in pesos: its true prices are amounts (parse-prices.ts's currency words), not times of day.
  const mx = known(MONDAY, {
    ...FACTS,
    pricing: [{ plan: 'day pass', amountMinor: 1500, currency: 'MXN', period: 'day' }],
  });
  for (const s of ['El pase diario es de quince pesos.', 'Son 15 pesos, y el pase diario cuesta quince pesos al día.'])
    t.same(checkSentence(s, mx, 'es'), { ok: true, problems: [] }, s);
  t.same(checkSentence('A day pass is 15 pesos.', mx), { ok: true, problems: [] });
  t.same(checkSentence('El pase diario es de veinte pesos.', mx, 'es').problems, ['price']);
  const thursday = known(new Date('2026-12-10T15:00:00Z')); // mañana viernes, pasado mañana sábado
  t.ok(checkSentence('Pasado mañana abrimos de ocho de la mañana a seis de la tarde.', thursday, 'es').ok);
  t.same(
    checkSentence('Pasado mañana abrimos de seis de la mañana a nueve y media de la noche.', thursday, 'es').problems,
    ['hours'],
  );
});

t.test('the offline desk in Spanish through the call machine', async (t) => {
  const { llm, blocked } = desk(new OfflineReceptionist());
  const h = greeted({ mode: 'front-desk', llm, language: 'es' });
  t.match(h.saidTexts().join(' '), /Gracias por llamar a Iron Temple\. Habla la recepción automática\./);
  t.match(h.saidTexts().join(' '), ES.offer);
  t.match(await ask(h, '¿A qué hora abren hoy?'), /Hoy abrimos de seis de la mañana a diez de la noche\./);
  t.match(await ask(h, '¿Cuánto cuesta el pase diario?'), /El pase diario cuesta quince dólares al día\./);
  t.match(await ask(h, '¿Tienen clases de spinning?'), /Sí, tenemos spin/);
  t.match(await ask(h, '¿Tienen piscina?'), /no tengo información sobre piscina/);
  t.match(await ask(h, 'Quiero dejar un mensaje.'), /¿Cuál es su nombre\?/);
  await ask(h, 'Me llamo María López.');
  await ask(h, 'Dos cero uno, cinco cinco cinco, cero uno dos tres.');
  t.match(await ask(h, 'Es para congelar mi membresía.'), /Gracias, María López\./);
  t.same(
    h.ofType('ledger.message').map((e) => e.message),
    [{ name: 'María López', callbackNumber: '+12015550123', reason: 'para congelar mi membresía.' }],
  );
  t.match(await ask(h, '¿Me pasa con alguien?'), /le comunico con el personal/);
  t.same(blocked, [], 'the receptionist never said what the guard had to stop');
  t.notMatch(h.saidTexts().join(' '), /\b(the|we|you|thanks)\b/i, 'not one English line');
});

t.test('OpenAI desk in Spanish: told the language; an invented price and time are stopped', async (t) => {
  const { fake, llm, blocked } = await inventingDesk(
    t,
    'El plan mensual cuesta cuarenta y nueve dólares al mes. El plan estudiante cuesta veinticinco dólares ' +
      'al mes. Hoy abrimos hasta las once de la noche. ¿Algo más?',
  );
  const h = greeted({ mode: 'front-desk', llm, language: 'es' });
  const said = await ask(h, '¿Cuánto cuesta al mes?');
  for (let i = 0; i < 50 && !said.includes('Algo más'); i++) await h.settle();
  const all = h.saidTexts().join(' ');
  t.match(all, /cuarenta y nueve dólares al mes/, 'the stored price is said');
  for (const invented of ['veinticinco', 'once de la noche'])
    t.notOk(all.includes(invented), `"${invented}" never reached the speaker`);
  t.match(all, /Lo siento, no tengo esa información\./, 'what was stopped is said to be unknown, in Spanish');
  t.same(blocked.flat().sort(), ['hours', 'price', 'time']);
  const first = fake.chatRequests[0]?.body as { messages: Array<{ role: string; content: string }> };
  t.match(first.messages[0]?.content, /The caller speaks Spanish \(español\): answer only in Spanish/);
  const second = fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), { role: 'tool', content: /El plan mensual cuesta cuarenta y nueve dólares al mes/ });
});

t.test('OpenAI desk in Spanish told to invent many facts in one reply: only the stored ones are spoken', async (t) => {
  const inventions = [
    'El domingo cerramos a las diez de la noche.',
    'Tenemos spin los jueves.',
    'Tenemos yoga caliente.',
    'El plan anual cuesta cuarenta y nueve dólares al mes.',
    'Sin contrato, puede cancelar cuando quiera.',
    'Los niños son bienvenidos.',
  ];
  const { blocked, spoken } = await inventedReply(t, {
    lookup: '{"topic":"prices","plan":"monthly"}',
    said: `El plan mensual cuesta cuarenta y nueve dólares al mes. ${inventions.join(' ')} ¿Algo más?`,
    question: '¿Cuánto cuesta al mes y qué más me puede decir?',
    last: 'Algo más',
    language: 'es',
  });
  t.match(spoken, /El plan mensual cuesta cuarenta y nueve dólares al mes\./);
  for (const invented of ['domingo', 'jueves', 'caliente', 'anual', 'contrato', 'niños'])
    t.notOk(spoken.includes(invented), `"${invented}" never reached the speaker`);
  t.equal(spoken.match(/Lo siento, no tengo esa información\./g)?.length, 1);
  t.equal(blocked.length, inventions.length, 'each invention stopped');
});
