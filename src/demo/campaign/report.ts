import type pg from 'pg';
import { campaignGyms, campaignStatus, FINAL_GYM_STATES } from '../../campaigns/store.js';
import type { DayHours, GymClass, MembershipPlan } from '../../facts/model.js';
import { gymFreshness } from '../../gyms/freshness.js';
import type { FastClock, PlanLog, PlannedWindow } from './clock.js';
import type { DemoGym } from './gyms.js';

// What `gym-agent demo --campaign N [--json]` ends with, read back from the server's database: every gym with its
// final state, every attempt (UTC and gym-local time, the window it was planned in, the outcome), the gym's facts
// and the cost. The JSON carries enough to check the campaign's promises without trusting the demo: every gym
// final, retries and callbacks where the outcomes demand them, no gym dialled while on the line, no dial outside
// its window (test/demo/campaign-demo.test.ts does exactly that).

export interface AttemptJson {
  readonly seq: number;
  readonly callId: string;
  /** Simulated UTC instants: dialled, and settled (its call had ended by then). */
  readonly dialledAt: string;
  readonly settledAt: string | null;
  /** The gym's wall-clock time of the dial ("2026-12-07T10:00") in `timeZone`. */
  readonly localTime: string;
  readonly timeZone: string;
  readonly window: PlannedWindow | null;
  /** Why then, in the policy's words. */
  readonly reason: string | null;
  readonly outcome: string | null;
  readonly costUsd: number | null;
}

export interface GymJson {
  readonly gymId: number;
  readonly name: string;
  readonly phone: string;
  readonly region: string;
  readonly timeZone: string;
  /** What the simulated line does (gyms.ts BEHAVIOURS). */
  readonly behaviour: string;
  readonly state: string;
  readonly finalState: string | null;
  readonly final: boolean;
  readonly attempts: AttemptJson[];
  readonly facts: {
    readonly hours: Partial<Record<string, DayHours>>;
    readonly pricing: MembershipPlan[];
    readonly classes: GymClass[];
  };
  readonly costUsd: number;
}

export interface CampaignReport {
  readonly seed: number;
  readonly campaignId: number;
  readonly status: string;
  /** Simulated time: the campaign's start and end. */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly simulatedHours: number;
  /** Of those, the hours the clock jumped over (nobody on the line, nothing due). */
  readonly jumpedHours: number;
  readonly realSeconds: number;
  readonly concurrency: { readonly limit: number; readonly peak: number };
  /** Numbers dialled while a call to them was still up, as the fake Twilio saw it (expected none). */
  readonly overlaps: string[];
  readonly outcomes: Record<string, number>;
  readonly finals: Record<string, number>;
  readonly costUsd: number;
  readonly gyms: GymJson[];
}

export interface ReportInput {
  readonly campaignId: number;
  readonly gyms: readonly DemoGym[];
  readonly gymIds: readonly number[];
  readonly plans: PlanLog;
  readonly clock: FastClock;
  readonly seed: number;
  /** When the campaign was created, in simulated time. */
  readonly startedAt: Date;
  readonly concurrency: { limit: number; peak: number };
  readonly overlaps: string[];
  readonly realMs: number;
  readonly maxAgeDays: number;
}

interface AttemptRow {
  gym_id: string;
  seq: number;
  call_id: string;
  dialled_at: Date;
  settled_at: Date | null;
  local_time: string;
  time_zone: string;
  reason: string | null;
  outcome: string | null;
  total_usd: string | null;
}

export async function campaignReport(pool: pg.Pool, i: ReportInput): Promise<CampaignReport> {
  const st = await campaignStatus(pool, i.campaignId);
  if (st === undefined) throw new Error(`campaign ${i.campaignId} is gone`);
  const states = new Map((await campaignGyms(pool, i.campaignId)).map((g) => [g.gymId, g]));
  const rows = await pool.query<AttemptRow>(
    `SELECT a.gym_id, a.seq, a.call_id, a.dialled_at, a.settled_at, a.local_time, a.time_zone, a.reason, a.outcome,
            k.total_usd::text AS total_usd
       FROM campaign_attempts a LEFT JOIN call_costs k ON k.call_id = a.call_id
      WHERE a.campaign_id = $1 ORDER BY a.gym_id, a.seq`,
    [i.campaignId],
  );
  const now = i.clock.now();
  const gyms: GymJson[] = [];
  for (const [n, g] of i.gyms.entries()) {
    const gymId = i.gymIds[n] as number;
    const s = states.get(gymId);
    const attempts = rows.rows
      .filter((r) => Number(r.gym_id) === gymId)
      .map((r) => ({
        seq: r.seq,
        callId: r.call_id,
        dialledAt: r.dialled_at.toISOString(),
        settledAt: r.settled_at?.toISOString() ?? null,
        localTime: r.local_time,
        timeZone: r.time_zone,
        window: i.plans.planFor(gymId, r.dialled_at)?.window ?? null,
        reason: r.reason,
        outcome: r.outcome,
        costUsd: r.total_usd === null ? null : Number(r.total_usd),
      }));
    const f = await gymFreshness(pool, gymId, { asOf: now, maxAgeDays: i.maxAgeDays });
    gyms.push({
      gymId,
      name: g.name,
      phone: g.phone,
      region: g.region,
      timeZone: g.timeZone,
      behaviour: g.behaviour,
      state: s?.state ?? 'unknown',
      finalState: s?.finalState ?? null,
      final: s !== undefined && FINAL_GYM_STATES.includes(s.state),
      attempts,
      facts: { hours: f.topics.hours.value, pricing: f.topics.pricing.value, classes: f.topics.classes.value },
      costUsd: round(attempts.reduce((a, x) => a + (x.costUsd ?? 0), 0)),
    });
  }
  const started = i.startedAt;
  return {
    seed: i.seed,
    campaignId: i.campaignId,
    status: st.status,
    startedAt: started.toISOString(),
    endedAt: now.toISOString(),
    simulatedHours: hours(now.getTime() - started.getTime()),
    jumpedHours: hours(i.clock.skippedMs),
    realSeconds: Math.round(i.realMs / 100) / 10,
    concurrency: i.concurrency,
    overlaps: i.overlaps,
    outcomes: st.outcomes,
    finals: st.finals,
    costUsd: round(gyms.reduce((a, g) => a + g.costUsd, 0)),
    gyms,
  };
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
const hours = (ms: number) => Math.round(ms / 36_000) / 100;

/** The final table for people: one line per gym. */
export function printCampaignTable(out: NodeJS.WritableStream, r: CampaignReport): void {
  const w = (s = '') => out.write(s + '\n');
  const head = ['gym', 'zone', 'behaviour', 'final state', 'attempts (local time: outcome)', 'facts', 'cost $'];
  const body = r.gyms.map((g) => [
    g.name,
    g.timeZone,
    g.behaviour,
    g.finalState ?? g.state,
    g.attempts.map((a) => `${a.localTime.slice(5).replace('T', ' ')}: ${a.outcome ?? '…'}`).join(', '),
    factsCell(g),
    g.costUsd.toFixed(4),
  ]);
  const widths = head.map((h, c) => Math.min(c === 4 ? 90 : 40, Math.max(h.length, ...body.map((b) => b[c]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((x, c) => x.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  w();
  w(line(head));
  w(line(widths.map((n) => '-'.repeat(n))));
  for (const b of body) w(line(b));
  w();
  const count = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  w(`Campaign ${r.campaignId}: ${r.status}; final states: ${count(r.finals)}`);
  w(`Attempts by outcome: ${count(r.outcomes)}`);
  w(
    `Simulated ${r.simulatedHours} h (${r.startedAt} → ${r.endedAt}) in ${r.realSeconds} s; ` +
      `calls at once: peak ${r.concurrency.peak} of ${r.concurrency.limit}; total cost $${r.costUsd.toFixed(4)}`,
  );
  if (r.overlaps.length > 0) w(`WARNING: numbers dialled while on the line: ${r.overlaps.join(', ')}`);
}

function factsCell(g: GymJson): string {
  const days = Object.keys(g.facts.hours).length;
  return `${days} days, ${g.facts.pricing.length} prices, ${g.facts.classes.length} classes`;
}
