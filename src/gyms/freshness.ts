import {
  DAYS,
  hoursKey,
  TOPICS,
  type Day,
  type DayHours,
  type GymClass,
  type MembershipPlan,
  type Topic,
} from '../facts/model.js';
import type { Queryable } from '../db/sql.js';

// How fresh a gym's facts are, per topic, for the follow-up planner (src/campaigns/policy/) and the API. Facts are
// stored per call and never overwritten (migration 001, src/db/repositories/facts.ts): each call that talked about a
// topic left its own rows. So "last confirmed" is derived, not stored: the newest call that stated the topic, and
// how many calls in a row (newest first) said the same. The history stays as it was written.
//
// Confidence is how well the current value is backed by what callers said:
// - high:   two or more calls in a row stated this same value (it has been confirmed);
// - medium: one call stated it, and no call before it said anything else;
// - low:    one call stated it, and the call before said something different (a change, or a mishearing, that no
//           second call has confirmed yet: the first thing a follow-up should briefly confirm).
// Hours are stated per day; the topic is as old as its oldest day and as confirmed as its least confirmed day.

export type FactConfidence = 'high' | 'medium' | 'low';

/** One day's hours as currently known. */
export interface DayFreshness {
  readonly hours: DayHours;
  readonly confirmedAt: Date;
  readonly callId: string;
  readonly confirmations: number;
  /** What the day said before the current value, when a call said something different. */
  readonly previous?: DayHours | undefined;
}

interface TopicBase {
  /** Nothing known for the topic (never stated, or every statement was empty). */
  readonly missing: boolean;
  /** Known, but last confirmed (for hours: the oldest day) more than maxAgeDays before `asOf`. */
  readonly stale: boolean;
  /** The newest call that stated the topic, and when. */
  readonly lastConfirmedAt: Date | null;
  readonly lastConfirmedBy: string | null;
  /** For hours the oldest day's confirmation; otherwise the same as lastConfirmedAt. */
  readonly oldestConfirmedAt: Date | null;
  /** Calls in a row, newest first, that stated the current value (hours: the least of the days). */
  readonly confirmations: number;
  readonly confidence: FactConfidence | null;
}

export interface HoursFreshness extends TopicBase {
  readonly topic: 'hours';
  readonly value: Partial<Record<Day, DayHours>>;
  readonly days: Partial<Record<Day, DayFreshness>>;
  /** Days no call has stated: what a follow-up still asks. */
  readonly missingDays: Day[];
}

export interface PricingFreshness extends TopicBase {
  readonly topic: 'pricing';
  readonly value: MembershipPlan[];
  /** The list stated before the current one, when it differed. */
  readonly previous?: MembershipPlan[] | undefined;
}

export interface ClassesFreshness extends TopicBase {
  readonly topic: 'classes';
  readonly value: GymClass[];
  readonly previous?: GymClass[] | undefined;
}

export type TopicFreshness = HoursFreshness | PricingFreshness | ClassesFreshness;

export interface GymFreshness {
  readonly gymId: number;
  readonly asOf: Date;
  readonly maxAgeDays: number;
  readonly topics: {
    readonly hours: HoursFreshness;
    readonly pricing: PricingFreshness;
    readonly classes: ClassesFreshness;
  };
  /** Topics with nothing known, in TOPICS order. */
  readonly missing: Topic[];
  /** Topics known but older than maxAgeDays, in TOPICS order. */
  readonly stale: Topic[];
}

export interface FreshnessOptions {
  /** The clock's now (the campaign's injected clock). */
  readonly asOf: Date;
  /** FACTS_MAX_AGE_DAYS. */
  readonly maxAgeDays: number;
}

const DAY_MS = 86_400_000;

/** One call's statement of a topic: its canonical form compares statements across calls. */
interface Statement<V> {
  readonly callId: string;
  readonly at: Date;
  readonly value: V;
  readonly key: string;
}

interface Run<V> {
  readonly current: Statement<V>;
  readonly confirmations: number;
  readonly previous: Statement<V> | undefined;
}

/** Newest-first statements → the current value, how many in a row said it, and what was said before. */
function run<V>(newestFirst: readonly Statement<V>[]): Run<V> | undefined {
  const current = newestFirst[0];
  if (current === undefined) return undefined;
  let n = 1;
  while (n < newestFirst.length && newestFirst[n]?.key === current.key) n++;
  return { current, confirmations: n, previous: newestFirst[n] };
}

function confidence(r: { confirmations: number; previous?: unknown }): FactConfidence {
  if (r.confirmations >= 2) return 'high';
  return r.previous === undefined ? 'medium' : 'low';
}

function isStale(at: Date | null, o: FreshnessOptions): boolean {
  return at !== null && o.asOf.getTime() - at.getTime() > o.maxAgeDays * DAY_MS;
}

interface HourRow {
  gym_id: string;
  call_id: string;
  recorded_at: Date;
  day: Day;
  kind: 'hours' | 'closed' | 'open24h';
  opens: string | null;
  closes: string | null;
}
interface PlanRow {
  gym_id: string;
  call_id: string;
  recorded_at: Date;
  plan: string;
  amount_minor: string;
  currency: string;
  period: MembershipPlan['period'];
  position: number;
}
interface ClassRow {
  gym_id: string;
  call_id: string;
  recorded_at: Date;
  name: string;
  schedule: string | null;
  position: number;
}

function toDayHours(r: HourRow): DayHours {
  if (r.kind === 'closed') return { closed: true };
  if (r.kind === 'open24h') return { open24h: true };
  return { opens: r.opens ?? '', closes: r.closes ?? '' };
}

function hoursFreshness(rows: readonly HourRow[], o: FreshnessOptions): HoursFreshness {
  const days: Partial<Record<Day, DayFreshness>> = {};
  const value: Partial<Record<Day, DayHours>> = {};
  for (const day of DAYS) {
    const said = rows
      .filter((r) => r.day === day)
      .map((r) => {
        const h = toDayHours(r);
        return { callId: r.call_id, at: r.recorded_at, value: h, key: hoursKey(h) };
      });
    const r = run(said);
    if (r === undefined) continue;
    value[day] = r.current.value;
    days[day] = {
      hours: r.current.value,
      confirmedAt: r.current.at,
      callId: r.current.callId,
      confirmations: r.confirmations,
      ...(r.previous ? { previous: r.previous.value } : {}),
    };
  }
  const known = Object.values(days);
  const newest = known.reduce<DayFreshness | undefined>(
    (a, d) => (a === undefined || d.confirmedAt > a.confirmedAt ? d : a),
    undefined,
  );
  const oldest = known.reduce<Date | null>((a, d) => (a === null || d.confirmedAt < a ? d.confirmedAt : a), null);
  const least = known.reduce<DayFreshness | undefined>((a, d) => {
    if (a === undefined) return d;
    const rank = (x: DayFreshness) => ({ low: 0, medium: 1, high: 2 })[confidence(x)];
    return rank(d) < rank(a) || (rank(d) === rank(a) && d.confirmations < a.confirmations) ? d : a;
  }, undefined);
  return {
    topic: 'hours',
    value,
    days,
    missingDays: DAYS.filter((d) => days[d] === undefined),
    missing: known.length === 0,
    stale: isStale(oldest, o),
    lastConfirmedAt: newest?.confirmedAt ?? null,
    lastConfirmedBy: newest?.callId ?? null,
    oldestConfirmedAt: oldest,
    confirmations: least?.confirmations ?? 0,
    confidence: least === undefined ? null : confidence(least),
  };
}

/** Rows of one gym and topic → one statement per call, newest first (the call's latest write dates it). */
function statements<R extends { call_id: string; recorded_at: Date }, V>(
  rows: readonly R[],
  toValue: (callRows: R[]) => V,
  toKey: (v: V) => string,
): Statement<V>[] {
  const byCall = new Map<string, R[]>();
  for (const r of rows) byCall.set(r.call_id, [...(byCall.get(r.call_id) ?? []), r]);
  return [...byCall.entries()]
    .map(([callId, rs]) => {
      const at = new Date(Math.max(...rs.map((r) => r.recorded_at.getTime())));
      const value = toValue(rs);
      return { callId, at, value, key: toKey(value) };
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.callId < b.callId ? 1 : -1));
}

function listTopic<V>(said: Statement<V[]>[], o: FreshnessOptions) {
  const r = run(said);
  const at = r?.current.at ?? null;
  return {
    value: r?.current.value ?? [],
    ...(r?.previous ? { previous: r.previous.value } : {}),
    missing: r === undefined,
    stale: isStale(at, o),
    lastConfirmedAt: at,
    lastConfirmedBy: r?.current.callId ?? null,
    oldestConfirmedAt: at,
    confirmations: r?.confirmations ?? 0,
    confidence: r === undefined ? null : confidence(r),
  };
}

/** A call's list in the order the gym said it. */
const byPosition = <R extends { position: number }>(rs: R[]): R[] => [...rs].sort((a, b) => a.position - b.position);

function pricingFreshness(rows: readonly PlanRow[], o: FreshnessOptions): PricingFreshness {
  const said = statements(
    [...rows],
    (rs) =>
      byPosition(rs).map((p) => ({
        plan: p.plan,
        amountMinor: Number(p.amount_minor),
        currency: p.currency,
        period: p.period,
      })),
    (v) =>
      v
        .map((p) => `${p.plan.toLowerCase()}|${p.period}|${p.amountMinor}|${p.currency}`)
        .sort()
        .join(';'),
  );
  return { topic: 'pricing', ...listTopic(said, o) };
}

function classesFreshness(rows: readonly ClassRow[], o: FreshnessOptions): ClassesFreshness {
  const said = statements(
    [...rows],
    (rs) =>
      byPosition(rs).map((c): GymClass =>
        c.schedule == null ? { name: c.name } : { name: c.name, schedule: c.schedule },
      ),
    (v) =>
      v
        .map((c) => `${c.name.toLowerCase()}|${c.schedule ?? ''}`)
        .sort()
        .join(';'),
  );
  return { topic: 'classes', ...listTopic(said, o) };
}

/** At most this many statements per gym are read: enough history to count confirmations, bounded for big lists. */
const MAX_ROWS_PER_GYM = 2000;

/** Freshness of each gym's facts, per topic (gyms without any fact come back with every topic missing). */
export async function gymsFreshness(
  db: Queryable,
  gymIds: readonly number[],
  o: FreshnessOptions,
): Promise<Map<number, GymFreshness>> {
  const ids = [...new Set(gymIds)].map(String);
  const q = (table: string, cols: string) =>
    `SELECT * FROM (SELECT gym_id, call_id, recorded_at, ${cols},
                           row_number() OVER (PARTITION BY gym_id ORDER BY recorded_at DESC) AS n
                      FROM ${table} WHERE gym_id = ANY($1::bigint[]) AND recorded_at <= $2) t
      WHERE n <= ${MAX_ROWS_PER_GYM} ORDER BY recorded_at DESC, call_id`;
  // One after another: `db` may be one client inside a transaction (the campaign settle), where queries issued at
  // once are deprecated in pg and broke the embedded database's unnamed prepared statements.
  const h = await db.query<HourRow>(q('fact_hours', 'day, kind, opens, closes'), [ids, o.asOf]);
  const p = await db.query<PlanRow>(q('fact_plans', 'plan, amount_minor, currency, period, position'), [ids, o.asOf]);
  const c = await db.query<ClassRow>(q('fact_classes', 'name, schedule, position'), [ids, o.asOf]);
  const out = new Map<number, GymFreshness>();
  for (const id of ids) {
    const topics = {
      hours: hoursFreshness(
        h.rows.filter((r) => String(r.gym_id) === id),
        o,
      ),
      pricing: pricingFreshness(
        p.rows.filter((r) => String(r.gym_id) === id),
        o,
      ),
      classes: classesFreshness(
        c.rows.filter((r) => String(r.gym_id) === id),
        o,
      ),
    };
    out.set(Number(id), {
      gymId: Number(id),
      asOf: o.asOf,
      maxAgeDays: o.maxAgeDays,
      topics,
      missing: TOPICS.filter((t) => topics[t].missing),
      stale: TOPICS.filter((t) => topics[t].stale),
    });
  }
  return out;
}

/** One gym's freshness (see gymsFreshness). */
export async function gymFreshness(db: Queryable, gymId: number, o: FreshnessOptions): Promise<GymFreshness> {
  return (await gymsFreshness(db, [gymId], o)).get(gymId) as GymFreshness;
}
