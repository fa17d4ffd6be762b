import t from 'tap';
import { instantOf, localIso, offsetAt } from '../../src/campaigns/policy/local-time.js';
import { isPublicHoliday } from '../../src/campaigns/policy/holidays.js';
import { DEFAULT_WINDOW } from '../../src/campaigns/policy/retry-rules.js';
import { isInWindow, nextCallTime, windowsOn } from '../../src/campaigns/policy/windows.js';
import type { GymCallingContext } from '../../src/campaigns/types.js';

const NY = 'America/New_York';
const gym = (over: Partial<GymCallingContext> = {}): GymCallingContext => ({ gymId: '1', timeZone: NY, ...over });
const iso = (d: Date | undefined): string | undefined => d?.toISOString().replace(':00.000Z', 'Z');
const spans = (g: GymCallingContext, y: number, m: number, d: number, rules = DEFAULT_WINDOW): string[] =>
  windowsOn(g, { year: y, month: m, day: d }, rules).map(
    (w) => `${localIso(w.start, g.timeZone)}–${localIso(w.end, g.timeZone).slice(11)}`,
  );

t.test('without known hours: weekdays 10:00–17:00 local, nothing at the weekend', async (t) => {
  t.same(spans(gym(), 2026, 12, 7), ['2026-12-07T10:00–17:00']);
  t.same(spans(gym(), 2026, 12, 5), [], 'Saturday');
  t.same(spans(gym(), 2026, 12, 6), [], 'Sunday');
  // Friday 17:30 New York: the next window is Monday 10:00 EST (15:00 UTC).
  t.equal(iso(nextCallTime(gym(), new Date('2026-12-04T22:30:00Z'), DEFAULT_WINDOW)), '2026-12-07T15:00Z');
  // Inside a window, now is the time.
  t.equal(iso(nextCallTime(gym(), new Date('2026-12-07T16:20:00Z'), DEFAULT_WINDOW)), '2026-12-07T16:20Z');
});

t.test('both sides of the date line: one instant, two local days', async (t) => {
  // Friday 4 December 2026, 20:00 UTC: Saturday 10:00 on Kiritimati (UTC+14), Friday 09:00 in Pago Pago (UTC-11).
  const now = new Date('2026-12-04T20:00:00Z');
  const kiritimati = gym({ timeZone: 'Pacific/Kiritimati' });
  const pagoPago = gym({ timeZone: 'Pacific/Pago_Pago' });
  t.equal(localIso(now, kiritimati.timeZone), '2026-12-05T10:00');
  t.equal(localIso(now, pagoPago.timeZone), '2026-12-04T09:00');
  // Kiritimati's weekend has begun: Monday 10:00 there is Sunday 20:00 UTC.
  t.equal(iso(nextCallTime(kiritimati, now, DEFAULT_WINDOW)), '2026-12-06T20:00Z');
  // Pago Pago's Friday window opens in an hour.
  t.equal(iso(nextCallTime(pagoPago, now, DEFAULT_WINDOW)), '2026-12-04T21:00Z');
  // Samoa moved across the date line and skipped Friday 30 December 2011: no window on a day that never was.
  const apia = gym({ timeZone: 'Pacific/Apia' });
  t.same(spans(apia, 2011, 12, 30), []);
  t.same(spans(apia, 2011, 12, 29), ['2011-12-29T10:00–17:00']);
  t.equal(
    iso(nextCallTime(apia, new Date('2011-12-30T04:00:00Z'), DEFAULT_WINDOW)),
    '2012-01-01T20:00Z',
    'Mon 2 Jan 10:00 at +14 (Samoa kept summer time then)',
  );
});

t.test('DST: the gap and the overlap, in the US and the EU', async (t) => {
  // US spring forward, Sunday 14 March 2027: 02:00 EST jumps to 03:00 EDT. 02:30 never happens: it is read as
  // 03:30 EDT. US fall back, Sunday 1 November 2026: 01:30 happens twice; the earlier (EDT) one is meant.
  t.equal(iso(instantOf({ year: 2027, month: 3, day: 14 }, 150, NY)), '2027-03-14T07:30Z');
  t.equal(iso(instantOf({ year: 2026, month: 11, day: 1 }, 90, NY)), '2026-11-01T05:30Z');
  t.equal(iso(instantOf({ year: 2026, month: 11, day: 1 }, 150, NY)), '2026-11-01T07:30Z', '02:30 EST, after it');
  // The window's UTC times move with the clock: Friday 10:00 EST = 15:00Z, Monday 10:00 EDT = 14:00Z.
  t.equal(iso(nextCallTime(gym(), new Date('2027-03-12T12:00:00Z'), DEFAULT_WINDOW)), '2027-03-12T15:00Z');
  t.equal(iso(nextCallTime(gym(), new Date('2027-03-13T12:00:00Z'), DEFAULT_WINDOW)), '2027-03-15T14:00Z');
  // A window that starts inside the gap starts when the clock jumps (a night gym, hard limits off for the test).
  const night = gym({ hours: { sun: { opens: '01:00', closes: '05:00' } } });
  const allDay = { ...DEFAULT_WINDOW, earliest: '00:00', latest: '24:00', afterOpeningMin: 60, beforeClosingMin: 60 };
  const [w] = windowsOn(night, { year: 2027, month: 3, day: 14 }, allDay);
  t.equal(iso(w?.start), '2027-03-14T07:00Z', '02:00 is 03:00 EDT');
  t.equal(iso(w?.end), '2027-03-14T08:00Z', '04:00 EDT');
  // On the fall-back night a local window over the repeated hour is an hour longer in real time: 01:00-03:00
  // starts at the first 01:00 (EDT) and lasts three hours.
  const late = gym({ hours: { sun: { opens: '00:00', closes: '04:00' } } });
  const [o] = windowsOn(late, { year: 2026, month: 11, day: 1 }, allDay);
  t.equal(iso(o?.start), '2026-11-01T05:00Z', '01:00 EDT, the first one');
  t.equal(iso(o?.end), '2026-11-01T08:00Z', '03:00 EST');
  // EU: Berlin springs forward on Sunday 28 March 2027 and falls back on Sunday 25 October 2026.
  const berlin = gym({
    timeZone: 'Europe/Berlin',
    hours: { sat: { opens: '08:00', closes: '20:00' }, sun: { opens: '09:00', closes: '18:00' } },
  });
  t.same(spans(berlin, 2027, 3, 28), ['2027-03-28T09:30–17:30']);
  t.equal(
    iso(windowsOn(berlin, { year: 2027, month: 3, day: 27 }, DEFAULT_WINDOW)[0]?.start),
    '2027-03-27T07:30Z',
    'CET',
  );
  t.equal(
    iso(windowsOn(berlin, { year: 2027, month: 3, day: 28 }, DEFAULT_WINDOW)[0]?.start),
    '2027-03-28T07:30Z',
    'CEST',
  );
  t.equal(
    iso(windowsOn(berlin, { year: 2026, month: 10, day: 25 }, DEFAULT_WINDOW)[0]?.start),
    '2026-10-25T08:30Z',
    'CET again',
  );
  t.equal(offsetAt(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Berlin'), 2 * 3_600_000, 'CEST before the change');
});

t.test("public holidays by the gym's country and region", async (t) => {
  const us = gym({ country: 'US' });
  t.ok(isPublicHoliday({ year: 2026, month: 12, day: 25 }, 'US'));
  t.same(spans(us, 2026, 12, 25), [], 'Christmas Day, a Friday');
  t.same(spans(gym(), 2026, 12, 25), ['2026-12-25T10:00–17:00'], 'no country: no holidays skipped');
  // Thursday 24 December 18:00 in New York: Friday is Christmas, so Monday 28th.
  t.equal(iso(nextCallTime(us, new Date('2026-12-24T23:00:00Z'), DEFAULT_WINDOW)), '2026-12-28T15:00Z');
  // César Chávez Day (31 March) is California's, not New York's.
  const ca = gym({ country: 'US', region: 'CA', timeZone: 'America/Los_Angeles' });
  t.same(spans(ca, 2027, 3, 31), []);
  t.same(spans(us, 2027, 3, 31), ['2027-03-31T10:00–17:00']);
  // Epiphany is a public holiday in Bavaria, not in Berlin; an unknown region falls back to the country.
  t.ok(isPublicHoliday({ year: 2027, month: 1, day: 6 }, 'DE', 'BY'));
  t.notOk(isPublicHoliday({ year: 2027, month: 1, day: 6 }, 'DE', 'BE'));
  t.notOk(isPublicHoliday({ year: 2027, month: 1, day: 6 }, 'DE', 'XX'));
  t.ok(isPublicHoliday({ year: 2026, month: 12, day: 25 }, 'de', 'XX'));
  t.notOk(isPublicHoliday({ year: 2026, month: 12, day: 25 }, 'not a country'));
  // Holidays can be switched off per campaign.
  t.same(spans(us, 2026, 12, 25, { ...DEFAULT_WINDOW, skipHolidays: false }), ['2026-12-25T10:00–17:00']);
});

t.test('a gym with known hours and busy class times', async (t) => {
  const weekday = { opens: '06:00', closes: '22:00' };
  const g = gym({
    hours: {
      mon: weekday,
      tue: weekday,
      wed: weekday,
      thu: weekday,
      fri: weekday,
      sat: { opens: '09:00', closes: '14:00' },
      sun: { closed: true },
    },
    busyTimes: [
      { day: 'mon', from: '17:00', to: '19:00' },
      { day: 'sat', from: '09:00', to: '11:00' },
    ],
  });
  // Opening at 06:00 + 30 min is before the 08:00 limit; closing at 22:00 - 30 min is after the 21:00 limit.
  t.same(
    spans(g, 2026, 12, 7),
    ['2026-12-07T08:00–17:00', '2026-12-07T19:00–21:00'],
    'Monday, around the evening classes',
  );
  t.same(spans(g, 2026, 12, 8), ['2026-12-08T08:00–21:00'], 'Tuesday');
  t.same(spans(g, 2026, 12, 12), ['2026-12-12T11:00–13:30'], 'Saturday: the morning classes, then the last half hour');
  t.same(spans(g, 2026, 12, 13), [], 'closed on Sunday');
  // Monday 17:30 local: the next call is at 19:00, after the classes.
  t.equal(localIso(nextCallTime(g, new Date('2026-12-07T22:30:00Z'), DEFAULT_WINDOW) as Date, NY), '2026-12-07T19:00');
  t.ok(isInWindow(g, new Date('2026-12-07T13:00:00Z'), DEFAULT_WINDOW), '08:00 Monday');
  t.notOk(isInWindow(g, new Date('2026-12-07T12:59:00Z'), DEFAULT_WINDOW), '07:59 Monday');
  t.notOk(isInWindow(g, new Date('2026-12-07T23:00:00Z'), DEFAULT_WINDOW), '18:00 Monday, class time');
  // Open around the clock: the desk is called in the default hours, on every day.
  const always = gym({ hours: { sun: { open24h: true } } });
  t.same(spans(always, 2026, 12, 6), ['2026-12-06T10:00–17:00']);
  // Closing after midnight: the day runs to the 21:00 limit.
  t.same(spans(gym({ hours: { fri: { opens: '16:00', closes: '02:00' } } }), 2026, 12, 11), ['2026-12-11T16:30–21:00']);
});
