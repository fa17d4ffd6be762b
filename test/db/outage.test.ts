import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createPool } from '../../src/db/pool.js';
import { startEmbedded, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { WriteQueue, type WriteOutcome } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { withTx } from '../../src/db/sql.js';
import { withPglite, withPostgres } from './helpers/backends.js';
import { captureLogger } from './helpers/capture-log.js';
import { waitFor } from '../support/wait.js';
import type { Test } from 'tap';
import type pg from 'pg';

// The database goes away in the middle of a call and comes back: the call keeps recording, every turn
// arrives exactly once, the outage shows in logs and metrics. Then the same with a buffer too small to
// hold the outage: the loss is counted and logged.

async function metric(reg: Registry, name: string): Promise<number> {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((a, v) => a + Number(v.value), 0);
}

interface Outage {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function scenario(t: Test, name: string, db: Outage) {
  t.test(`${name}: outage mid-call`, async (t) => {
    const { log, lines } = captureLogger();
    const registry = new Registry();
    const pool = createPool(db.url, { max: 4, connectionTimeoutMs: 1000, log });
    const queue = new WriteQueue(pool, { retryInitialMs: 50, retryMaxMs: 400, log, registry });
    t.teardown(async () => {
      await queue.close(1000);
      await pool.end();
    });
    const recorder = new CallRecorder(queue, { log });
    const call = recorder.begin({ callId: `outage-${name}`, direction: 'outbound', gymName: 'Outage Gym', at: 1000 });
    const outcomes: Array<Promise<WriteOutcome>> = [call.created];
    const turn = (i: number) =>
      i % 2 === 0
        ? call.agentTurn({ text: `agent ${i}`, heardText: `agent ${i}`, interrupted: false, at: 2000 + i })
        : call.callerTurn({ text: `caller ${i}`, confidence: 0.9, at: 2000 + i });

    for (let i = 0; i < 5; i++) t.equal(await turn(i), 'committed');
    t.equal(await metric(registry, 'gym_agent_db_up'), 1);

    await db.stop();
    for (let i = 5; i < 15; i++) {
      outcomes.push(turn(i)); // the call goes on: nothing here waits for the database
      await sleep(15);
    }
    outcomes.push(call.facts({ classes: [{ name: 'Yoga' }] }, 3000));
    outcomes.push(call.ended({ reason: 'agent-goodbye', at: 4000 }));
    await waitFor(() => !queue.stats().dbUp, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: 'the queue to see the outage',
    });
    t.ok(queue.stats().pending > 0, 'writes are buffered');
    t.equal(await metric(registry, 'gym_agent_db_up'), 0, 'outage visible in metrics');
    t.ok(await metric(registry, 'gym_agent_db_write_queue_depth'), 'queue depth visible');
    t.ok(
      lines.some((l) => l.level === 50 && /database unreachable/.test(String(l.msg))),
      'outage logged',
    );
    await sleep(300); // a few retries against the dead server

    await db.start();
    const results = await Promise.all(outcomes);
    t.same(results, Array(results.length).fill('committed'), 'every write arrived');
    t.ok(queue.stats().retries > 0);
    t.equal(queue.stats().dbUp, true);
    t.equal(queue.stats().dropped, 0);
    t.ok(
      lines.some((l) => /reachable again/.test(String(l.msg))),
      'recovery logged',
    );

    const check = createPool(db.url, { max: 1 });
    t.teardown(() => check.end());
    const r = await check.query<{ seq: number; text: string }>(
      'SELECT seq, text FROM turns WHERE call_id = $1 ORDER BY seq',
      [call.callId],
    );
    t.same(
      r.rows.map((x) => x.seq),
      Array.from({ length: 15 }, (_, i) => i),
      'all 15 turns, in order, none duplicated',
    );
    t.equal(r.rows[7]?.text, 'caller 7');
    const c = await check.query('SELECT end_reason FROM calls WHERE id = $1', [call.callId]);
    t.equal(c.rows[0]?.end_reason, 'agent-goodbye');
  });

  t.test(`${name}: buffer overflow during an outage is counted and logged`, async (t) => {
    const { log, lines } = captureLogger();
    const registry = new Registry();
    const pool: pg.Pool = createPool(db.url, { max: 2, connectionTimeoutMs: 1000, log });
    const queue = new WriteQueue(pool, { maxPending: 5, retryInitialMs: 50, retryMaxMs: 200, log, registry });
    t.teardown(async () => {
      await queue.close(1000);
      await pool.end();
    });
    const recorder = new CallRecorder(queue, { log });
    const call = recorder.begin({ callId: `overflow-${name}`, direction: 'inbound', at: 1000 });
    t.equal(await call.created, 'committed');
    await db.stop();
    const outs: Array<Promise<WriteOutcome>> = [];
    for (let i = 0; i < 12; i++) outs.push(call.callerTurn({ text: `t${i}`, at: 2000 + i }));
    await sleep(100);
    await db.start();
    const res = await Promise.all(outs);
    t.equal(res.filter((x) => x === 'committed').length, 5, 'the buffer held 5');
    t.equal(res.filter((x) => x === 'dropped').length, 7, 'the rest were dropped');
    t.equal(queue.stats().dropped, 7);
    t.equal(await metric(registry, 'gym_agent_db_writes_total'), 1 + 5 + 7, 'every outcome counted');
    const lost = lines.filter((l) => /LOST/.test(String(l.msg)));
    t.ok(lost.length >= 1, 'loss logged');
    await sleep(1100); // the per-second summary of further losses
    const summary = lines.filter((l) => /LOST/.test(String(l.msg)));
    const logged = summary.reduce((a, l) => a + (typeof l.lost === 'number' ? l.lost : 1), 0);
    t.equal(logged, 7, 'every lost write appears in the logs');
  });
}

t.test('database outage', async (t) => {
  const pgs = await withPostgres(t);
  if (pgs) await scenario(t, 'postgres', { url: pgs.server.url, stop: pgs.server.stop, start: pgs.server.start });

  const lite = await withPglite(t);
  let current: EmbeddedDatabase | undefined = lite.db;
  const port = lite.db.port;
  await scenario(t, 'pglite', {
    url: lite.db.url,
    stop: async () => {
      await current?.stop();
      current = undefined;
    },
    start: async () => {
      current = await startEmbedded({ dataDir: lite.db.dataDir, port });
    },
  });
  t.teardown(async () => {
    await current?.stop();
  });
});

t.test(
  'a connection killed between two statements of a transaction fails the transaction, not the process',
  async (t) => {
    const pgs = await withPostgres(t);
    if (!pgs) return;
    const pool = createPool(pgs.server.url, { max: 3 });
    t.teardown(() => pool.end());
    const killed = withTx(pool, async (c) => {
      const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // Between statements: pg emits 'error' on the checked-out client while nothing of ours is waiting on it.
      await sleep(300);
      await c.query('SELECT 1');
    });
    await t.rejects(killed, 'the next statement fails');
    await waitFor(() => pool.totalCount <= 1, { what: 'the broken client destroyed, not returned to the pool' });
    t.equal(Number((await pool.query('SELECT 1 AS one')).rows[0]?.one), 1, 'the pool goes on');
  },
);
