import t from 'tap';
import { setTimeout as delay } from 'node:timers/promises';
import { sayTime } from '../../src/facts/say.js';
import { holidayAnswer, hoursAnswer, namedHoliday, priceAnswer } from '../../src/frontdesk/answers.js';
import { checkSentence } from '../../src/frontdesk/guard.js';
import { deskIntent } from '../../src/frontdesk/intent.js';
import { DESK_LINES_EN as DESK_LINES } from '../../src/frontdesk/lines.js';
import { callbackNumber, digitsIn, nameFrom, OfflineReceptionist } from '../../src/frontdesk/receptionist.js';
import { greeted } from '../machines/harness.js';
import {
  ask,
  desk,
  FACTS,
  inventedReply,
  inventingDesk,
  known,
  MONDAY,
  PLACE,
  scriptedDesk,
  spokenFor,
} from './support.js';
import { deskKnowledge } from '../../src/frontdesk/knowledge.js';
import type { ScriptedReply } from '../../src/fakes/openai.js';
import { judge } from '../../src/demo/desk-check.js';
import { deskFacts, loadDeskPersonas } from '../../src/demo/desk-persona.js';
import { deskAsr } from '../../src/frontdesk/desk-asr.js';
import { grammarFor } from '../../src/providers/asr/grammars.js';
import type { AsrProvider } from '../../src/providers/asr/types.js';
import { repoPath } from '../support/repo.js';
import { createActor, toPromise } from 'xstate';
import { transferActor } from '../../src/frontdesk/transfer.js';
import { captureLogger } from '../db/helpers/capture-log.js';

// The front desk without audio: the guard, the answers (today and tomorrow in the gym's zone, holidays, staleness,
// unknowns), the receptionist's message, and the desk driven through the real call machine and reply actor (the
// offline receptionist, and the OpenAI desk against the fake, told to invent an amenity, a price and a time).

t.test('today and tomorrow are the gym’s local days; a public holiday is named and its hours unknown', async (t) => {
  const k = known(new Date('2026-12-13T02:00:00Z')); // Saturday 21:00 in New York, Sunday in UTC
  t.equal(k.today.day, 'sat');
  t.match(hoursAnswer(k, 'today'), { known: true, sentences: [`Today we're open eight a.m. to six p.m.`] });
  t.match(hoursAnswer(k, 'tomorrow'), { known: true, sentences: ["Tomorrow we're closed."] });
  const xmasEve = known(new Date('2026-12-24T15:00:00Z'));
  t.same(xmasEve.tomorrow.holiday, { en: 'Christmas Day', es: 'Navidad' }, 'named in each language the desk speaks');
  const a = hoursAnswer(xmasEve, 'tomorrow');
  t.equal(a.known, false);
  t.match(a.sentences[0], /Christmas Day.*don't know our hours/);
  t.ok(checkSentence(a.sentences[0] ?? '', xmasEve).ok, 'the holiday line passes the guard');
  t.match(hoursAnswer(xmasEve, 'tomorrow', 'es').sentences[0], /^Mañana es Navidad,/, 'named in Spanish in Spanish');
  const stale = known(MONDAY, { ...FACTS, stale: ['pricing'] });
  t.same(priceAnswer(stale, undefined, 'day').sentences, [
    'The day pass is fifteen dollars a day.',
    DESK_LINES.staleNote,
  ]);
  const none = known(MONDAY, { hours: {}, pricing: [], classes: [], stale: [] });
  t.same(hoursAnswer(none, 'today'), { sentences: [DESK_LINES.hoursUnknown], known: false });
});

t.test('a weekday of the coming week on a public holiday, or a holiday named, is said as a holiday', async (t) => {
  // Fixed clock: Monday 21 December 2026, 10:00 in New York; Friday 25 is Christmas Day.
  const k = known(new Date('2026-12-21T15:00:00Z'));
  t.same(
    k.week.map((d) => d.date),
    ['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27'],
  );
  const friday = hoursAnswer(k, 'fri');
  t.same(friday, {
    sentences: ["This friday is Christmas Day, and I don't know our hours for the holiday."],
    known: false,
  });
  t.same(hoursAnswer(k, 'fri', 'es').sentences, ['Este viernes es Navidad, y no sé nuestro horario del feriado.']);
  t.same(hoursAnswer(k, 'sat').sentences, ["On saturday we're open eight a.m. to six p.m."], 'another day: its hours');
  t.same(hoursAnswer(known(), 'fri').sentences, ["On friday we're open six a.m. to nine thirty p.m."], 'no holiday');
  // Named by the caller, near or far: the coming one, soonest first.
  const named = (said: string, language?: 'es') => namedHoliday(known(), said, language)?.date;
  t.equal(named('Are you open on Christmas?'), '2026-12-25');
  t.equal(named("what are your hours on new year's day"), '2027-01-01');
  t.equal(named('¿Abren en Navidad?', 'es'), '2026-12-25');
  t.equal(named('Are you open on monday?'), undefined);
  t.same(holidayAnswer(namedHoliday(known(), 'christmas')!).sentences, [
    "Christmas Day is a public holiday, and I don't know our hours for the holiday.",
  ]);
  for (const s of [...friday.sentences, ...holidayAnswer(namedHoliday(known(), 'christmas')!).sentences])
    t.same(checkSentence(s, k), { ok: true, problems: [] }, `the guard passes: ${s}`);
  t.same(checkSentence('Friday is a holiday.', known()).problems, ['hours', 'holiday'], 'none this week: stopped');
  // Through the call machine, the offline receptionist.
  const { llm, blocked } = desk(new OfflineReceptionist(), k);
  const h = greeted({ mode: 'front-desk', llm });
  t.match(await ask(h, 'Are you open on friday?'), /This friday is Christmas Day, and I don't know our hours/);
  t.match(await ask(h, 'Are you open on Christmas?'), /Christmas Day is a public holiday/);
  t.match(await ask(h, 'Are you open on saturday?'), /On saturday we're open eight a\.m\. to six p\.m\./);
  t.same(blocked, []);
});

t.test('OpenAI desk: a holiday the caller names is looked up as one', async (t) => {
  const { fake, llm } = await scriptedDesk(t, [
    { toolCalls: [{ name: 'lookup_facts', arguments: '{"topic":"hours","holiday":"Christmas"}' }] },
    { text: "Christmas Day is a public holiday, and I don't know our hours for the holiday." },
  ]);
  const h = greeted({ mode: 'front-desk', llm });
  t.match(await spokenFor(h, 'Are you open on Christmas?', 'holiday'), /Christmas Day is a public holiday/);
  const second = fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), { role: 'tool', content: /^Not known: Christmas Day is a public holiday/ });
});

t.test('prices in every currency are said in words, and the guard reads its own lines back', async (t) => {
  const plans = [
    ['MXN', 5000, 'The monthly membership is fifty pesos a month.'],
    ['MXN', 49950, 'The monthly membership is four hundred ninety nine pesos and fifty centavos a month.'],
    ['GBP', 4999, 'The monthly membership is forty nine pounds and ninety nine pence a month.'],
    ['EUR', 3999, 'The monthly membership is thirty nine euros and ninety nine cents a month.'],
    ['USD', 120000, 'The monthly membership is one thousand two hundred dollars a month.'],
    [
      'MXN',
      999950,
      'The monthly membership is nine thousand nine hundred ninety nine pesos and fifty centavos a month.',
    ],
    ['COP', 9000000, 'The monthly membership is 90000 pesos a month.'],
    ['CHF', 8000, 'The monthly membership is eighty Swiss francs a month.'],
  ] as const;
  for (const [currency, amountMinor, said] of plans) {
    const pricing = [{ plan: 'monthly', amountMinor, currency, period: 'month' as const }];
    const k = known(MONDAY, { ...FACTS, pricing });
    const line = priceAnswer(k, 'monthly', undefined).sentences[0] ?? '';
    t.match(line, said, `${amountMinor} ${currency}`);
    t.notMatch(line, new RegExp(`\\b${currency}\\b`), 'never the bare ISO code');
    t.same(checkSentence(line, k), { ok: true, problems: [] }, `the guard passes it: ${line}`);
    const cheaper = known(MONDAY, { ...FACTS, pricing: [{ ...pricing[0]!, amountMinor: amountMinor - 1 }] });
    t.equal(checkSentence(line, cheaper).ok, false, 'and stops it when the stored price differs');
  }
});

t.test('the guard passes stored facts and stops every other claim', async (t) => {
  const k = known();
  const ok = [
    "Today we're open six a.m. to ten p.m.",
    "On friday we're open six a.m. to nine thirty p.m.",
    "We're closed on sunday.",
    'The monthly membership is forty nine dollars a month.',
    'A day pass is $15.',
    'Yes, we have spin, tuesdays at six p.m.',
    "I'm not sure whether we have a pool; I can take a message.",
    "I don't know whether we have zumba.",
    'Thanks for calling Iron Temple. This is the automated front desk.',
    DESK_LINES.offer,
  ];
  for (const s of ok) t.same(checkSentence(s, k), { ok: true, problems: [] }, s);
  const bad: Array<[string, string]> = [
    ["We're open until eleven p.m. today.", 'time'],
    ['We open at 5am on weekdays.', 'time'],
    ['Yes, we are open on sunday.', 'hours'],
    ["We're closed today.", 'hours'],
    ['The monthly membership is thirty nine dollars a month.', 'price'],
    ['It costs $59.', 'price'],
    ['We do offer zumba.', 'class'],
    ['We have a pool and a sauna.', 'amenity'],
    ["We don't have parking.", 'amenity'],
    ['Personal training is included.', 'amenity'],
    ['Tomorrow is a holiday.', 'holiday'],
  ];
  for (const [s, problem] of bad) t.ok(checkSentence(s, k).problems.includes(problem as never), `${s} → ${problem}`);
});

t.test('the guard: only the clause that says it does not know is exempt; plan names are not amenities', async (t) => {
  const k = known();
  const bad: Array<[string, string[]]> = [
    ["I'm not sure about the pool, but we have zumba and we're open Sunday.", ['class', 'hours']],
    ["I don't know about parking; we do have a sauna.", ['amenity']],
    ["We offer boxing, but I'm not sure about the schedule.", ['class']],
    ["I'm not sure about the pool and we have zumba.", ['class']],
    ["I can't say about the sauna - we're closed today.", ['hours']],
    ['It costs fifty nine pesos.', ['price']],
  ];
  for (const [s, problems] of bad) t.same(checkSentence(s, k).problems.sort(), problems, s);
  t.ok(checkSentence("I'm not sure about the pool, but we have yoga and spin.", k).ok, 'true claims beside an unknown');
  t.ok(
    checkSentence(
      "Tomorrow is Christmas Day, and I don't know our hours for the holiday.",
      known(new Date('2026-12-24T15:00:00Z')),
    ).ok,
  );
  // A stored plan whose name holds an amenity word: the desk's own answer passes, other discounts are still blocked.
  const student = known(MONDAY, {
    ...FACTS,
    pricing: [...FACTS.pricing, { plan: 'Student discount', amountMinor: 2900, currency: 'USD', period: 'month' }],
  });
  for (const s of priceAnswer(student, 'student', undefined).sentences)
    t.same(checkSentence(s, student), { ok: true, problems: [] }, s);
  t.same(checkSentence('We also have a military discount.', student).problems, ['amenity']);
  t.same(checkSentence('Ask about a guest pass.', student).problems, ['amenity', 'policy']);
});

t.test('the guard reads "the day after tomorrow" as that weekday', async (t) => {
  const thursday = known(new Date('2026-12-10T15:00:00Z')); // tomorrow friday (to 9:30 p.m.), then saturday 8-6
  t.equal(thursday.tomorrow.day, 'fri');
  t.ok(checkSentence("The day after tomorrow we're open eight a.m. to six p.m.", thursday).ok, 'saturday hours');
  t.same(checkSentence("The day after tomorrow we're open six a.m. to nine thirty p.m.", thursday).problems, ['hours']);
  t.same(checkSentence("We're open the day after tomorrow.", known(new Date('2026-12-11T15:00:00Z'))).problems, [
    'hours',
  ]);
});

t.test('what callers ask, and the message’s parts', async (t) => {
  t.match(deskIntent('What time do you close tonight?'), { kind: 'hours', day: 'today' });
  t.match(deskIntent('are you open on saturdays'), { kind: 'hours', day: 'sat' });
  t.match(deskIntent('How much is a day pass?'), { kind: 'price', period: 'day' });
  t.match(deskIntent('do you do pilates'), { kind: 'classes', name: 'pilates' });
  t.match(deskIntent('is there parking'), { kind: 'amenity', thing: 'parking' });
  t.match(deskIntent('Can I talk to someone, please?'), { kind: 'person' });
  t.match(deskIntent("I'd like to leave a message"), { kind: 'message' });
  t.equal(digitsIn('two oh one, five five five, double one two three'), '2015551123');
  t.equal(callbackNumber('2015550123'), '+12015550123');
  t.equal(callbackNumber('123'), undefined);
  t.equal(nameFrom("Hi, my name's maria lopez."), 'Maria Lopez');
});

t.test('a callback number is read in the gym’s country: a Mexican caller’s ten digits are +52', async (t) => {
  t.equal(callbackNumber('5512345678', 'MX'), '+525512345678');
  t.equal(callbackNumber('525512345678', 'MX'), '+525512345678', 'said with its country code');
  t.equal(callbackNumber('12015550123', 'US'), '+12015550123');
  const mexico = { ...PLACE, name: 'Gimnasio Toro', timeZone: 'America/Mexico_City', subdivision: null };
  const opts = { now: MONDAY, defaultTimeZone: 'UTC' };
  t.equal(deskKnowledge({ ...mexico, region: 'MX' }, FACTS, opts).country, 'MX', 'the gym’s region');
  const byPhone = deskKnowledge({ ...mexico, region: null, phone: '+525587654321' }, FACTS, opts);
  t.equal(byPhone.country, 'MX', 'else its own number’s country');
  const { llm } = desk(new OfflineReceptionist(), byPhone);
  const h = greeted({ mode: 'front-desk', llm });
  await ask(h, 'I would like to leave a message.');
  await ask(h, 'My name is Rosa Diaz.');
  await ask(h, 'Five five, one two three four, five six seven eight.');
  await ask(h, 'It is about my membership.');
  t.same(
    h.ofType('ledger.message').map((e) => e.message.callbackNumber),
    ['+525512345678'],
  );
});

/** Every time of day and price said, as spoken forms: what an answer may contain besides its expected values. */
const VALUES =
  /\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?: \w+)? [ap]\.m\.|noon|midnight|\w+(?: \w+)? dollars)/g;

t.test('the offline desk through the call machine: answers, unknowns, a message and a transfer', async (t) => {
  const { llm, blocked } = desk(new OfflineReceptionist());
  const h = greeted({ mode: 'front-desk', llm });
  t.match(h.saidTexts().join(' '), /Thanks for calling Iron Temple\. This is the automated front desk\./);
  // Each question with the values the stored facts give it (independent of the desk's own code: say.ts forms).
  const expected: Array<[string, string[]]> = [
    ['What time do you open today?', [`${sayTime('06:00')} to ${sayTime('22:00')}`]],
    ['How much is a day pass?', ['fifteen dollars']],
    ['Do you have spin classes?', ['spin', `${sayTime('18:00')}`]],
  ];
  for (const [q, values] of expected) {
    const said = await ask(h, q);
    for (const v of values) t.ok(said.includes(v), `${q} → "${said}" says ${v}`);
    const extra = (said.match(VALUES) ?? []).filter((v) => !values.some((e) => e.includes(v) || v.includes(e)));
    t.same(extra, [], `${q}: no value that was not asked for`);
  }
  for (const q of ['Do you have a swimming pool?', 'Do you have zumba?']) {
    const said = await ask(h, q);
    t.match(said, /don't (know|have any information)/, `${q} → unknown: "${said}"`);
    t.same(said.match(VALUES) ?? [], [], 'and no value');
  }
  t.match(await ask(h, 'I would like to leave a message.'), /What's your name\?/);
  t.equal(JSON.stringify(h.actor.getSnapshot().value).includes('takingMessage'), true, 'desk: takingMessage');
  await ask(h, 'My name is Maria Lopez.');
  await ask(h, 'Two oh one, five five five, zero one two three.');
  t.match(await ask(h, 'It is about freezing my membership.'), /Thanks, Maria Lopez/);
  t.same(
    h.ofType('ledger.message').map((e) => e.message),
    [{ name: 'Maria Lopez', callbackNumber: '+12015550123', reason: 'about freezing my membership.' }],
  );
  t.match(await ask(h, 'Can I speak to a person?'), /put you through/);
  await h.settle();
  t.same(
    h.transfers,
    [{ callId: 'c1', language: 'en' }],
    'Twilio asked to dial the staff once the announcement played',
  );
  t.same(
    h.ofType('ledger.transfer').map((e) => [e.to, e.status]),
    [['+15550009999', 'dialling']],
  );
  t.match(h.actor.getSnapshot().value, { live: { desk: 'transferred' } });
  // Twilio's redirect ends our stream: the call ends as transferred, without our hang-up.
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.ofType('call.ended')[0]?.reason, 'transferred');
  t.same(h.ofType('ledger.facts'), [], 'a front-desk caller never adds facts');
  t.same(blocked, [], 'the receptionist never said what the guard had to stop');
});

t.test('a failed transfer is said at the next re-prompt, with the offer of a message', async (t) => {
  const { llm } = desk(new OfflineReceptionist());
  const h = greeted({ mode: 'front-desk', llm, transfer: 'fails' });
  await ask(h, 'Can I talk to the manager?');
  await h.settle();
  t.match(h.actor.getSnapshot().value, { live: { desk: 'answering' } });
  t.same(
    h.ofType('ledger.transfer').map((e) => e.status),
    ['failed'],
  );
  h.advance(h.ctx().timing.idleRepromptMs + 10);
  h.playAll();
  t.match(h.saidTexts().at(-1), /couldn't put you through\. I can take a message/);
});

t.test('a transfer Twilio refuses is stored as failed with its staff number, and the caller hears so', async (t) => {
  const { log, lines } = captureLogger();
  const refusing = { redirect: async () => Promise.reject(new Error('Call is not in-progress. Cannot redirect.')) };
  const actor = createActor(
    transferActor(refusing, 'CA1', async () => '+15550009999', log),
    {
      input: { callId: 'c1', language: 'en' },
    },
  ).start();
  const out = await toPromise(actor);
  t.same(out, { to: '+15550009999', dialled: false }, 'the actor answers instead of failing');
  t.match(lines, [{ msg: 'front desk: Twilio refused the transfer' }]);
  const { llm } = desk(new OfflineReceptionist());
  const h = greeted({ mode: 'front-desk', llm, transfer: out });
  await ask(h, 'Can I talk to the manager?');
  await h.settle();
  t.same(
    h.ofType('ledger.transfer').map((e) => [e.to, e.status]),
    [['+15550009999', 'failed']],
    'GET /v1/calls/{id} shows it (the ledger stores transfers with a number)',
  );
  h.advance(h.ctx().timing.idleRepromptMs + 10);
  h.playAll();
  t.match(h.saidTexts().at(-1), /couldn't put you through\. I can take a message/);
});

t.test('OpenAI desk told to invent: nothing it invents reaches the speaker', async (t) => {
  const { fake, llm, blocked } = await inventingDesk(
    t,
    'The monthly membership is forty nine dollars a month. We also have a heated pool and a sauna. ' +
      'The student plan is twenty five dollars a month. We are open until eleven p.m. today. ' +
      'Anything else?',
  );
  const h = greeted({ mode: 'front-desk', llm });
  const said = await ask(h, 'How much is it a month, and do you have a pool?');
  for (let i = 0; i < 50 && !said.includes('Anything else'); i++) await h.settle();
  const all = h.saidTexts().join(' ');
  t.match(all, /forty nine dollars a month/, 'the stored price is said');
  for (const invented of ['pool', 'sauna', 'twenty five', 'eleven p.m.'])
    t.notOk(all.includes(invented), `"${invented}" never reached the speaker`);
  t.match(all, /I don't have that information/, 'what was stopped is said to be unknown');
  t.same(blocked.flat().sort(), ['amenity', 'hours', 'price', 'time']);
  const second = fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), { role: 'tool', content: /Stored facts.*forty nine dollars a month/ });
  const first = fake.chatRequests[0]?.body as { messages: Array<{ content: string }> };
  t.notMatch(JSON.stringify(first.messages), /forty nine|4900|49/, 'no fact reaches the model but through its tools');
});

t.test('OpenAI desk told to invent many facts in one reply: only the stored ones reach the speaker', async (t) => {
  // Each invention is a claim of a kind the old guard let through (the audit of issue 19): a true time on the wrong
  // day, "close at" on a closed day, a class not stored, a stored class on the wrong day, a true price for a plan
  // not stored, an address, a contract policy, what the membership includes, who is welcome.
  const inventions = [
    'On friday we close at ten p.m.',
    'On sunday we close at six p.m.',
    'We have hot yoga.',
    'Yes, spin is on thursdays.',
    'The annual membership is forty nine dollars a month.',
    "We're at 120 Main Street.",
    'No contract, cancel anytime.',
    'It includes unlimited classes.',
    'Kids are welcome.',
  ];
  // What the speaker was given (every SPEAKER.SAY: what text-to-speech would synthesise) for the question.
  const { fake, blocked, spoken } = await inventedReply(t, {
    lookup: '{"topic":"hours","day":"fri"}',
    said: `On friday we're open six a.m. to nine thirty p.m. ${inventions.join(' ')} Anything else?`,
    question: 'When do you close on friday, and what else should I know?',
    last: 'Anything else',
  });
  t.match(spoken, /On friday we're open six a\.m\. to nine thirty p\.m\./, 'the lookup’s sentence is said');
  t.match(spoken, /Anything else\?/, 'and the courtesy line');
  for (const invented of [
    'ten p.m.',
    'six p.m.',
    'hot yoga',
    'thursday',
    'annual',
    'Main',
    'contract',
    'unlimited',
    'Kids',
  ])
    t.notOk(spoken.includes(invented), `"${invented}" never reached the speaker`);
  t.equal(spoken.match(/I don't have that information/g)?.length, 1, 'replaced once in the reply');
  t.equal(blocked.length, inventions.length, 'each invention stopped');
  t.same([...new Set(blocked.flat())].sort(), ['class', 'hours', 'number', 'policy', 'price']);
  const second = fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), { role: 'tool', content: /word for word\): On friday we're open six a\.m\./ });
});

t.test('OpenAI desk inventing in words no claim check reads: only the lookup’s sentence is spoken', async (t) => {
  // Each invention names no day, time, price, class, amenity or policy word: the closed vocabulary stops them.
  const inventions = [
    'We have a rooftop terrace.',
    "We're open late on fridays.",
    'Our trainers are certified.',
    'The staff are friendly.',
    'We have brand new equipment.',
  ];
  const { blocked, spoken } = await inventedReply(t, {
    lookup: '{"topic":"prices","plan":"monthly"}',
    said: `The monthly membership is forty nine dollars a month. ${inventions.join(' ')} Anything else?`,
    question: 'How much is a month, and what else have you got?',
    last: 'Anything else',
  });
  t.match(spoken, /The monthly membership is forty nine dollars a month\./, 'the lookup’s sentence is said');
  t.match(spoken, /Anything else\?/, 'and the courtesy line');
  for (const invented of ['rooftop', 'terrace', 'late', 'certified', 'friendly', 'equipment'])
    t.notOk(spoken.includes(invented), `"${invented}" never reached the speaker`);
  t.equal(spoken.match(/I don't have that information/g)?.length, 1, 'replaced once in the reply');
  t.same(
    blocked,
    inventions.map(() => ['words']),
    'each invention stopped for its words',
  );
});

t.test('OpenAI desk: the message read back is the desk’s line, and the name stored may be said', async (t) => {
  const { fake, llm, blocked } = await scriptedDesk(t, [
    {
      toolCalls: [
        {
          name: 'take_message',
          arguments: '{"name":"Maria Lopez","callback_number":"2015550123","reason":"freezing my membership"}',
        },
      ],
    },
    {
      text: "Thanks, Maria Lopez. I've passed your message to the staff, and they'll call you back on two zero one, five five five, zero one two three. Thanks, Maria, anything else?",
    },
  ]);
  const h = greeted({ mode: 'front-desk', llm });
  const spoken = await spokenFor(h, "I'm Maria Lopez, please have someone call me.", 'anything else');
  t.match(spoken, /Thanks, Maria Lopez\. I've passed your message to the staff/);
  t.match(spoken, /Thanks, Maria, anything else\?/);
  t.same(blocked, []);
  const second = fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), {
    role: 'tool',
    content: /^ok: the message is stored for the staff\. Say: Thanks, Maria Lopez\./,
  });
});

t.test('OpenAI desk: a message it says it passed on but could not store is asked for again', async (t) => {
  const badMessage = {
    text: "Thanks, I've passed it on.",
    toolCalls: [{ name: 'take_message', arguments: '{"name":"Maria Lopez","callback_number":"one two","reason":"x"}' }],
  };
  const run = async (replies: ScriptedReply[]) => {
    const { fake, llm } = await scriptedDesk(t, replies);
    const h = greeted({ mode: 'front-desk', llm });
    const before = h.saidTexts().length;
    await ask(h, 'My number is one two.');
    // Each round is a request to the fake: the turn ends after the last one.
    for (let i = 0; i < 400 && fake.chatRequests.length < replies.length; i++) await delay(5);
    for (let i = 0; i < 20; i++) {
      await delay(5);
      await h.settle();
      h.playAll(100);
    }
    return { fake, h, said: h.saidTexts().slice(before).join(' ') };
  };
  const corrected = await run([badMessage, { text: DESK_LINES.messageNumberAgain }]);
  t.equal(corrected.fake.chatRequests.length, 2, 'the tool’s error goes back to the model');
  const second = corrected.fake.chatRequests[1]?.body as { messages: Array<{ role: string; content: string | null }> };
  t.match(second.messages.at(-1), { role: 'tool', content: /^error: callback_number/ });
  t.match(corrected.said, /didn't get the number/, `the caller hears it: "${corrected.said}"`);
  t.same(corrected.h.ofType('ledger.message'), [], 'nothing stored');
  // A model that keeps sending it: out of rounds, the desk itself asks for the number again.
  const stubborn = await run([badMessage, badMessage, badMessage]);
  t.equal(stubborn.fake.chatRequests.length, 3);
  t.match(stubborn.said, /didn't get the number\. Could you say it digit by digit\?$/);
  t.same(stubborn.h.ofType('ledger.message'), []);
});

t.test('the scenario suite’s own check of a desk answer, and the desk personas', async (t) => {
  const personas = await loadDeskPersonas(repoPath('scenarios/front-desk'));
  t.same(
    personas.map((p) => p.name),
    ['desk-classes', 'desk-hours', 'desk-message', 'desk-person', 'desk-prices', 'desk-unknown'],
  );
  const p = personas.find((x) => x.name === 'desk-prices')!;
  const facts = deskFacts(p.facts);
  const price = { price: 'day pass' };
  t.match(judge(p, facts, price, 'The day pass is fifteen dollars a day.', MONDAY), { ok: true, invented: [] });
  t.match(judge(p, facts, price, 'It is twenty dollars a day, and we have a sauna.', MONDAY), {
    ok: false,
    invented: ['twenty dollars a day', 'sauna'],
  });
  const pool = { unknown: 'pool' };
  t.match(judge(p, facts, pool, "I'm sorry, I don't have any information on the pool.", MONDAY), {
    ok: true,
    invented: [],
  });
  t.match(judge(p, facts, pool, 'Yes, we have a pool.', MONDAY), { ok: false, invented: ['pool'] });
  // Monday 10:00 in New York: the persona's weekday hours, spoken.
  t.match(judge(p, facts, { hours: 'today' }, "Today we're open five a.m. to eleven p.m.", MONDAY), { ok: true });
  t.match(judge(p, facts, { hours: 'today' }, "Today we're open six a.m. to eleven p.m.", MONDAY), {
    ok: false,
    invented: ['six a.m.'],
  });
});

t.test('a front-desk call listens with the desk grammar whatever the machine hints', async (t) => {
  t.match(grammarFor('desk'), /maria/);
  t.notMatch(grammarFor('open'), /maria/, 'the interview grammars are unchanged');
  const contexts: string[] = [];
  const inner: AsrProvider = {
    name: 'grammar',
    capabilities: {
      interimResults: false,
      utteranceEnd: true,
      vadEvents: false,
      finalize: true,
      contextHints: true,
      confidence: false,
    },
    open: async () => ({
      push: () => {},
      finalize: () => {},
      setContext: (c) => contexts.push(c),
      hurry: () => contexts.push('hurry'),
      close: async () => {},
    }),
  };
  const s = await deskAsr(inner).open({ onEvent: () => {} });
  s.setContext?.('pricing');
  t.same(contexts, ['desk']);
  s.hurry?.();
  t.same(contexts, ['desk', 'hurry'], 'a hurry for the words over the agent still reaches the recogniser');
});
