import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describeDbError } from '../db/errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import { placeOutbound, type OutboundDeps } from '../telephony/outbound.js';
import { localIso } from './policy/local-time.js';
import {
  claimDue,
  commitDial,
  failClaim,
  finishCampaigns,
  recoverClaims,
  releaseClaim,
  renewClaims,
  suppressListed,
  type CampaignsDoneHook,
  type Claimed,
} from './queue.js';
import { planPending, replanMissed, settleEnded, type PlanContext, type Settled } from './settle.js';
import { LANGUAGE_NAMES } from '../language/index.js';

// The campaign engine of one server process. Every tick it keeps its claims alive, takes back claims of replicas
// that died before dialling, plans new gyms, settles ended calls (any replica's) by asking the policy what comes
// next, plans again the gyms whose window closed before a line was free, and dials the gyms that are due through
// the same outbound path as POST /v1/calls, as far as the limits allow. Everything it knows is in the database, so
// any number of replicas run it side by side and a restarted or `kill -9`ed one loses nothing: a claim it never
// dialled lapses and is taken back; a call it placed is ended by the call leases (src/db/call-leases.ts) or by
// Twilio, and then settled by whichever replica sees it first.

/** The engine's time: the real clock, or a simulated one (tests, `gym-agent demo --campaign`). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface EngineOptions extends PlanContext {
  readonly pool: pg.Pool;
  readonly outbound: OutboundDeps;
  /** MAX_CONCURRENT_CALLS: calls not ended across every replica count against it. */
  readonly maxConcurrentCalls: number;
  /** Free call slots in this process (CallCapacity: max - active). */
  readonly localRoom: () => number;
  /** Embedded database: this is the only process, so any claim not its own at start-up is a dead one. */
  readonly single: boolean;
  readonly clock?: Clock;
  /** How long a claim outlives its last renewal (default 30 s); ticks renew it. */
  readonly leaseMs?: number;
  /** Real-time interval between ticks (default 1 s); 0: no timer, the caller ticks (simulations). */
  readonly tickMs?: number;
  /** Gyms planned or settled per statement (default 50). */
  readonly batch?: number;
  readonly log: Logger;
  /** Dials placed and calls settled by outcome (src/ops/metrics.ts). */
  readonly metrics?: Pick<Metrics, 'campaignDialled' | 'campaignSettled'>;
  /** Runs in the transaction that marks campaigns done (their webhook events). */
  readonly onCampaignsDone?: CampaignsDoneHook;
}

export interface TickReport {
  readonly recovered: number;
  readonly planned: number;
  /** Gyms whose window closed while every line was busy, planned again. */
  readonly replanned: number;
  readonly settled: readonly Settled[];
  readonly dialled: number;
  readonly finished: number;
}

export class CampaignEngine {
  /** This process in campaign_gyms.lease_owner. */
  readonly owner = randomUUID();
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly dials = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<TickReport> | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly o: EngineOptions) {
    this.clock = o.clock ?? systemClock;
    this.leaseMs = o.leaseMs ?? 30_000;
    this.batch = o.batch ?? 50;
  }

  /** Takes back what a dead process left (all of it on the embedded database), then ticks on the timer. */
  async start(): Promise<void> {
    const n = await recoverClaims(this.o.pool, this.owner, this.o.single);
    if (n > 0) this.o.log.warn({ gyms: n }, 'campaign claims of a stopped server taken back (nothing was dialled)');
    const every = this.o.tickMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.tick().catch(() => undefined), every);
      this.timer.unref();
    }
  }

  /** One pass; concurrent calls share the pass in progress. Database errors are logged once per outage. */
  tick(): Promise<TickReport> {
    this.ticking ??= this.pass().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Resolves when every dial this process started has been placed or given up. */
  async idle(): Promise<void> {
    while (this.dials.size > 0) await Promise.allSettled([...this.dials]);
  }

  /** Stops claiming; waits for dials in flight (their calls go on and are settled by whoever is running). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    await this.idle();
  }

  private async pass(): Promise<TickReport> {
    const { pool } = this.o;
    const now = this.clock.now();
    try {
      await renewClaims(pool, this.owner, this.leaseMs);
      const recovered = await recoverClaims(pool, this.owner, false);
      if (recovered > 0) this.o.log.warn({ gyms: recovered }, 'lapsed campaign claims taken back (nothing dialled)');
      await suppressListed(pool, now);
      const planned = await planPending(pool, now, this.o, this.batch);
      const settled: Settled[] = [];
      for (;;) {
        const s = await settleEnded(pool, now, this.o, this.batch);
        settled.push(...s);
        if (s.length < this.batch) break;
      }
      for (const s of settled) {
        this.o.log.info({ callId: s.callId, outcome: s.outcome }, 'campaign call settled');
        this.o.metrics?.campaignSettled(s.outcome, s.decision);
      }
      const replanned = await replanMissed(pool, now, this.o, this.batch);
      const finished = await finishCampaigns(pool, now, this.o.onCampaignsDone);
      let dialled = 0;
      if (!this.stopped) {
        const claims = await claimDue(pool, {
          owner: this.owner,
          now,
          leaseMs: this.leaseMs,
          globalMax: this.o.maxConcurrentCalls,
          limit: this.o.localRoom(),
        });
        for (const c of claims) this.track(this.dial(c, now));
        dialled = claims.length;
      }
      if (this.failing) this.o.log.info('campaign engine reaches the database again');
      this.failing = false;
      return { recovered, planned, replanned, settled, dialled, finished };
    } catch (e) {
      if (!this.failing) this.o.log.warn({ err: describeDbError(e) }, 'campaign engine pass failed; retrying');
      this.failing = true;
      throw e;
    }
  }

  private track(p: Promise<void>): void {
    this.dials.add(p);
    void p.finally(() => this.dials.delete(p));
  }

  private async dial(claimed: Claimed, now: Date): Promise<void> {
    const { pool, log } = this.o;
    const timeZone = claimed.timeZone ?? this.o.defaultTimeZone;
    // The conversation reads "call back after two" in the gym's zone, which only the gym's row knows (a number's
    // region alone names one zone for GB, not for the US or Australia).
    const c = { ...claimed, brief: claimed.brief === null ? null : { ...claimed.brief, timeZone } };
    try {
      const r = await placeOutbound(this.o.outbound, {
        phoneNumber: c.phone ?? '',
        gymName: c.name,
        callId: c.callId,
        brief: c.brief ?? undefined,
        language: c.language,
        beforePlace: () =>
          commitDial(pool, { claim: c, owner: this.owner, now, localTime: localIso(now, timeZone), timeZone }),
      });
      if (r.ok) this.o.metrics?.campaignDialled();
      if (r.ok || r.reason === 'withdrawn') return;
      if (r.reason === 'language') {
        // This server cannot hear the gym's language: no retry changes that, so the gym is final, with the reason.
        await failClaim(pool, {
          id: c.id,
          callId: c.callId,
          owner: this.owner,
          state: 'failed',
          finalState: 'language-unsupported',
          reason: `this server's recogniser does not hear ${LANGUAGE_NAMES[r.language].english}`,
          now,
        });
        return;
      }
      if (r.reason === 'destination' || r.reason === 'suppressed') {
        const listed = r.reason === 'suppressed';
        await failClaim(pool, {
          id: c.id,
          callId: c.callId,
          owner: this.owner,
          state: listed ? 'suppressed' : 'failed',
          finalState: listed ? 'do-not-call' : 'destination-not-allowed',
          reason: listed ? 'number on the do-not-call list' : r.message,
          now,
        });
        return;
      }
      // No slot here after all, draining, or no telephony: the gym is due again for whichever replica can call.
      await releaseClaim(pool, c.id, c.callId, this.owner);
      if (r.reason === 'not-configured') log.error('campaign cannot dial: Twilio is not configured on this server');
    } catch (e) {
      // A refused placement ended its call record as failed: settled like any failed call. A claim whose record
      // could not be written (database down) is given back, or lapses and is taken back by recovery.
      log.warn({ err: describeDbError(e), callId: c.callId }, 'campaign dial failed');
      await releaseClaim(pool, c.id, c.callId, this.owner).catch(() => undefined);
    }
  }
}
