import type pg from 'pg';
import { DAYS, type Day, type DayHours, type GymFacts, type Period } from '../../facts/model.js';
import { cleanText, withTx, type Queryable } from '../sql.js';

// Facts are stored per call (the call each fact came from, and when it was recorded). A gym's current
// facts are derived: for hours, the latest statement per day; for pricing and classes, the list from the
// latest call that talked about that topic (a plan missing from a newer list has been discontinued).
// Older rows stay as history.

/** Upserts the facts a call has produced so far; re-sending the same facts is a no-op. */
export async function recordFacts(pool: pg.Pool, callId: string, facts: GymFacts, at: Date): Promise<void> {
  await withTx(pool, async (tx) => {
    const call = await tx.query<{ gym_id: string | null; end_reason: string | null }>(
      'SELECT gym_id, end_reason FROM calls WHERE id = $1',
      [callId],
    );
    const gymId = call.rows[0]?.gym_id;
    if (gymId == null) throw Object.assign(new Error('facts for an unknown call'), { code: 'NO_CALL' });
    // A finished call's facts are final (its session recorded them before its end, in the same write lane).
    if (call.rows[0]?.end_reason != null) return;
    for (const day of DAYS) {
      const h = facts.hours[day];
      if (!h) continue;
      const [kind, opens, closes] =
        'closed' in h
          ? ['closed', null, null]
          : 'open24h' in h
            ? ['open24h', null, null]
            : ['hours', h.opens, h.closes];
      await tx.query(
        `INSERT INTO fact_hours (gym_id, call_id, day, kind, opens, closes, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (call_id, day) DO UPDATE SET kind = EXCLUDED.kind, opens = EXCLUDED.opens,
           closes = EXCLUDED.closes, recorded_at = EXCLUDED.recorded_at
         WHERE (fact_hours.kind, fact_hours.opens, fact_hours.closes)
               IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.opens, EXCLUDED.closes)`,
        [gymId, callId, day, kind, opens, closes, at],
      );
    }
    for (const [position, p] of facts.pricing.entries()) {
      const plan = cleanText(p.plan);
      await tx.query(
        `INSERT INTO fact_plans (gym_id, call_id, plan_key, plan, amount_minor, currency, period, recorded_at, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (call_id, plan_key, period) DO UPDATE SET plan = EXCLUDED.plan,
           amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency, recorded_at = EXCLUDED.recorded_at,
           position = EXCLUDED.position
         WHERE (fact_plans.plan, fact_plans.amount_minor, fact_plans.currency)
               IS DISTINCT FROM (EXCLUDED.plan, EXCLUDED.amount_minor, EXCLUDED.currency)`,
        [gymId, callId, plan.toLowerCase(), plan, p.amountMinor, p.currency, p.period, at, position],
      );
    }
    for (const [position, c] of facts.classes.entries()) {
      const name = cleanText(c.name);
      await tx.query(
        `INSERT INTO fact_classes (gym_id, call_id, name_key, name, schedule, recorded_at, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (call_id, name_key) DO UPDATE SET name = EXCLUDED.name, schedule = EXCLUDED.schedule,
           recorded_at = EXCLUDED.recorded_at, position = EXCLUDED.position
         WHERE (fact_classes.name, fact_classes.schedule) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.schedule)`,
        [gymId, callId, name.toLowerCase(), name, c.schedule == null ? null : cleanText(c.schedule), at, position],
      );
    }
  });
}

interface HourRow {
  day: Day;
  kind: 'hours' | 'closed' | 'open24h';
  opens: string | null;
  closes: string | null;
}
interface PlanRow {
  plan: string;
  amount_minor: string;
  currency: string;
  period: Period;
}
interface ClassRow {
  name: string;
  schedule: string | null;
}

function toDayHours(r: HourRow): DayHours {
  if (r.kind === 'closed') return { closed: true };
  if (r.kind === 'open24h') return { open24h: true };
  return { opens: r.opens ?? '', closes: r.closes ?? '' };
}

function assemble(hours: HourRow[], plans: PlanRow[], classes: ClassRow[]): GymFacts {
  const out: GymFacts = { hours: {}, pricing: [], classes: [] };
  for (const h of hours) out.hours[h.day] = toDayHours(h);
  out.pricing = plans.map((p) => ({
    plan: p.plan,
    amountMinor: Number(p.amount_minor),
    currency: p.currency,
    period: p.period,
  }));
  out.classes = classes.map((c) => (c.schedule == null ? { name: c.name } : { name: c.name, schedule: c.schedule }));
  return out;
}

// The reads below run one after another, not with Promise.all: they are also made on a transaction's client (the
// webhook events of a call's end, src/webhooks/events.ts), which runs one query at a time anyway and on which pg 8
// deprecates a query issued while another runs.

/** The facts recorded during one call. */
export async function getCallFacts(db: Queryable, callId: string): Promise<GymFacts> {
  const h = await db.query<HourRow>('SELECT day, kind, opens, closes FROM fact_hours WHERE call_id = $1', [callId]);
  const p = await db.query<PlanRow>(
    `SELECT plan, amount_minor, currency, period FROM fact_plans WHERE call_id = $1
      ORDER BY recorded_at, position, plan_key, period`,
    [callId],
  );
  const c = await db.query<ClassRow>(
    'SELECT name, schedule FROM fact_classes WHERE call_id = $1 ORDER BY recorded_at, position, name_key',
    [callId],
  );
  return assemble(h.rows, p.rows, c.rows);
}

/** A gym's current facts (see the rule at the top of this file). */
export async function getGymFacts(db: Queryable, gymId: number): Promise<GymFacts> {
  const h = await db.query<HourRow>(
    `SELECT DISTINCT ON (day) day, kind, opens, closes FROM fact_hours WHERE gym_id = $1
      ORDER BY day, recorded_at DESC`,
    [gymId],
  );
  const p = await db.query<PlanRow>(
    `SELECT plan, amount_minor, currency, period FROM fact_plans
      WHERE call_id = (SELECT call_id FROM fact_plans WHERE gym_id = $1 ORDER BY recorded_at DESC LIMIT 1)
      ORDER BY recorded_at, position, plan_key, period`,
    [gymId],
  );
  const c = await db.query<ClassRow>(
    `SELECT name, schedule FROM fact_classes
      WHERE call_id = (SELECT call_id FROM fact_classes WHERE gym_id = $1 ORDER BY recorded_at DESC LIMIT 1)
      ORDER BY recorded_at, position, name_key`,
    [gymId],
  );
  return assemble(h.rows, p.rows, c.rows);
}

export type FactHistoryItem =
  | { topic: 'hours'; call_id: string; recorded_at: Date; day: Day; hours: DayHours }
  | {
      topic: 'pricing';
      call_id: string;
      recorded_at: Date;
      plan: string;
      amount_minor: number;
      currency: string;
      period: Period;
    }
  | { topic: 'classes'; call_id: string; recorded_at: Date; name: string; schedule: string | null };

/** Every fact ever recorded for a gym, newest first. */
export async function getGymFactHistory(db: Queryable, gymId: number, limit = 500): Promise<FactHistoryItem[]> {
  const [h, p, c] = await Promise.all([
    db.query<HourRow & { call_id: string; recorded_at: Date }>(
      'SELECT call_id, recorded_at, day, kind, opens, closes FROM fact_hours WHERE gym_id = $1 ORDER BY recorded_at DESC LIMIT $2',
      [gymId, limit],
    ),
    db.query<PlanRow & { call_id: string; recorded_at: Date }>(
      `SELECT call_id, recorded_at, plan, amount_minor, currency, period FROM fact_plans WHERE gym_id = $1
        ORDER BY recorded_at DESC LIMIT $2`,
      [gymId, limit],
    ),
    db.query<ClassRow & { call_id: string; recorded_at: Date }>(
      'SELECT call_id, recorded_at, name, schedule FROM fact_classes WHERE gym_id = $1 ORDER BY recorded_at DESC LIMIT $2',
      [gymId, limit],
    ),
  ]);
  const items: FactHistoryItem[] = [
    ...h.rows.map((r) => ({
      topic: 'hours' as const,
      call_id: r.call_id,
      recorded_at: r.recorded_at,
      day: r.day,
      hours: toDayHours(r),
    })),
    ...p.rows.map((r) => ({
      topic: 'pricing' as const,
      call_id: r.call_id,
      recorded_at: r.recorded_at,
      plan: r.plan,
      amount_minor: Number(r.amount_minor),
      currency: r.currency,
      period: r.period,
    })),
    ...c.rows.map((r) => ({
      topic: 'classes' as const,
      call_id: r.call_id,
      recorded_at: r.recorded_at,
      name: r.name,
      schedule: r.schedule,
    })),
  ];
  const order: Record<string, number> = { hours: 0, pricing: 1, classes: 2 };
  items.sort(
    (a, b) => b.recorded_at.getTime() - a.recorded_at.getTime() || (order[a.topic] ?? 0) - (order[b.topic] ?? 0),
  );
  return items.slice(0, limit);
}
