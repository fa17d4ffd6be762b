// One replica's campaign engine as several tests build it: US numbers only (or the test's `regions`), New York by
// default, the default policy's planner, a simulated instant, and no timer (the test ticks). The call store, network and call
// slots are the test's, so it can watch or interfere with each.
import type { CountryCode } from 'libphonenumber-js/max';
import type pg from 'pg';
import { CampaignEngine } from '../../src/campaigns/engine.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import type { CampaignsDoneHook } from '../../src/campaigns/queue.js';
import type { Logger } from '../../src/log.js';
import type { CallCapacity } from '../../src/ops/capacity.js';
import type { CallStore } from '../../src/telephony/call-store.js';
import type { FakeNetwork } from './network.js';

export function usEngine(o: {
  pool: pg.Pool;
  store: CallStore;
  network: FakeNetwork;
  capacity: CallCapacity;
  /** The simulated instant: fixed, or read on every tick. */
  now: Date | (() => Date);
  log: Logger;
  /** The regions it may dial (CALL_ALLOWED_REGIONS); US by default. */
  regions?: readonly CountryCode[];
  /** What runs in the transaction that marks campaigns done (the server's webhook events). */
  onCampaignsDone?: CampaignsDoneHook;
}): CampaignEngine {
  return new CampaignEngine({
    pool: o.pool,
    outbound: {
      store: o.store,
      placer: o.network,
      admission: o.capacity,
      destinations: { regions: o.regions ?? ['US'], types: ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE'] },
      log: o.log,
    },
    plan: planNextAttempt,
    defaultTimeZone: 'America/New_York',
    maxConcurrentCalls: o.capacity.max,
    localRoom: () => o.capacity.max - o.capacity.active,
    single: true,
    clock: { now: typeof o.now === 'function' ? o.now : () => o.now as Date },
    tickMs: 0,
    log: o.log,
    onCampaignsDone: o.onCampaignsDone,
  });
}
