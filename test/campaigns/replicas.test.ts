// Two server processes on one real PostgreSQL run one campaign on a shared fast clock; midway one is killed with
// SIGKILL and started again. Every gym ends in a final state, no gym is ever dialled while on the line, the global
// MAX_CONCURRENT_CALLS holds across the replicas, and every call the network carried has its outcome settled (none
// lost, none counted twice). The parent is the phone network (FakeNetwork): it hears each placement and ends the
// call a little later, whichever replica placed it and whether or not that replica is still alive.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY } from '../../src/campaigns/policy/retry-rules.js';
import { campaignStatus, createCampaign } from '../../src/campaigns/store.js';
import { withPostgres } from '../db/helpers/backends.js';
import { endLiveCall, FakeNetwork } from './network.js';

// The fixture sits next to this file in both places it runs from: compiled (dist/test) or through tap's loader (test/).
const CHILD = fileURLToPath(
  new URL(`./fixtures/replica-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
const GYMS = 16;
const MAX_CALLS = 3;
// 1 real second = 30 simulated minutes: a 15-minute backoff is half a second.
const SPEED = 1800;
const CALL_MS = 300;

t.setTimeout(240_000);
t.test('two replicas, one killed with SIGKILL and restarted, run one campaign to the end', async (t) => {
  t.setTimeout(240_000);
  const pgs = await withPostgres(t);
  if (!pgs) return;
  const pool = pgs.backend.pool;
  const scripts = new Map<string, string[]>();
  const ids: number[] = [];
  for (let i = 0; i < GYMS; i++) {
    const phone = `+1202555${String(1000 + i)}`;
    const r = await pool.query<{ id: string }>(
      "INSERT INTO gyms (name, phone, timezone) VALUES ($1, $2, 'America/New_York') RETURNING id",
      [`Gym ${i}`, phone],
    );
    ids.push(Number(r.rows[0]?.id));
    scripts.set(
      phone,
      [['completed'], ['busy', 'completed'], ['no-answer', 'busy', 'completed'], ['wrong-number']][i % 4] as string[],
    );
  }
  const network = new FakeNetwork(scripts);
  /** call id → the outcome the network gave it. */
  const given = new Map<string, string>();
  const ending: Promise<void>[] = [];
  // Monday 7 Dec 2026, 09:50 in New York: the window opens ten simulated minutes in.
  const base = Date.parse('2026-12-07T14:50:00Z');
  let t0 = 0;
  const campaign = await createCampaign(pool, {
    name: 'replicas',
    policy: { ...DEFAULT_POLICY, maxConcurrent: 4 },
    gymIds: ids,
    now: new Date(base),
  });

  const children = new Set<ChildProcess>();
  /** Spawns a replica and resolves once it is loaded; it waits for "go" (go()) to start its engine. */
  const load = (name: string) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, CHILD], {
        env: {
          ...process.env,
          DATABASE_URL: pgs.server.url,
          GCA_SIM_BASE: String(base),
          GCA_SIM_SPEED: String(SPEED),
          GCA_MAX_CALLS: String(MAX_CALLS),
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      child.once('error', reject);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'loaded') resolve(child);
        const [what, phone, callId] = line.split(' ');
        if (what !== 'placed' || phone === undefined || callId === undefined) return;
        // placeCall on the network: a second dial of a number still on the line is what must never happen.
        void network.placeCall(phone, callId);
        const outcome = network.nextOutcome(phone);
        given.set(callId, outcome);
        ending.push(
          new Promise<void>((r) => setTimeout(r, CALL_MS)).then(async () => {
            await endLiveCall(pool, callId, outcome, new Date());
            network.live.delete(phone);
          }),
        );
      });
      t.comment(`replica ${name} spawned`);
    });
  t.teardown(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  // A2 is A after its restart: loaded now, started only once A is dead.
  const [a, b, a2] = await Promise.all([load('A'), load('B'), load('A2')]);
  const go = (c: ChildProcess) => c.stdin!.write(`go ${t0}\n`);
  t0 = Date.now();
  go(a);
  go(b);
  // Kill A once the campaign is well under way (calls of A may be live, claims of A may be uncommitted).
  // The clock magnifies a loaded machine's delays (a second late is half an hour of the campaign's day), and a retry
  // pushed past the calling window waits for the next day's: CI once ended at 60 s with one gym still scheduled.
  const deadline = Date.now() + 150_000;
  while (network.placed.length < GYMS / 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  a.kill('SIGKILL');
  t.comment(`A killed after ${network.placed.length} placements, ${Date.now() - t0} ms after the campaign began`);
  go(a2);
  let status = await campaignStatus(pool, campaign.id);
  while (status?.status !== 'done' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    status = await campaignStatus(pool, campaign.id);
  }
  await Promise.all(ending);
  t.comment(`campaign over ${Date.now() - t0} ms after it began`);
  for (const c of children) c.kill('SIGTERM');

  t.equal(status?.status, 'done', `campaign done (${JSON.stringify(status?.states)})`);
  t.same(network.doubleDials, [], 'no gym dialled while on the line');
  t.ok(network.maxLive <= MAX_CALLS, `MAX_CONCURRENT_CALLS held across replicas (max ${network.maxLive} live)`);
  const attempts = await pool.query<{ call_id: string; outcome: string | null }>(
    'SELECT call_id, outcome FROM campaign_attempts WHERE campaign_id = $1',
    [campaign.id],
  );
  const byCall = new Map(attempts.rows.map((r) => [r.call_id, r.outcome]));
  t.equal(
    attempts.rows.filter((r) => r.outcome === null).length,
    0,
    'every attempt settled (none left waiting for an outcome)',
  );
  let matched = 0;
  for (const [callId, outcome] of given) if (byCall.get(callId) === outcome) matched++;
  t.equal(matched, given.size, `every placed call's outcome settled as the network gave it (${given.size} calls)`);
  const extra = attempts.rows.filter((r) => !given.has(r.call_id));
  t.ok(
    extra.every((r) => r.outcome === 'failed'),
    `attempts committed but never placed (killed in between) count as failed: ${extra.length}`,
  );
  t.equal(status?.finals['completed'], GYMS - GYMS / 4, 'every reachable gym completed');
  t.equal(status?.finals['wrong-number'], GYMS / 4);
});
