import t from 'tap';
import { amenityAnswer, classesAnswer, hoursAnswer, priceAnswer, storedAnswers } from '../../src/frontdesk/answers.js';
import { checkSentence, sentenceKeys } from '../../src/frontdesk/guard.js';
import { deskLines } from '../../src/frontdesk/lines.js';
import { OfflineReceptionist } from '../../src/frontdesk/receptionist.js';
import { deskKnowledge } from '../../src/frontdesk/knowledge.js';
import { deskFacts, loadDeskPersonas } from '../../src/demo/desk-persona.js';
import { greeted } from '../machines/harness.js';
import { repoPath } from '../support/repo.js';
import { ask, desk, FACTS, known, MONDAY } from './support.js';

// The guard as an allowlist (issue 19, item 1): a sentence is spoken only when it is one of the desk's own answers
// built from the stored facts, or every claim in it is entailed by them, or it makes no claim about the gym. The
// test gym (support.ts): Monday to Thursday 6:00-22:00, Friday 6:00-21:30, Saturday 8:00-18:00, Sunday closed;
// monthly $49 a month, day pass $15 a day; yoga, and spin on Tuesdays at 6 p.m. Its clock: Monday 7 December 2026.

const k = known();

const INVENTED_EN = [
  // Hours: a true time on the wrong day, a day's wrong time, "close at" on a closed day.
  'On friday we close at ten p.m.',
  'We open at eight a.m. on mondays.',
  'On sunday we close at six p.m.',
  'On saturday we open at six a.m.',
  'Tomorrow we close at nine thirty p.m.',
  'We close at ten p.m.',
  "We're open on sunday.",
  "We're closed on mondays.",
  "We're open seven days a week.",
  "We're open twenty four hours on saturdays.",
  "On weekends we're open eight a.m. to six p.m.",
  // Classes: not stored, or a stored one on the wrong day or at the wrong time.
  'We have hot yoga.',
  'We also run zumba on wednesdays.',
  'Yes, spin is on thursdays.',
  'Spin is at seven p.m.',
  'Yoga is on fridays.',
  // Plans: a true price for the wrong plan, or with the wrong period, or a plan not stored.
  'The annual membership is forty nine dollars a month.',
  'The day pass is forty nine dollars.',
  'The monthly membership is fifteen dollars a month.',
  'The monthly membership is forty nine dollars a year.',
  'We have a student plan.',
  'Our family membership is forty nine dollars a month.',
  // Anything else.
  "We're at 120 Main Street.",
  'No contract, cancel anytime.',
  'The membership includes unlimited classes.',
  'Kids are welcome.',
  'Your first class is free.',
  'We have over 200 machines.',
  'We have a pool.',
  "We don't have a pool.",
  'Parking is right outside.',
  // More of the same kinds, phrased as a model would.
  'Spin is on tuesdays and thursdays.',
  'We have yoga on mondays.',
  'Our yoga class is at 7 a.m.',
  'We close at 9:30 on weekdays.',
  "We're open until midnight on fridays.",
  'Fifteen dollars gets you a monthly membership.',
  "It's forty nine dollars a month for the annual plan.",
  'The day pass is fifteen dollars a month.',
  'We have two plans.',
];

const INVENTED_ES = [
  'El domingo cerramos a las diez de la noche.',
  'El viernes cerramos a las diez de la noche.',
  'Los lunes abrimos a las ocho de la mañana.',
  'El domingo abrimos.',
  'Tenemos spin los jueves.',
  'Sí, el spin es los jueves.',
  'Tenemos yoga caliente.',
  'Tenemos zumba los miércoles.',
  'El plan anual cuesta cuarenta y nueve dólares al mes.',
  'El pase diario cuesta cuarenta y nueve dólares.',
  'El plan mensual cuesta cuarenta y nueve dólares al año.',
  'Estamos en la calle Reforma 120.',
  'Sin contrato, puede cancelar cuando quiera.',
  'La membresía incluye clases ilimitadas.',
  'Los niños son bienvenidos.',
  'La primera clase es gratis.',
  'Tenemos estacionamiento.',
];

// Claims in words none of the claim checks' lists hold: stopped because a word is not on the closed vocabulary.
const UNLISTED_EN = [
  'We have a rooftop terrace.',
  "We're open late.",
  'Parking is easy.',
  'Our trainers are certified.',
  "We're open late on fridays.",
  'The staff are friendly.',
  'We have brand new equipment.',
  'The gym is never crowded.',
  "We're open to the public.",
  // Words of the lists said where they state something: praise of the gym, "now" of its hours, a denial.
  'Our staff are great.',
  'We have great classes.',
  "We're open now.",
  "We're opening soon.",
  "We don't have yoga.",
  "We don't sell day passes.",
];

const UNLISTED_ES = [
  'Tenemos terraza.',
  'Estamos abiertos hasta tarde.',
  'El personal es muy amable.',
  'Nuestros entrenadores están certificados.',
  'Tenemos equipo nuevo.',
  'Estamos cerca del metro.',
  'No tenemos yoga.',
];

t.test('every invention is stopped, in English and in Spanish', async (t) => {
  for (const s of INVENTED_EN) t.notOk(checkSentence(s, k).ok, `blocked: ${s}`);
  for (const s of INVENTED_ES) t.notOk(checkSentence(s, k, 'es').ok, `blocked: ${s}`);
  for (const s of UNLISTED_EN) t.notOk(checkSentence(s, k).ok, `blocked: ${s}`);
  for (const s of UNLISTED_ES) t.notOk(checkSentence(s, k, 'es').ok, `blocked: ${s}`);
  // The ones no claim check reads are stopped for their words alone.
  for (const s of ['We have a rooftop terrace.', "We're open late.", 'Our trainers are certified.'])
    t.same(checkSentence(s, k).problems, ['words'], s);
  t.same(checkSentence('Tenemos terraza.', k, 'es').problems, ['words']);
});

// What a model says around the facts: courtesy in the closed vocabulary, in both languages.
const COURTESY_EN = [
  'Of course!',
  'Let me check that for you.',
  'Is there anything else I can help you with?',
  'I can take a message for the staff.',
  "One moment, I'll put you through.",
  'Sure thing!',
  "I'd be happy to help.",
  "You're welcome!",
  'No problem.',
  'Thanks for calling Iron Temple, how can I help you today?',
  "I'm sorry, I don't know that.",
  'Could you repeat that, please?',
  'Would you like to leave a message?',
  'Please hold while I transfer you.',
  'Let me look that up.',
];

const COURTESY_ES = [
  '¡Claro!',
  'Déjeme revisar eso.',
  'Un momento, le comunico con el personal.',
  '¿Hay algo más en que le pueda ayudar?',
  'Con gusto le tomo un mensaje para el personal.',
  '¡De nada!',
  'Que tenga un buen día.',
  'Por supuesto.',
  'Perfecto, un momento por favor.',
  '¿Me puede repetir su nombre?',
  'Lo siento, no sé eso.',
];

t.test('a clause that says it does not know may name the caller’s own words, nothing else may', async (t) => {
  const callerSaid = 'Do you have a rooftop terrace?';
  t.ok(checkSentence("I don't know about the rooftop terrace.", k, 'en', { callerSaid }).ok);
  t.notOk(checkSentence("I don't know about the rooftop terrace.", k).ok, 'words nobody said');
  t.notOk(checkSentence('We have a rooftop terrace.', k, 'en', { callerSaid }).ok, 'not as a claim');
  t.notOk(checkSentence("I'm not sure, but we have a rooftop terrace.", k, 'en', { callerSaid }).ok);
  const dijo = '¿Tienen terraza?';
  t.ok(checkSentence('No sé si tenemos terraza.', k, 'es', { callerSaid: dijo }).ok);
  t.notOk(checkSentence('Tenemos terraza.', k, 'es', { callerSaid: dijo }).ok);
});

t.test('sentences the desk built in this call pass as they are', async (t) => {
  const line = "I don't know whether we have a rooftop terrace; I can take a message.";
  t.notOk(checkSentence(line, k).ok);
  t.ok(checkSentence(line, k, 'en', { built: new Set(sentenceKeys(line)) }).ok);
  t.notOk(checkSentence('We have a rooftop terrace.', k, 'en', { built: new Set(sentenceKeys(line)) }).ok);
});

const TRUE_EN = [
  "Today we're open six a.m. to ten p.m.",
  "On friday we're open six a.m. to nine thirty p.m.",
  'On friday we close at nine thirty p.m.',
  'We open at eight a.m. on saturdays.',
  "We're closed on sunday.",
  "We're open from 6 AM to 10 PM today.",
  'Tonight we close at ten p.m.',
  'The monthly membership is forty nine dollars a month.',
  'A day pass is $15.',
  'The day pass is fifteen dollars a day.',
  'Yes, spin is on tuesdays at six p.m.',
  'Yes, we have spin, tuesdays at six p.m.',
  'We have yoga and spin.',
  "I'm not sure whether we have a pool; I can take a message.",
  "I don't know about the pool.",
  "I don't know whether we have zumba.",
  'Thanks for calling Iron Temple. This is the automated front desk.',
  'Sure, let me check that for you.',
  'Is there anything else I can help with?',
  "You're welcome, have a great day!",
  'One moment, please.',
  'Would you like me to take a message for the staff?',
  'I can put you through to someone at the desk.',
  'Thanks for calling, goodbye!',
  // The same facts as a model might phrase them.
  "We're open from six in the morning until ten at night today.",
  "Monday through Thursday we're open 6 AM to 10 PM, Friday until 9:30 PM.",
  'Friday we close at 9:30 PM.',
  'Our spin class is on Tuesdays at 6 PM.',
  'Yes! We do have yoga classes.',
  'The monthly plan is $49 per month.',
  'Fifteen dollars gets you a day pass.',
  'The monthly membership is forty nine dollars a month and the day pass is fifteen dollars a day.',
  'Hello! How can I help you today?',
  'Have a great weekend!',
  "Great, I've passed your message on, and someone will call you back soon.",
];

const TRUE_ES = [
  'Hoy abrimos de seis de la mañana a diez de la noche.',
  'El viernes cerramos a las nueve y media de la noche.',
  'El domingo estamos cerrados.',
  'El pase diario cuesta quince dólares al día.',
  'Sí, tenemos spin los martes.',
  'No sé si tenemos piscina.',
  'Con gusto, déjeme revisar.',
  '¿Le puedo ayudar en algo más?',
  '¿Quiere que le tome un mensaje?',
  '¿En qué le puedo ayudar hoy?',
  'El plan mensual cuesta 49 dólares al mes.',
  'La clase de spin es los martes a las seis de la tarde.',
  'El domingo no abrimos.',
];

t.test('true sentences, courtesy lines (the desk’s and a model’s) and unknowns pass', async (t) => {
  for (const s of [...TRUE_EN, ...COURTESY_EN]) t.same(checkSentence(s, k), { ok: true, problems: [] }, s);
  for (const s of [...TRUE_ES, ...COURTESY_ES]) t.same(checkSentence(s, k, 'es'), { ok: true, problems: [] }, s);
});

t.test('every sentence the lookup returns passes, for every kind of question', async (t) => {
  for (const language of ['en', 'es'] as const) {
    const answers = [
      ...(['today', 'tomorrow', 'week', 'mon', 'fri', 'sat', 'sun'] as const).map((d) => hoursAnswer(k, d, language)),
      priceAnswer(k, undefined, undefined, language),
      priceAnswer(k, 'monthly', undefined, language),
      priceAnswer(k, undefined, 'day', language),
      priceAnswer(k, 'student', undefined, language),
      classesAnswer(k, undefined, language),
      classesAnswer(k, 'spin', language),
      classesAnswer(k, 'zumba', language),
      amenityAnswer(language === 'es' ? 'piscina' : 'pool', language),
    ];
    for (const s of [...answers.flatMap((a) => a.sentences), ...storedAnswers(k, language)])
      t.same(checkSentence(s, k, language), { ok: true, problems: [] }, `${language}: ${s}`);
  }
});

t.test('the caller’s own number may be read back; another number may not', async (t) => {
  const callerSaid = 'My number is two oh one, five five five, zero one two three.';
  const line = deskLines('en').messageTaken('Maria Lopez', '+12015550123');
  t.ok(checkSentence(line, k, 'en', { callerSaid, built: new Set(sentenceKeys(line)) }).ok, line);
  // The model's own words around the name the message was stored under.
  const stored = new Set(['maria', 'lopez']);
  const own =
    "I've passed your message on, Maria, and the staff will call you back on two oh one, five five five, zero one two three.";
  t.ok(checkSentence(own, k, 'en', { callerSaid, stored }).ok, own);
  t.notOk(checkSentence(own, k, 'en', { callerSaid }).ok, 'a name not stored is not said');
  t.notOk(
    checkSentence('Call us back on two oh one, five five five, nine nine nine nine.', k, 'en', { callerSaid }).ok,
  );
  t.notOk(checkSentence(line, k, 'en').ok, 'without the caller’s words the number is not known to be theirs');
});

t.test('stored facts of another gym: the checks read the facts, not fixed words', async (t) => {
  const other = known(MONDAY, {
    ...FACTS,
    hours: { ...FACTS.hours, sun: { opens: '09:00', closes: '14:00' } },
    pricing: [...FACTS.pricing, { plan: 'annual', amountMinor: 39900, currency: 'USD', period: 'year' }],
    classes: [...FACTS.classes, { name: 'hot yoga', schedule: 'thursdays at seven p.m.' }],
  });
  for (const s of [
    'On sunday we close at two p.m.',
    'The annual membership is three hundred ninety nine dollars a year.',
    'We have hot yoga on thursdays.',
  ])
    t.same(checkSentence(s, other), { ok: true, problems: [] }, s);
  t.notOk(checkSentence('The annual membership is forty nine dollars a year.', other).ok);
});

t.test('the six front-desk personas: every answer the offline desk gives them passes', async (t) => {
  const personas = await loadDeskPersonas(repoPath('scenarios/front-desk'));
  t.equal(personas.length, 6);
  for (const p of personas) {
    const f = deskFacts(p.facts);
    const place = { ...p.gym, subdivision: p.gym.subdivision ?? null };
    const kp = deskKnowledge(place, { ...f, stale: [] }, { now: MONDAY, defaultTimeZone: 'UTC' });
    const { llm, blocked } = desk(new OfflineReceptionist(), kp);
    const h = greeted({ mode: 'front-desk', llm });
    const said: string[] = [];
    for (const turn of p.turns) said.push(await ask(h, turn.say));
    t.same(blocked, [], `${p.name}: nothing stopped (${said.join(' | ')})`);
    t.notMatch(said.join(' '), /don't have that information/, `${p.name}: no answer replaced`);
  }
});
