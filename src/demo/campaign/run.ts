import { dspOptionsFromEnv } from '../../config/index.js';
import { loadDsp } from '../../dsp/index.js';
import { DEFAULT_POLICY } from '../../campaigns/policy/retry-rules.js';
import { campaignStatus, createCampaign } from '../../campaigns/store.js';
import type { CampaignPolicy } from '../../campaigns/types.js';
import { importGyms } from '../../gyms/import.js';
import type { Logger } from '../../log.js';
import { DemoEnvironment } from '../environment.js';
import { FAST } from '../run.js';
import { FastClock, PlanLog } from './clock.js';
import { DEMO_REGIONS, demoGyms, type DemoGym } from './gyms.js';
import { DemoLines } from './lines.js';
import { campaignReport, type CampaignReport } from './report.js';

// `gym-agent demo --campaign N`: the real server (offline providers, embedded database) runs a campaign over N
// simulated gyms through the fake Twilio, its engine on a fast clock that jumps over the time nobody is on the line.
// The gyms are imported like any list (src/gyms/import.ts), the campaign is created like `campaign create` does,
// and everything the report says is read back from the server's database.

export interface CampaignDemoOptions {
  readonly gyms: number;
  readonly seed: number;
  readonly dataDir: string;
  readonly log: Logger;
  /** Calls of the campaign at once (its maxConcurrent; the server's MAX_CONCURRENT_CALLS too). */
  readonly concurrency: number;
  /** Use only the first few places (time zones) of gyms.ts: a short test keeps gyms due together. */
  readonly places?: number;
  /** Where the campaign starts, in simulated time (default: Monday 7 December 2026, 05:00 UTC). */
  readonly start?: Date;
  /** Simulated seconds per real second while calls are on the line (default CLOCK_RATE). */
  readonly clockRate?: number;
  /** Give up after this much real time (ms); the report then shows what was left. */
  readonly budgetMs?: number;
  /** Told every time something settles, for a live line on the terminal. */
  readonly progress?: (line: string) => void;
}

const START = new Date('2026-12-07T05:00:00Z');
/**
 * The simulated clock's speed while calls are on the line: a minute's call is half an hour of the gym's day, so a
 * zone's calling day passes in about fifteen real minutes of calls, and a busy line's 15-minute retry in 30 s.
 */
const CLOCK_RATE = 30;
/**
 * Real time between engine passes while gyms are on the line: the engine timer's own second (the embedded
 * database has one connection, shared with the calls' writes).
 */
const POLL_MS = 1000;

/** The campaign's policy: the defaults, fewer attempts so an unreachable gym ends within the demo's days. */
function demoPolicy(concurrency: number): CampaignPolicy {
  return { ...DEFAULT_POLICY, maxAttempts: 4, maxConcurrent: concurrency };
}

export async function runCampaignDemo(o: CampaignDemoOptions): Promise<CampaignReport> {
  const gyms = demoGyms(o.gyms, o.seed, o.places);
  const dsp = loadDsp(dspOptionsFromEnv());
  const lines = await DemoLines.load({ gyms, dsp, log: o.log, agentQuietMs: FAST.agentQuietMs });
  const clock = new FastClock(o.start ?? START, o.clockRate ?? CLOCK_RATE);
  const plans = new PlanLog();
  const overlaps: string[] = [];
  // The fake Twilio asks on every dial; a number with another call still up is a double dial, which the report
  // shows (the engine must never do it).
  const unanswered = (to: string) => {
    const up = [...env.twilio.calls.values()].filter((c) => c.to === to && !ENDED.has(c.status));
    if (up.length > 1) overlaps.push(to);
    return lines.unanswered(to);
  };
  // Only a dial calls `unanswered`, and the engine dials only when ticked, after `env` is set.
  const env: DemoEnvironment = await DemoEnvironment.start({
    dataDir: o.dataDir,
    log: o.log,
    unanswered,
    campaigns: { clock, plan: plans.plan },
    env: {
      CALL_ALLOWED_REGIONS: DEMO_REGIONS.join(','),
      MAX_CONCURRENT_CALLS: String(o.concurrency),
    },
  });
  const began = performance.now();
  try {
    for (const g of gyms) env.routing.callees.set(g.phone, lines.callee(g));
    const engine = env.server.campaigns;
    if (engine === undefined) throw new Error('the demo server has no campaign engine (Twilio REST not configured)');
    const ids = await importDemoGyms(env, gyms);
    const policy = demoPolicy(o.concurrency);
    const campaign = await createCampaign(env.server.db.pool, {
      name: `demo-${o.seed}-${o.gyms}`,
      policy,
      gymIds: ids,
      now: clock.now(),
    });
    let peak = 0;
    const budget = o.budgetMs ?? Number.POSITIVE_INFINITY;
    for (;;) {
      if (performance.now() - began > budget) {
        o.log.warn('campaign demo ran out of its time budget; reporting what it has');
        break;
      }
      // A pass that fails (the embedded database busy past its connect timeout on a loaded machine) is logged by
      // the engine and simply tried again, as its own timer would.
      const r = await engine.tick().catch(() => undefined);
      await engine.idle();
      if (r === undefined) {
        await sleep(POLL_MS);
        continue;
      }
      const at = clock.now().toISOString().slice(0, 16);
      for (const s of r.settled) o.progress?.(`${at}Z  call ended: ${s.outcome} → ${s.decision}`);
      if (r.dialled > 0) o.progress?.(`${at}Z  dialling ${r.dialled}`);
      const st = await campaignStatus(env.server.db.pool, campaign.id).catch(() => null);
      if (st === null) {
        await sleep(POLL_MS);
        continue;
      }
      if (st === undefined || st.status === 'done') break;
      const onLine = st.states.dialling;
      peak = Math.max(peak, onLine);
      if (onLine > 0) {
        await sleep(POLL_MS);
        continue;
      }
      // Nobody on the line: nothing happens before the next due dial.
      if (st.nextAt !== null) clock.jumpTo(st.nextAt);
      else if (st.states.pending === 0) break;
    }
    // Every call's facts and cost are written through the server's queue; wait for them before reading.
    await env.server.flush(10_000);
    return await campaignReport(env.server.db.pool, {
      campaignId: campaign.id,
      gyms,
      gymIds: ids,
      plans,
      clock,
      seed: o.seed,
      startedAt: campaign.createdAt,
      concurrency: { limit: o.concurrency, peak },
      overlaps,
      realMs: performance.now() - began,
      maxAgeDays: policy.factsMaxAgeDays,
    });
  } finally {
    await env.close();
    await lines.close();
  }
}

const ENDED = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** The gyms go in as a list would (JSON import): number checks, time zone, merge by number. */
async function importDemoGyms(env: DemoEnvironment, gyms: readonly DemoGym[]): Promise<number[]> {
  const cfg = env.server.config;
  const list = gyms.map((g) => ({ name: g.name, phone: g.phone, timezone: g.timeZone }));
  const r = await importGyms(env.server.db.pool, JSON.stringify(list), {
    format: 'json',
    region: 'US',
    destinations: { regions: cfg.CALL_ALLOWED_REGIONS, types: cfg.CALL_ALLOWED_NUMBER_TYPES },
    defaultTimeZone: cfg.CALL_DEFAULT_TIMEZONE,
    via: 'cli',
  });
  if (!r.ok) throw new Error(`demo gyms not imported: ${r.message}`);
  const bad = r.report.report.filter((row) => row.gym_id === undefined);
  if (bad.length > 0) throw new Error(`demo gyms rejected: ${bad.map((b) => `${b.phone}: ${b.reason}`).join('; ')}`);
  const byPhone = new Map(r.report.report.map((row) => [row.phone, row.gym_id as number]));
  return gyms.map((g) => {
    const id = byPhone.get(g.phone);
    if (id === undefined) throw new Error(`demo gym ${g.name} missing from the import report`);
    return id;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
