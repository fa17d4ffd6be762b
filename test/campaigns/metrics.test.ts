// The campaign engine's metrics (src/ops/metrics.ts): each placed dial counted once, each settled call counted by
// its attempt outcome and what came next. One gym, busy and then reached, on a simulated clock.
import t from 'tap';
import { CampaignEngine } from '../../src/campaigns/engine.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import { campaignStatus, createCampaign } from '../../src/campaigns/store.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { withPglite } from '../db/helpers/backends.js';
import { FakeNetwork } from './network.js';

t.test('dials and settles by outcome', async (t) => {
  const { backend } = await withPglite(t);
  const pool = backend.pool;
  const log = createLogger('silent');
  const gym = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('Busy Barbell', '+12025550102', 'America/New_York') RETURNING id",
  );
  const network = new FakeNetwork(new Map([['+12025550102', ['busy', 'completed']]]));
  const metrics = createMetrics({ processMetrics: false });
  t.teardown(() => metrics.close());
  // Monday 7 Dec 2026, 10:30 in New York: inside the default window.
  let now = new Date('2026-12-07T15:30:00Z');
  const capacity = new CallCapacity({ max: 2 });
  const engine = new CampaignEngine({
    pool,
    outbound: {
      store: new PgCallStore(pool, { log }),
      placer: network,
      admission: capacity,
      destinations: { regions: ['US'], types: ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE'] },
      log,
    },
    plan: planNextAttempt,
    defaultTimeZone: 'America/New_York',
    maxConcurrentCalls: 2,
    localRoom: () => capacity.max - capacity.active,
    single: true,
    clock: { now: () => now },
    tickMs: 0,
    log,
    metrics,
  });
  await engine.start();
  const made = await createCampaign(pool, {
    name: 'metrics',
    policy: DEFAULT_POLICY,
    gymIds: [Number(gym.rows[0]?.id)],
    now,
  });
  for (let step = 0; step < 50 && (await campaignStatus(pool, made.id))?.status !== 'done'; step++) {
    await engine.tick();
    await engine.idle();
    await network.endAll(pool, (id) => capacity.release(id, 'caller_hangup'));
    now = new Date(now.getTime() + 5 * 60_000);
  }
  await engine.stop();
  t.equal((await campaignStatus(pool, made.id))?.status, 'done');
  const exposed = (await metrics.render()).body;
  t.match(exposed, /^gym_agent_campaign_dials_total 2$/m, 'two dials placed');
  t.match(exposed, /^gym_agent_campaign_settles_total\{outcome="busy",decision="call"\} 1$/m, 'busy: called again');
  t.match(exposed, /^gym_agent_campaign_settles_total\{outcome="completed",decision="final"\} 1$/m);
});
