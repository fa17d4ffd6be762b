// A gym due near the end of its calling window while every line is busy: when a line frees after the window has
// closed, the gym is not dialled late; it is planned again for its next window, and dialled there.
import t from 'tap';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import { campaignGyms, createCampaign } from '../../src/campaigns/store.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { withPglite } from '../db/helpers/backends.js';
import { FakeNetwork } from './network.js';
import { usEngine } from './us-engine.js';

const log = createLogger('silent');
const { backend } = await withPglite(t);

t.test('a window that closes while every line is busy: no late dial, the next window instead', async (t) => {
  const pool = backend.pool;
  const r = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('Late Gym', '+12025550121', 'America/New_York') RETURNING id",
  );
  const network = new FakeNetwork(new Map([['+12025550121', ['completed']]]));
  const capacity = new CallCapacity({ max: 1 });
  // Monday 7 December 2026, 16:50 in New York: ten minutes of the default window (10:00-17:00) left.
  let now = new Date('2026-12-07T21:50:00Z');
  const engine = usEngine({ pool, store: new PgCallStore(pool, { log }), network, capacity, now: () => now, log });
  const tick = async (at: Date) => {
    now = at;
    await engine.tick();
    await engine.idle();
  };
  t.equal(capacity.tryAdmit('someone-else', 'inbound').ok, true, 'an inbound call takes the only line');
  const c = await createCampaign(pool, { name: 'late', policy: DEFAULT_POLICY, gymIds: [Number(r.rows[0]?.id)], now });
  await tick(now);
  let [g] = await campaignGyms(pool, c.id);
  t.equal(g?.state, 'scheduled', 'planned');
  t.equal(g?.nextAt?.toISOString(), '2026-12-07T21:50:00.000Z', 'due at once, in the window');
  t.equal(network.placed.length, 0, 'no free line: not dialled');

  // 17:05: the line frees after the window has closed.
  capacity.release('someone-else', 'caller_hangup');
  await tick(new Date('2026-12-07T22:05:00Z'));
  t.equal(network.placed.length, 0, 'not dialled after its window closed');
  [g] = await campaignGyms(pool, c.id);
  t.equal(g?.state, 'scheduled', 'still waiting');
  t.equal(g?.nextAt?.toISOString(), '2026-12-08T15:00:00.000Z', 'planned again: Tuesday 10:00 in New York');

  await tick(new Date('2026-12-08T15:00:00Z'));
  t.equal(network.placed.length, 1, 'dialled when its next window opens');
  const a = await pool.query<{ local_time: string }>(
    'SELECT local_time FROM campaign_attempts WHERE campaign_id = $1',
    [c.id],
  );
  t.same(
    a.rows.map((x) => x.local_time),
    ['2026-12-08T10:00'],
    'the one attempt, inside its window',
  );
  await engine.stop();
});
