import t from 'tap';
import { callbackIn, callbackPerson, earliestCallback, isCallbackRequest } from '../../src/situations/callback.js';
import { gymTimeZone, isTimeZone, wallClock } from '../../src/situations/timezone.js';

// Saturday 5 December 2026, 10:30 in New York (15:30 UTC).
const NOW = new Date('2026-12-05T15:30:00Z');
const NY = 'America/New_York';

t.test("callback requests: when, whom, what, in the gym's local time", async (t) => {
  t.same(callbackIn('Call back after two and ask for Mike.', ['pricing', 'classes'], NOW, NY), {
    earliestLocal: '2026-12-05T14:00',
    timeZone: NY,
    person: 'Mike',
    topics: ['pricing', 'classes'],
    words: 'Call back after two and ask for Mike.',
  });
  t.same(callbackIn('the manager is in tomorrow morning', ['pricing'], NOW, NY), {
    earliestLocal: '2026-12-06T09:00',
    timeZone: NY,
    person: 'the manager',
    topics: ['pricing'],
    words: 'the manager is in tomorrow morning',
  });
  t.same(callbackIn('give us a call monday afternoon about prices', ['hours', 'pricing'], NOW, NY), {
    earliestLocal: '2026-12-07T12:00',
    timeZone: NY,
    person: undefined,
    topics: ['pricing'],
    words: 'give us a call monday afternoon about prices',
  });
  t.same(callbackIn('call back later', ['classes'], NOW, NY), {
    earliestLocal: undefined,
    timeZone: NY,
    person: undefined,
    topics: ['classes'],
    words: 'call back later',
  });
  t.equal(callbackIn('we are open until ten', ['pricing'], NOW, NY), undefined);
});

t.test('earliest time: spoken clock times, business hours, days', async (t) => {
  const cases: [string, string | undefined][] = [
    ['call back tomorrow at ten', '2026-12-06T10:00'],
    ['try again around four thirty', '2026-12-05T16:30'],
    ['call us back after 2 PM', '2026-12-05T14:00'],
    ['the manager gets in at nine', '2026-12-06T09:00'],
    ["he's back at 5:30 tomorrow", '2026-12-06T17:30'],
    ['call back between two and four', '2026-12-05T14:00'],
    ['call back in an hour', '2026-12-05T11:30'],
    ["she's not in right now, try after lunch", '2026-12-05T13:00'],
    ['Mike is in on Tuesday', '2026-12-08'],
    ["try again at two o'clock", '2026-12-05T14:00'],
    ['call back later', undefined],
  ];
  for (const [text, want] of cases) t.equal(earliestCallback(text, NOW, NY), want, text);
  // The same words at 23:30 in New York (04:30 UTC the next day) mean the next day's afternoon.
  t.equal(earliestCallback('call back after two', new Date('2026-12-06T04:30:00Z'), NY), '2026-12-06T14:00');
  // And in London, the same instant is already the 6th.
  t.equal(
    earliestCallback('call back after two', new Date('2026-12-06T04:30:00Z'), 'Europe/London'),
    '2026-12-06T14:00',
  );
  t.equal(
    earliestCallback('call back after two', new Date('2026-12-06T15:30:00Z'), 'Europe/London'),
    '2026-12-07T14:00',
  );
});

t.test('the time said near the callback, not a day the same turn gave for the hours', async (t) => {
  // The offline recogniser's words of one turn: the hours, then a deferral whose "after two" it heard as "after to".
  const heard =
    'monday through friday we open at six a.m. and close at nine sorry i can help with that com back after to you ' +
    'and ask for month';
  t.equal(earliestCallback(heard, NOW, NY), '2026-12-05T14:00', 'after two, today: not "monday"');
  t.equal(
    earliestCallback('we open at six on monday but for prices call back tomorrow after two', NOW, NY),
    earliestCallback('call back tomorrow after two', NOW, NY),
  );
});

t.test('who to ask for', async (t) => {
  t.equal(callbackPerson('ask for Sarah at the front desk'), 'Sarah');
  t.equal(callbackPerson('you can talk to mike tomorrow'), 'Mike');
  t.equal(callbackPerson('our general manager will be in after three'), 'the general manager');
  t.equal(callbackPerson('Jenna is back on Monday'), 'Jenna');
  t.equal(callbackPerson('call back tomorrow'), undefined);
  t.equal(callbackPerson('he is in after two'), undefined);
  // "Ask for Mike" as the offline recogniser heard it: a word of the facts is nobody's name.
  t.equal(callbackPerson('i can help with that com back after to you and ask for month'), undefined);
  t.equal(callbackPerson('ask for monday'), undefined);
});

t.test("the recogniser's 'to' for 'two' after a time preposition", async (t) => {
  t.equal(earliestCallback('come back after to you and ask for mike', NOW, NY), '2026-12-05T14:00');
  t.equal(earliestCallback('call back around too', NOW, NY), '2026-12-05T14:00');
  // Not a time: "to" introducing something else, and "tomorrow".
  t.equal(earliestCallback('call back after tomorrow', NOW, NY) === '2026-12-05T14:00', false);
});

t.test('callback cues and their near misses', async (t) => {
  for (const s of [
    'call back tomorrow',
    'try us again later',
    'ask for Mike',
    'the owner will be in on monday',
    "she isn't here right now",
  ])
    t.ok(isCallbackRequest(s), s);
  for (const s of [
    'we are open tomorrow',
    'our classes are back on monday',
    'thanks for calling',
    'call us any time to book',
  ])
    t.notOk(isCallbackRequest(s), s);
});

t.test("the gym's time zone: a single-zone region, else the configured default", async (t) => {
  t.equal(gymTimeZone('+442079460000', 'America/New_York'), 'Europe/London');
  t.equal(gymTimeZone('+35312345678', 'America/New_York'), 'Europe/Dublin');
  t.equal(gymTimeZone('+12015550123', 'America/Chicago'), 'America/Chicago');
  t.equal(gymTimeZone('+61291234567', 'UTC'), 'UTC');
  t.equal(gymTimeZone('not a number', 'UTC'), 'UTC');
  t.equal(isTimeZone('Europe/Dublin'), true);
  t.equal(isTimeZone('Mars/Olympus'), false);
  t.same(wallClock(NOW, NY), { year: 2026, month: 12, day: 5, hour: 10, minute: 30 });
});

t.test('Spanish callback requests, read in their English words; the words kept are hers', async (t) => {
  t.same(callbackIn('Llame después de las dos y pregunte por Miguel.', ['pricing'], NOW, NY, 'es'), {
    earliestLocal: '2026-12-05T14:00',
    timeZone: NY,
    person: 'Miguel',
    topics: ['pricing'],
    words: 'Llame después de las dos y pregunte por Miguel.',
  });
  t.match(callbackIn('El gerente llega mañana por la mañana.', ['pricing'], NOW, NY, 'es'), {
    earliestLocal: '2026-12-06T09:00',
    person: 'the manager',
  });
  t.match(callbackIn('Vuelva a llamar el lunes por la tarde, por favor.', ['hours'], NOW, NY, 'es'), {
    earliestLocal: '2026-12-07T12:00',
  });
  t.equal(callbackIn('Abrimos a las seis de la mañana.', ['hours'], NOW, NY, 'es'), undefined, 'hours are no callback');
  t.equal(callbackIn('Tenemos yoga y pilates.', ['classes'], NOW, NY, 'es'), undefined);
});
