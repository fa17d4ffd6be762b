// The campaign engine on a simulated clock over days, on the embedded database: every gym reaches a final state,
// retries follow the outcomes (busy → 15 min later, voicemail → another day), every dial is inside the gym's
// calling window in its own time zone, the per-campaign limit holds, and no gym is ever dialled while on the line.
import t from 'tap';
import { CampaignEngine } from '../../src/campaigns/engine.js';
import { claimDue } from '../../src/campaigns/queue.js';
import { planNextAttempt } from '../../src/campaigns/policy/plan.js';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import {
  briefOfCall,
  campaignGyms,
  campaignStatus,
  changeCampaign,
  createCampaign,
} from '../../src/campaigns/store.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { CallDirectory } from '../../src/call/call-directory.js';
import { startCallLeases } from '../../src/db/call-leases.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { withPglite } from '../db/helpers/backends.js';
import { FakeNetwork } from './network.js';
import { usEngine } from './us-engine.js';

const log = createLogger('silent');
const MIN = 60_000;
// One database for the file: the tests use their own gyms and campaigns.
const { backend } = await withPglite(t);

t.test('a campaign runs to the end on a simulated clock', async (t) => {
  const pool = backend.pool;
  const gyms: [string, string, string][] = [
    ['Iron Temple', '+12025550101', 'America/New_York'],
    ['Busy Barbell', '+12025550102', 'America/New_York'],
    ['Voicemail Fit', '+13105550103', 'America/Los_Angeles'],
    ['Wrong Place', '+12025550104', 'America/New_York'],
    ['Berlin Gym', '+493012345678', 'Europe/Berlin'],
  ];
  const ids: number[] = [];
  for (const [name, phone, tz] of gyms) {
    const r = await pool.query<{ id: string }>(
      'INSERT INTO gyms (name, phone, timezone) VALUES ($1, $2, $3) RETURNING id',
      [name, phone, tz],
    );
    ids.push(Number(r.rows[0]?.id));
  }
  const network = new FakeNetwork(
    new Map([
      ['+12025550102', ['busy', 'busy', 'completed']],
      ['+13105550103', ['voicemail-left', 'completed']],
      ['+12025550104', ['wrong-number']],
    ]),
  );
  // Friday 4 Dec 2026, 06:00 in New York: before any window; the weekend follows.
  let now = new Date('2026-12-04T11:00:00Z');
  const capacity = new CallCapacity({ max: 10 });
  // The server's call directory: where the session that answers the call finds its brief.
  const calls = new CallDirectory(new PgCallStore(pool, { log }));
  const engine = new CampaignEngine({
    pool,
    outbound: {
      store: calls,
      placer: network,
      admission: capacity,
      destinations: { regions: ['US', 'DE'], types: ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE'] },
      log,
    },
    plan: planNextAttempt,
    defaultTimeZone: 'America/New_York',
    maxConcurrentCalls: 10,
    localRoom: () => capacity.max - capacity.active,
    single: true,
    clock: { now: () => now },
    tickMs: 0,
    log,
  });
  await engine.start();
  const made = await createCampaign(pool, {
    name: 'december',
    policy: { ...DEFAULT_POLICY, maxConcurrent: 2 },
    gymIds: ids,
    now,
  });
  t.equal(made.states.pending, 5);

  let maxDialling = 0;
  for (let step = 0; step < 2000; step++) {
    await engine.tick();
    await engine.idle();
    const dialling = Number(
      (
        await pool.query<{ n: string }>(
          "SELECT count(*) n FROM campaign_gyms WHERE campaign_id = $1 AND state = 'dialling'",
          [made.id],
        )
      ).rows[0]?.n,
    );
    maxDialling = Math.max(maxDialling, dialling);
    // Calls last one step (5 simulated minutes): the next tick sees them live. With none live and none due
    // the clock jumps to the next due dial (the engine has nothing to do until then).
    const live = network.live.size;
    now = new Date(now.getTime() + 5 * MIN);
    await network.endAll(pool, (id) => capacity.release(id, 'caller_hangup'));
    const next = (await campaignStatus(pool, made.id))?.nextAt;
    if (live === 0 && dialling === 0 && next && next > now) now = next;
    const st = await campaignStatus(pool, made.id);
    if (st?.status === 'done') break;
  }
  const st = await campaignStatus(pool, made.id);
  t.equal(st?.status, 'done', 'the campaign finished');
  t.same(network.doubleDials, [], 'no gym dialled while on the line');
  t.ok(maxDialling <= 2, `per-campaign limit held (max ${maxDialling} at once)`);
  t.ok(maxDialling >= 2, 'the limit was reached, so it was tested');

  const rows = await campaignGyms(pool, made.id);
  const byName = new Map(rows.map((r) => [r.name, r]));
  t.equal(byName.get('Iron Temple')?.finalState, 'completed');
  t.equal(byName.get('Busy Barbell')?.attempts, 3, 'busy twice, then reached');
  t.equal(byName.get('Voicemail Fit')?.attempts, 2);
  t.equal(byName.get('Wrong Place')?.finalState, 'wrong-number');
  t.equal(byName.get('Wrong Place')?.state, 'done');
  t.same(st?.outcomes, { completed: 4, busy: 2, 'voicemail-left': 1, 'wrong-number': 1 });

  const attempts = await pool.query<{ name: string; local_time: string; dialled_at: Date; outcome: string }>(
    `SELECT g.name, a.local_time, a.dialled_at, a.outcome FROM campaign_attempts a JOIN gyms g ON g.id = a.gym_id
      WHERE a.campaign_id = $1 ORDER BY a.dialled_at`,
    [made.id],
  );
  for (const a of attempts.rows) {
    const local = new Date(`${a.local_time}:00Z`);
    const hm = a.local_time.slice(11);
    t.ok(hm >= '10:00' && hm <= '17:00', `${a.name} dialled at ${a.local_time} local: inside 10:00-17:00`);
    t.ok(local.getUTCDay() >= 1 && local.getUTCDay() <= 5, `${a.name} dialled on a weekday (${a.local_time})`);
  }
  const brief = await briefOfCall(pool, network.placed[0]!.callId);
  t.same(brief?.topicsToAsk, ['hours', 'pricing', 'classes'], "the call's brief: every topic to ask (nothing known)");
  t.same(
    calls.peek(network.placed[0]!.callId)?.brief,
    brief,
    'the dialled call carries that brief to its conversation',
  );
  t.equal(await briefOfCall(pool, 'not-a-campaign-call'), undefined);
  // The conversation reads a callback's "after two" in the gym's own zone, which only its row knows (the number's
  // region names no single zone in the US).
  const la = network.placed.find((p) => p.phone === '+13105550103');
  t.equal((await briefOfCall(pool, la!.callId))?.timeZone, 'America/Los_Angeles', "the brief carries the gym's zone");
  t.equal(calls.peek(la!.callId)?.brief?.timeZone, 'America/Los_Angeles', 'to the session in this process too');
  const busy = attempts.rows.filter((a) => a.name === 'Busy Barbell');
  t.ok(busy[1]!.dialled_at.getTime() - busy[0]!.dialled_at.getTime() >= 15 * MIN, 'busy: retried 15 min later');
  const vm = attempts.rows.filter((a) => a.name === 'Voicemail Fit');
  t.not(vm[0]!.local_time.slice(0, 10), vm[1]!.local_time.slice(0, 10), 'voicemail: retried another day');
  await engine.stop();
});

t.test('pause holds new dials, resume goes on, cancel stops; wrong transitions are refused', async (t) => {
  const pool = backend.pool;
  const r = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('A', '+12025550111', 'America/New_York') RETURNING id",
  );
  const now = new Date('2026-12-07T16:00:00Z'); // Monday 11:00 in New York
  const network = new FakeNetwork(new Map());
  const capacity = new CallCapacity({ max: 5 });
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
    maxConcurrentCalls: 5,
    localRoom: () => capacity.max - capacity.active,
    single: true,
    clock: { now: () => now },
    tickMs: 0,
    log,
  });
  const c = await createCampaign(pool, { name: 'p', policy: DEFAULT_POLICY, gymIds: [Number(r.rows[0]?.id)], now });
  await changeCampaign(pool, c.id, 'pause', now);
  await engine.tick();
  await engine.tick();
  await engine.idle();
  t.equal(network.placed.length, 0, 'nothing dialled while paused');
  t.equal((await changeCampaign(pool, c.id, 'pause', now)).status, 'paused', 'pausing a paused campaign: no-op');
  await changeCampaign(pool, c.id, 'resume', now);
  await engine.tick();
  await engine.idle();
  t.equal(network.placed.length, 1, 'dialled once resumed');
  await changeCampaign(pool, c.id, 'cancel', now);
  await t.rejects(changeCampaign(pool, c.id, 'resume', now), { code: 'CONFLICT' });
  await t.rejects(changeCampaign(pool, 999, 'pause', now), { code: 'NOT_FOUND' });
  await t.rejects(createCampaign(pool, { name: 'x', policy: DEFAULT_POLICY, gymIds: [424242], now }), {
    code: 'VALIDATION_FAILED',
  });
  await engine.stop();
});

t.test('a pause or cancel between the claim and the commit: no dial, and the claim is given back', async (t) => {
  const pool = backend.pool;
  const now = new Date('2026-12-07T16:00:00Z'); // Monday 11:00 in New York
  const network = new FakeNetwork(new Map());
  const capacity = new CallCapacity({ max: 5 });
  // The operator's request lands after the engine claimed the gym, once its call record is written: the last
  // moment before the commit point.
  let stop: (() => Promise<unknown>) | undefined;
  class RacingStore extends PgCallStore {
    override async create(c: Parameters<PgCallStore['create']>[0]) {
      const rec = await super.create(c);
      await stop?.();
      stop = undefined;
      return rec;
    }
  }
  const engine = usEngine({ pool, store: new RacingStore(pool, { log }), network, capacity, now, log });
  for (const action of ['pause', 'cancel'] as const) {
    const g = await pool.query<{ id: string }>(
      "INSERT INTO gyms (name, phone, timezone) VALUES ('S', $1, 'America/New_York') RETURNING id",
      [action === 'pause' ? '+12025550131' : '+12025550132'],
    );
    const c = await createCampaign(pool, {
      name: action,
      policy: DEFAULT_POLICY,
      gymIds: [Number(g.rows[0]?.id)],
      now,
    });
    stop = () => changeCampaign(pool, c.id, action, now);
    const pass = await engine.tick();
    await engine.idle();
    t.equal(pass.dialled, 1, `${action}: the gym was claimed before the ${action}`);
    t.equal(network.placed.length, 0, `${action}: nothing dialled after the ${action}`);
    t.same(
      (await campaignGyms(pool, c.id)).map((r) => [r.state, r.attempts]),
      [['scheduled', 0]],
      `${action}: the claim is given back at once (not left dialling until its lease lapses)`,
    );
    t.equal(capacity.active, 0, `${action}: the call slot is free`);
    const calls = await pool.query<{ status: string }>(
      "SELECT status FROM calls WHERE gym_name = 'S' AND ended_at IS NOT NULL ORDER BY created_at",
    );
    t.ok(
      calls.rows.every((r) => r.status === 'canceled'),
      `${action}: the unplaced call's record is closed`,
    );
  }
  const paused = (await pool.query<{ id: string }>("SELECT id FROM campaigns WHERE name = 'pause'")).rows[0];
  await changeCampaign(pool, Number(paused?.id), 'resume', now);
  await engine.tick();
  await engine.idle();
  t.same(
    network.placed.map((p) => p.phone),
    ['+12025550131'],
    'resumed: the paused gym is dialled once; the cancelled one never',
  );
  await engine.stop();
});

t.test(
  'a restart on the embedded database: an undialled claim is due again, a call left live is settled',
  async (t) => {
    const pool = backend.pool;
    const ids: number[] = [];
    for (const phone of ['+12025550121', '+12025550122']) {
      const r = await pool.query<{ id: string }>(
        "INSERT INTO gyms (name, phone, timezone) VALUES ('R', $1, 'America/New_York') RETURNING id",
        [phone],
      );
      ids.push(Number(r.rows[0]?.id));
    }
    const now = new Date('2026-12-07T16:00:00Z'); // Monday 11:00 in New York
    const network = new FakeNetwork(new Map());
    let room = 0;
    const engineOn = (capacity: CallCapacity) =>
      new CampaignEngine({
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
        maxConcurrentCalls: 10,
        localRoom: () => room,
        single: true,
        clock: { now: () => now },
        tickMs: 0,
        log,
      });
    const c = await createCampaign(pool, { name: 'restart', policy: DEFAULT_POLICY, gymIds: ids, now });
    const first = engineOn(new CallCapacity({ max: 5 }));
    await first.start();
    await first.tick(); // plans both, dials none (no room)
    // A process that claimed the first gym and died before committing its dial.
    const [dead] = await claimDue(pool, { owner: 'dead', now, leaseMs: 30_000, globalMax: 10, limit: 1 });
    t.equal(dead?.gymId, ids[0]);
    room = 1;
    await first.tick();
    await first.idle();
    t.same(
      network.placed.map((p) => p.phone),
      ['+12025550122'],
      'the other gym dialled; its call stays live when the process dies',
    );
    // The process dies here (nothing of it runs on); the restart ends what it left live, then the engine starts.
    const leases = await startCallLeases(pool, { single: true, liveCalls: () => [], maxCallMs: 60_000 });
    t.ok(leases.recovered >= 1, 'the call left live is ended (server_restarted)');
    room = 5;
    const second = engineOn(new CallCapacity({ max: 5 }));
    await second.start();
    const pass = await second.tick();
    await second.idle();
    t.same(
      pass.settled.filter((s) => s.callId === network.placed[0]?.callId).map((s) => s.outcome),
      ['failed'],
      'the lost call is settled once, as failed (retried later by the backoff rule)',
    );
    t.same(
      network.placed.map((p) => p.phone),
      ['+12025550122', '+12025550121'],
      'the undialled claim was taken back and dialled once',
    );
    const rows = await campaignGyms(pool, c.id);
    t.same(
      rows.map((r) => [r.state, r.attempts]),
      [
        ['dialling', 1],
        ['scheduled', 1],
      ],
    );
    await second.stop();
    await leases.stop();
  },
);
