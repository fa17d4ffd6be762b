// A campaign call's brief reaches its conversation when Twilio's media stream lands on another replica than the one
// that placed the call: that replica's call directory reads the record and the brief from the database while it
// claims the stream, so the session (identifyCall) finds both; a read too slow does not hold the stream up. The brand
// voices of the call's gym and campaign are read the same way.
import t from 'tap';
import { CallDirectory } from '../../src/call/call-directory.js';
import { identifyCall } from '../../src/call/call-identity.js';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import { briefOfCall, createCampaign } from '../../src/campaigns/store.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { withPglite } from '../db/helpers/backends.js';
import { FakeNetwork } from './network.js';
import { usEngine } from './us-engine.js';
import { callVoice } from '../../src/voices/brand.js';
import { voicesOfCall } from '../../src/voices/store.js';

const log = createLogger('silent');
const { backend } = await withPglite(t);

t.test('a stream on another replica gets the brief of the campaign call it carries', async (t) => {
  const pool = backend.pool;
  const ids: number[] = [];
  for (const phone of ['+12025550141', '+12025550142']) {
    const r = await pool.query<{ id: string }>(
      "INSERT INTO gyms (name, phone, timezone) VALUES ('Elsewhere Gym', $1, 'America/New_York') RETURNING id",
      [phone],
    );
    ids.push(Number(r.rows[0]?.id));
  }
  const now = new Date('2026-12-07T16:00:00Z'); // Monday 11:00 in New York
  const network = new FakeNetwork(new Map());
  const capacity = new CallCapacity({ max: 5 });
  // Replica A places the calls.
  const engine = usEngine({
    pool,
    store: new CallDirectory(new PgCallStore(pool, { log })),
    network,
    capacity,
    now,
    log,
  });
  await createCampaign(pool, { name: 'elsewhere', policy: DEFAULT_POLICY, gymIds: ids, now });
  for (let i = 0; i < 2; i++) {
    await engine.tick(); // plans, then dials
    await engine.idle();
  }
  t.equal(network.placed.length, 2, 'both gyms dialled by replica A');
  const sidOf = async (callId: string) =>
    (await pool.query<{ sid: string }>('SELECT twilio_call_sid AS sid FROM calls WHERE id = $1', [callId])).rows[0]
      ?.sid ?? '';
  const startOf = async (callId: string) => ({
    callSid: await sidOf(callId),
    streamSid: `MZ${callId.slice(0, 8)}`,
    accountSid: 'AC1',
    tracks: ['inbound'],
    customParameters: { callId },
    startedAt: 0,
  });

  // Replica B takes the first call's stream.
  const b = new CallDirectory(new PgCallStore(pool, { log }), { briefOf: (id) => briefOfCall(pool, id) });
  const first = network.placed[0]!.callId;
  t.equal(b.peek(first), undefined, 'replica B never saw the call');
  const start = await startOf(first);
  t.ok(await b.claimStream(first, start.callSid, start.streamSid), 'B wins the stream');
  const id = identifyCall(start, (c) => b.peek(c));
  const brief = await briefOfCall(pool, first);
  t.ok(brief !== undefined && brief.topicsToAsk.length > 0, 'the campaign recorded a brief');
  t.same(id.brief, brief, "the session on B has the call's brief");
  t.equal(id.direction, 'outbound');
  t.equal(id.gymName, 'Elsewhere Gym', 'and its gym, from the record');
  t.equal(id.phoneNumber, '+12025550141');

  // Replica C's brief read hangs: the stream starts anyway, soon, and the call asks every topic.
  const c = new CallDirectory(new PgCallStore(pool, { log }), { briefOf: () => new Promise(() => undefined) });
  const second = network.placed[1]!.callId;
  const start2 = await startOf(second);
  const t0 = Date.now();
  t.ok(await c.claimStream(second, start2.callSid, start2.streamSid), 'C wins the stream');
  t.ok(Date.now() - t0 < 2000, 'the hung read did not hold the stream');
  t.equal(identifyCall(start2, (x) => c.peek(x)).brief, undefined);
  t.equal(identifyCall(start2, (x) => c.peek(x)).gymName, 'Elsewhere Gym');
  await engine.stop();
});

t.test(
  "the brand voices of a call's gym and campaign reach the session on the replica that takes its stream",
  async (t) => {
    const pool = backend.pool;
    const gymVoice = { elevenlabs: { voice_id: 'Zq9CloneVoice0000001', stability: 0.3 }, openai: 'nova' };
    const campaignVoice = { openai: 'coral' as const };
    const gym = await pool.query<{ id: string }>(
      "INSERT INTO gyms (name, phone, timezone, voice) VALUES ('Voiced Gym', '+12025550151', 'America/New_York', $1) RETURNING id",
      [JSON.stringify(gymVoice)],
    );
    const gymId = Number(gym.rows[0]?.id);
    const now = new Date('2026-12-07T16:00:00Z');
    const campaign = await createCampaign(pool, {
      name: 'voiced',
      policy: DEFAULT_POLICY,
      gymIds: [gymId],
      now,
      voice: campaignVoice,
    });
    const store = new PgCallStore(pool, { log });
    const take = async (callId: string, attempt: boolean) => {
      await store.create({
        callId,
        direction: 'outbound',
        phoneNumber: '+12025550151',
        gymName: 'Voiced Gym',
        status: 'queued',
        twilioCallSid: `CA${callId}`,
      });
      if (attempt)
        await pool.query(
          `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time, time_zone)
         SELECT id, campaign_id, gym_id, 1, $2, $3, '2026-12-07T11:00', 'America/New_York' FROM campaign_gyms WHERE campaign_id = $1`,
          [campaign.id, callId, now],
        );
      // A replica that never saw the call: the voices come from the database with the claim.
      const b = new CallDirectory(new PgCallStore(pool, { log }), { voicesOf: (id) => voicesOfCall(pool, id) });
      const start = {
        callSid: `CA${callId}`,
        streamSid: `MZ${callId}`,
        accountSid: 'AC1',
        tracks: ['inbound'],
        customParameters: { callId },
        startedAt: 0,
      };
      t.ok(await b.claimStream(callId, start.callSid, start.streamSid));
      return identifyCall(start, (c) => b.peek(c)).voices;
    };
    const own = await take('voiced-own', false);
    t.same(own, { gym: gymVoice, campaign: undefined }, "a call of no campaign: the gym's voice");
    t.same(callVoice(own, undefined), {
      elevenlabs: { voiceId: 'Zq9CloneVoice0000001', stability: 0.3 },
      openai: 'nova',
    });
    const placed = await take('voiced-campaign', true);
    t.same(placed, { gym: gymVoice, campaign: campaignVoice });
    t.same(callVoice(placed, undefined), { openai: 'coral' }, "the campaign's voice, whole");
    // A stored voice edited by hand into something invalid is never sent: the configured voice speaks.
    await pool.query(`UPDATE gyms SET voice = '{"openai": "bob"}' WHERE id = $1`, [gymId]);
    t.same(await voicesOfCall(pool, 'voiced-own'), undefined);
  },
);
