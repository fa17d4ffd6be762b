import t from 'tap';
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteQueue, type WriteOp } from '../../src/db/write-queue.js';
import { isRetryableDbError } from '../../src/db/errors.js';
import { captureLogger } from './helpers/capture-log.js';

// Queue semantics without a database: the ops are plain functions that succeed, fail or stall.
const pool = {} as pg.Pool;
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

t.test('retryable vs permanent errors', async (t) => {
  t.ok(isRetryableDbError(refused()));
  t.ok(isRetryableDbError(Object.assign(new Error('x'), { code: '57P01' })), 'admin shutdown');
  t.ok(isRetryableDbError(Object.assign(new Error('x'), { code: '08006' })), 'connection failure');
  t.ok(isRetryableDbError(new Error('Connection terminated unexpectedly')));
  t.notOk(isRetryableDbError(Object.assign(new Error('x'), { code: '23505' })), 'unique violation');
  t.notOk(isRetryableDbError(Object.assign(new Error('x'), { code: '22021' })), 'bad encoding');
  t.notOk(isRetryableDbError('nope'));
});

t.test('writes of one call run in order; different calls run in parallel', async (t) => {
  const q = new WriteQueue(pool, { concurrency: 4 });
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  const op = (lane: string, i: number): WriteOp => ({
    lane,
    kind: 'turn',
    run: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(5 + ((i * 7) % 11));
      log.push(`${lane}:${i}`);
      active--;
    },
  });
  const all = [];
  for (let i = 0; i < 6; i++) for (const lane of ['a', 'b', 'c']) all.push(q.enqueue(op(lane, i)));
  t.same(new Set(await Promise.all(all)), new Set(['committed']));
  for (const lane of ['a', 'b', 'c'])
    t.same(
      log.filter((x) => x.startsWith(lane)),
      [0, 1, 2, 3, 4, 5].map((i) => `${lane}:${i}`),
      `lane ${lane} in order`,
    );
  t.ok(maxActive > 1, 'lanes overlapped');
  t.equal(q.stats().pending, 0);
  t.equal(q.stats().committed, 18);
});

t.test('a permanent failure is logged and skipped; the call’s later writes go on', async (t) => {
  const { log, lines } = captureLogger();
  const q = new WriteQueue(pool, { log });
  const bad = q.enqueue({
    lane: 'x',
    kind: 'facts',
    run: async () => {
      throw Object.assign(new Error('violates check constraint "gyms_phone_e164"'), {
        code: '23514',
        detail: 'Failing row contains (+1555 secret)',
      });
    },
  });
  const good = q.enqueue({ lane: 'x', kind: 'turn', run: async () => undefined });
  t.equal(await bad, 'failed');
  t.equal(await good, 'committed');
  t.equal(q.stats().failed, 1);
  t.equal(q.stats().dbUp, true);
  const line = lines.find((l) => /failed permanently/.test(String(l.msg)));
  t.ok(line);
  t.notMatch(JSON.stringify(line), /secret/, 'the error detail (row values) is never logged');
});

t.test('outage: one lane probes with backoff, others wait, all flush in order when it returns', async (t) => {
  const { log, lines } = captureLogger();
  const q = new WriteQueue(pool, { log, retryInitialMs: 10, retryMaxMs: 40 });
  let down = true;
  const attempts: string[] = [];
  const done: string[] = [];
  const op = (lane: string, i: number): WriteOp => ({
    lane,
    kind: 'turn',
    run: async () => {
      attempts.push(`${lane}:${i}`);
      if (down) throw refused();
      done.push(`${lane}:${i}`);
    },
  });
  const outs = [q.enqueue(op('a', 0)), q.enqueue(op('b', 0)), q.enqueue(op('a', 1)), q.enqueue(op('b', 1))];
  await sleep(150);
  t.equal(q.stats().dbUp, false);
  t.equal(q.stats().pending, 4);
  t.ok(q.stats().outageMs > 0);
  const probing = new Set(attempts.slice(2)); // after the first failures only one write keeps retrying
  t.equal(probing.size, 1, `one probe during the outage (${[...probing].join(',')})`);
  down = false;
  t.same(await Promise.all(outs), ['committed', 'committed', 'committed', 'committed']);
  t.same(
    done.filter((x) => x.startsWith('a')),
    ['a:0', 'a:1'],
  );
  t.same(
    done.filter((x) => x.startsWith('b')),
    ['b:0', 'b:1'],
  );
  t.equal(q.stats().outages, 1);
  t.ok(lines.some((l) => /reachable again/.test(String(l.msg))));
});

t.test('close() flushes what it can and counts the rest as lost', async (t) => {
  const { log, lines } = captureLogger();
  const q = new WriteQueue(pool, { log, retryInitialMs: 10, retryMaxMs: 20 });
  const outs = [0, 1, 2].map(() => q.enqueue({ lane: 'z', kind: 'turn', run: async () => Promise.reject(refused()) }));
  await sleep(50);
  const st = await q.close(100);
  t.same(await Promise.all(outs), ['dropped', 'dropped', 'dropped']);
  t.equal(st.dropped, 3);
  t.equal(st.pending, 0);
  t.equal(await q.enqueue({ lane: 'z', kind: 'turn', run: async () => undefined }), 'dropped', 'closed queue refuses');
  t.ok(lines.filter((l) => /LOST/.test(String(l.msg))).length >= 1);
  t.equal(await q.drain(10), true);
});
