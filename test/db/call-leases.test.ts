import t from 'tap';
import type pg from 'pg';
import { LOST, RESTARTED, startCallLeases } from '../../src/db/call-leases.js';
import { backends } from './helpers/backends.js';

// Issue 14, item 6: a call that was live when its server died must not stay `in-progress` forever; with several
// replicas on one database, a replica must never end a call another live replica runs.

const HOUR = 3_600_000;

async function call(pool: pg.Pool, id: string, status: string, o: { updatedAgoMs?: number; ended?: boolean } = {}) {
  await pool.query(
    `INSERT INTO calls (id, direction, status, status_at, created_at, updated_at, ended_at)
     VALUES ($1, 'outbound', $2, now(), now() - interval '1 minute', now() - make_interval(secs => $3),
             CASE WHEN $4 THEN now() END)`,
    [id, status, (o.updatedAgoMs ?? 0) / 1000, o.ended ?? false],
  );
}

async function lease(pool: pg.Pool, id: string, instance: string, agoMs: number) {
  await pool.query(
    `INSERT INTO call_leases (call_id, instance_id, renewed_at) VALUES ($1, $2, now() - make_interval(secs => $3))`,
    [id, instance, agoMs / 1000],
  );
}

async function state(pool: pg.Pool, id: string) {
  const r = await pool.query<{ status: string; end_reason: string | null; ended: boolean; history: number }>(
    `SELECT status, end_reason, ended_at IS NOT NULL AS ended,
            (SELECT count(*)::int FROM call_status_history h WHERE h.call_id = c.id AND h.status = 'ended') AS history
       FROM calls c WHERE id = $1`,
    [id],
  );
  return r.rows[0];
}

for (const b of await backends(t)) {
  t.test(`${b.name}: embedded start-up ends every call left live`, async (t) => {
    await b.reset();
    await call(b.pool, 'live', 'in-progress');
    await call(b.pool, 'ringing', 'ringing');
    await call(b.pool, 'done', 'completed', { ended: true });
    const leases = await startCallLeases(b.pool, { single: true, liveCalls: () => [], maxCallMs: 300_000 });
    t.teardown(() => leases.stop());
    t.equal(leases.recovered, 2);
    t.same(await state(b.pool, 'live'), { status: 'failed', end_reason: RESTARTED, ended: true, history: 1 });
    t.same(await state(b.pool, 'ringing'), { status: 'failed', end_reason: RESTARTED, ended: true, history: 1 });
    t.same(await state(b.pool, 'done'), { status: 'completed', end_reason: null, ended: true, history: 0 });
  });

  t.test(`${b.name}: shared database: only calls no live replica holds are ended`, async (t) => {
    await b.reset();
    await call(b.pool, 'held-elsewhere', 'in-progress', { updatedAgoMs: HOUR });
    await lease(b.pool, 'held-elsewhere', 'replica-a', 2_000);
    await call(b.pool, 'lapsed', 'in-progress');
    await lease(b.pool, 'lapsed', 'replica-dead', 60_000);
    await call(b.pool, 'new-unleased', 'queued');
    await call(b.pool, 'old-unleased', 'in-progress', { updatedAgoMs: HOUR });
    await call(b.pool, 'mine', 'in-progress', { updatedAgoMs: HOUR });

    const leases = await startCallLeases(b.pool, {
      single: false,
      liveCalls: () => ['mine'],
      maxCallMs: 300_000,
      renewMs: 3_600_000,
    });
    t.teardown(() => leases.stop());
    t.equal(leases.recovered, 2, 'the lapsed one and the never-leased old one');
    t.same(await state(b.pool, 'lapsed'), { status: 'failed', end_reason: LOST, ended: true, history: 1 });
    t.equal((await state(b.pool, 'old-unleased'))?.end_reason, LOST);
    t.equal((await state(b.pool, 'mine'))?.ended, false, 'its own call is leased before the sweep');
    t.equal((await state(b.pool, 'held-elsewhere'))?.ended, false, "another live replica's call is left alone");
    t.equal((await state(b.pool, 'new-unleased'))?.ended, false, 'a call just created may not be leased yet');

    t.equal(await leases.tick(), 0, 'nothing lapsed since');
    t.equal(await leases.liveElsewhere(), 1, "the live monitor counts the other replica's call, not its own");
    // The replica holding 'held-elsewhere' dies: its lease stops being renewed.
    await b.pool.query(
      "UPDATE call_leases SET renewed_at = now() - interval '31 seconds' WHERE instance_id = 'replica-a'",
    );
    t.equal(await leases.tick(), 1);
    t.equal((await state(b.pool, 'held-elsewhere'))?.end_reason, LOST, 'ended once its lease lapsed');
    t.equal((await state(b.pool, 'mine'))?.ended, false, 'its own call still live');
    t.equal(await leases.liveElsewhere(), 0, 'an ended call is not counted');

    await leases.stop();
    const left = await b.pool.query('SELECT count(*)::int AS n FROM call_leases WHERE instance_id = $1', [
      leases.instanceId,
    ]);
    t.equal(left.rows[0]?.n, 0, 'a stopped replica drops its leases');
  });
}
