import t from 'tap';
import type pg from 'pg';
import { withPglite } from '../db/helpers/backends.js';
import { recordFacts } from '../../src/db/repositories/facts.js';
import { gymFreshness, gymsFreshness } from '../../src/gyms/freshness.js';
import type { GymFacts } from '../../src/facts/model.js';

const DAY = 86_400_000;
const T0 = new Date('2026-01-01T15:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

async function gym(pool: pg.Pool, phone: string): Promise<number> {
  const r = await pool.query<{ id: string }>("INSERT INTO gyms (name, phone) VALUES ('G', $1) RETURNING id", [phone]);
  return Number(r.rows[0]?.id);
}

/** One call to the gym on day `d` that stated `facts`. */
async function call(pool: pg.Pool, gymId: number, id: string, d: number, facts: Partial<GymFacts>): Promise<void> {
  await pool.query(
    `INSERT INTO calls (id, gym_id, direction, status, status_at, created_at)
     VALUES ($1, $2, 'outbound', 'in-progress', $3, $3)`,
    [id, gymId, at(d)],
  );
  await recordFacts(pool, id, { hours: {}, pricing: [], classes: [], ...facts }, at(d));
}

const weekdays = (opens: string, closes: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { opens, closes }]));
const monthly = (amountMinor: number) => [{ plan: 'Monthly', amountMinor, currency: 'USD', period: 'month' as const }];

t.test('freshness per topic: value, last confirmed at and by, confirmations, confidence, missing, stale', async (t) => {
  const { backend } = await withPglite(t);
  const pool = backend.pool;
  const g = await gym(pool, '+12015550123');
  await call(pool, g, 'c1', 0, { hours: weekdays('06:00', '22:00'), pricing: monthly(4000) });
  await call(pool, g, 'c2', 30, { hours: weekdays('06:00', '22:00'), pricing: monthly(4500) });
  await call(pool, g, 'c3', 100, { hours: { sat: { opens: '08:00', closes: '18:00' } } });

  t.same((await gymFreshness(pool, g, { asOf: at(120), maxAgeDays: 90 })).stale, [], 'exactly 90 days is not stale');
  const f = await gymFreshness(pool, g, { asOf: at(121), maxAgeDays: 90 });
  t.same(f.missing, ['classes']);
  t.same(
    f.stale,
    ['hours', 'pricing'],
    'weekday hours were last confirmed 91 days ago (the topic is as old as its oldest day), the price too',
  );
  const h = f.topics.hours;
  t.match(h, {
    missing: false,
    stale: true,
    lastConfirmedBy: 'c3',
    confirmations: 1,
    confidence: 'medium',
    missingDays: ['sun'],
  });
  t.same(h.lastConfirmedAt, at(100));
  t.same(h.oldestConfirmedAt, at(30));
  t.match(h.days.mon, { callId: 'c2', confirmations: 2, hours: { opens: '06:00', closes: '22:00' } });
  t.same(h.value.sat, { opens: '08:00', closes: '18:00' });

  const p = f.topics.pricing;
  t.match(p, { missing: false, stale: true, lastConfirmedBy: 'c2', confirmations: 1, confidence: 'low' });
  t.same(p.value, monthly(4500));
  t.same(p.previous, monthly(4000), 'the price before the change, for a follow-up to confirm');
  t.match(f.topics.classes, { missing: true, stale: false, confidence: null, lastConfirmedAt: null, value: [] });

  // A fourth call says the same price: confirmed, high; history is untouched.
  await call(pool, g, 'c4', 110, { pricing: monthly(4500), classes: [{ name: 'Spin', schedule: 'mon 18:00' }] });
  const f2 = await gymFreshness(pool, g, { asOf: at(120), maxAgeDays: 90 });
  t.match(f2.topics.pricing, { confirmations: 2, confidence: 'high', lastConfirmedBy: 'c4' });
  t.same(f2.missing, []);
  const rows = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM fact_plans WHERE gym_id = $1', [g]);
  t.equal(rows.rows[0]?.n, 3, 'every statement kept as history');

  // As of an earlier time (a simulated clock): only what was said by then counts.
  const early = await gymFreshness(pool, g, { asOf: at(10), maxAgeDays: 90 });
  t.match(early.topics.pricing, { confirmations: 1, confidence: 'medium', lastConfirmedBy: 'c1' });
  t.same(early.topics.pricing.value, monthly(4000));
  // A shorter FACTS_MAX_AGE_DAYS makes the price stale.
  t.same((await gymFreshness(pool, g, { asOf: at(120), maxAgeDays: 5 })).stale, ['hours', 'pricing', 'classes']);
});

t.test('several gyms at once; a gym with no facts has every topic missing', async (t) => {
  const { backend } = await withPglite(t);
  const a = await gym(backend.pool, '+12015550123');
  const b = await gym(backend.pool, '+12015550124');
  await call(backend.pool, a, 'ca', 0, { classes: [{ name: 'Yoga' }] });
  const m = await gymsFreshness(backend.pool, [a, b], { asOf: at(1), maxAgeDays: 90 });
  t.same(m.get(a)?.missing, ['hours', 'pricing']);
  t.same(m.get(b)?.missing, ['hours', 'pricing', 'classes']);
  t.same(m.get(a)?.topics.classes.value, [{ name: 'Yoga' }]);
});
