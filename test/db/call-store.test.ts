import t from 'tap';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Test } from 'tap';
import { PgCallStore, withDbRetryAfter } from '../../src/db/call-store.js';
import { createPool } from '../../src/db/pool.js';
import { startEmbedded, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { getCall, getStatusHistory } from '../../src/db/repositories/calls.js';
import { dbRoutes } from '../../src/db/routes.js';
import { isAppError } from '../../src/errors.js';
import type { HttpRequest } from '../../src/http/types.js';
import { callsRoutes, type CallPlacer } from '../../src/telephony/calls-api.js';
import type { CallAdmission } from '../../src/telephony/admission.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { withPglite, withPostgres, type Backend } from './helpers/backends.js';
import { captureLogger } from './helpers/capture-log.js';
import { serveRoutes } from './helpers/http-adapter.js';
import { freePort } from '../../src/net/free-port.js';

// The telephony CallStore over PostgreSQL, on a real server and on PGlite: what POST /v1/calls stores is
// committed before the response, survives a restart, and an outage fails a create loudly (nothing placed) while
// updates of known calls queue and arrive once the database is back.

const HOSTILE = [
  "O'Brien's Gym\"; DROP TABLE calls; --",
  "Robert'); DELETE FROM call_status_history WHERE ('1'='1",
  '💪🏋️‍♀️ Gym — Ünïcødé 漢字 \\ $1 %_ ${x}',
  'x'.repeat(10_240),
  'nul\u0000byte',
];

const { log } = captureLogger();
const destinations = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };

const admission: CallAdmission = {
  tryAdmit: () => ({ ok: true }),
  awaitStream: () => ({ ok: true }),
  claim: () => 'claimed',
  adopt: () => ({ ok: true }),
  confirm: () => true,
  abandon: () => undefined,
  release: () => true,
};

function placer(): CallPlacer & { placed: string[] } {
  const placed: string[] = [];
  let n = 0;
  return {
    placed,
    placeCall: async (to) => {
      placed.push(to);
      return { sid: `CAfake${++n}`, status: 'queued' };
    },
  };
}

function statusCallback(sid: string, status: string): HttpRequest {
  const body = new URLSearchParams({ CallSid: sid, CallStatus: status }).toString();
  return {
    method: 'POST',
    path: '/twilio/status',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(body),
    remoteIp: '127.0.0.1',
  };
}

interface Target {
  backend: Backend;
  /** Stops the server the backend's pool points at, and starts it again on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function suite(t: Test, x: Target) {
  const { backend: b } = x;

  t.test('create, get, findBySid, update', async (t) => {
    await b.reset();
    const store = new PgCallStore(b.pool, { log });
    const rec = await store.create({
      direction: 'outbound',
      phoneNumber: '+15551230001',
      gymName: 'Iron Works',
      status: 'queued',
    });
    t.match(rec, { direction: 'outbound', phoneNumber: '+15551230001', gymName: 'Iron Works', status: 'queued' });
    t.same(await store.get(rec.callId), rec, 'read back exactly as created');

    const placed = await store.update(rec.callId, { twilioCallSid: 'CA0001', status: 'ringing' });
    t.equal(placed?.status, 'ringing');
    t.equal((await store.findBySid('CA0001'))?.callId, rec.callId);
    await store.update(rec.callId, { status: 'in-progress', answeredBy: 'human' });
    const done = await store.update(rec.callId, { status: 'completed', endedAt: new Date() });
    t.equal(done?.status, 'completed');
    t.equal(done?.answeredBy, 'human');
    t.ok(done?.endedAt instanceof Date);
    t.ok((done?.updatedAt.getTime() ?? 0) >= rec.createdAt.getTime());

    const row = await getCall(b.pool, rec.callId);
    t.ok(row?.answered_at, 'answered time recorded');
    t.ok(row?.gym_id, 'gym row linked');
    const history = await getStatusHistory(b.pool, rec.callId);
    t.same(
      history.map((h) => h.status),
      ['queued', 'ringing', 'in-progress', 'completed'],
    );

    t.equal(await store.get('no-such-call'), undefined);
    t.equal(await store.findBySid('CAnone'), undefined);
    t.equal(await store.update('no-such-call', { status: 'failed' }), undefined);
  });

  t.test('idempotent writes', async (t) => {
    await b.reset();
    const store = new PgCallStore(b.pool, { log });
    const c = { callId: 'call-idem', direction: 'outbound', phoneNumber: '+15551230002', gymName: 'Twice' } as const;
    const first = await store.create({ ...c, status: 'queued' });
    const again = await store.create({ ...c, status: 'queued' });
    t.equal(again.callId, first.callId);
    t.equal(
      Number((await b.pool.query("SELECT count(*) FROM calls WHERE id = 'call-idem'")).rows[0]?.count),
      1,
      'one row',
    );
    t.equal((await getStatusHistory(b.pool, 'call-idem')).length, 1, 'one history entry');
    t.equal(Number((await b.pool.query('SELECT count(*) FROM gyms')).rows[0]?.count), 1, 'one gym');

    // Twilio retries /twilio/voice: two inbound creates for one CallSid yield one call.
    const a = await store.create({
      direction: 'inbound',
      phoneNumber: 'anonymous',
      gymName: '',
      status: 'in-progress',
      twilioCallSid: 'CAdup',
    });
    const d = await store.create({
      direction: 'inbound',
      phoneNumber: 'anonymous',
      gymName: '',
      status: 'in-progress',
      twilioCallSid: 'CAdup',
    });
    t.equal(d.callId, a.callId, 'same call for the same CallSid');
    t.ok((await getCall(b.pool, a.callId))?.answered_at, 'an inbound call is answered when created');
    t.equal(a.phoneNumber, 'anonymous', 'a non-E.164 caller id is kept on the call (and makes no gym phone)');

    // The call session's recorder re-records the same call when its media starts: still one call, the newer status.
    const recorderQueue = new WriteQueue(b.pool);
    t.teardown(() => recorderQueue.close(1000));
    const recorder = new CallRecorder(recorderQueue);
    t.equal(
      await recorder.begin({ callId: 'call-idem', direction: 'outbound', status: 'in-progress' }).created,
      'committed',
    );
    t.match(await store.get('call-idem'), { status: 'in-progress', gymName: 'Twice', phoneNumber: '+15551230002' });
    t.equal(Number((await b.pool.query('SELECT count(*) FROM gyms')).rows[0]?.count), 2, 'no gym invented');
  });

  t.test('the answering-machine verdict: recorded once (its statement also notifies)', async (t) => {
    await b.reset();
    const store = new PgCallStore(b.pool, { log });
    const c = { direction: 'outbound', phoneNumber: '+15551230003', gymName: 'Beep' } as const;
    const rec = await store.create({ ...c, status: 'in-progress', twilioCallSid: 'CAamd' });
    t.equal(await store.recordAmd(rec.callId, 'CAother', 'human', null), false, 'another CallSid: not recorded');
    t.equal(await store.recordAmd(rec.callId, 'CAamd', 'machine_end_beep', 4100), true, 'the first verdict');
    t.equal(await store.recordAmd(rec.callId, 'CAamd', 'human', 10), false, 'a copy or a later one: not again');
    const rows = await b.pool.query('SELECT answered_by, detection_ms FROM amd_results WHERE call_id = $1', [
      rec.callId,
    ]);
    t.same(rows.rows, [{ answered_by: 'machine_end_beep', detection_ms: 4100 }]);
  });

  t.test('hostile input', async (t) => {
    await b.reset();
    const store = new PgCallStore(b.pool, { log });
    for (const [i, name] of HOSTILE.entries()) {
      const rec = await store.create({
        direction: 'outbound',
        phoneNumber: `+1555000${String(i).padStart(4, '0')}`,
        gymName: name,
        status: 'queued',
      });
      const back = await store.get(rec.callId);
      t.equal(back?.gymName, name.replaceAll('\u0000', '\uFFFD'), `name ${i} stored verbatim`);
      await store.update(rec.callId, { twilioCallSid: `CA'${i}--`, answeredBy: name, status: 'ringing' });
      t.equal((await store.findBySid(`CA'${i}--`))?.answeredBy, name.replaceAll('\u0000', '\uFFFD'));
    }
    for (const id of HOSTILE) {
      t.equal(await store.get(id), undefined, 'hostile id is simply not found');
      t.equal(await store.findBySid(id), undefined);
      t.equal(await store.update(id, { status: 'failed' }), undefined);
    }
    await t.rejects(
      store.create({ callId: 'bad\u0000id', direction: 'inbound', phoneNumber: '', gymName: '', status: 'queued' }),
      { code: 'VALIDATION_FAILED' },
    );
    t.equal(Number((await b.pool.query('SELECT count(*) FROM calls')).rows[0]?.count), HOSTILE.length, 'tables intact');
  });

  t.test('restart: calls survive, an outage queues updates and fails creates', async (t) => {
    await b.reset();
    const queue = new WriteQueue(b.pool, { retryInitialMs: 50, retryMaxMs: 300, log });
    t.teardown(() => queue.close(1000));
    const before = new PgCallStore(b.pool, { queue, log, retryDelayMs: 20 });
    const rec = await before.create({
      direction: 'outbound',
      phoneNumber: '+15551230003',
      gymName: 'Survivor Gym',
      status: 'queued',
    });
    await before.update(rec.callId, { twilioCallSid: 'CAsurvive', status: 'ringing' });

    await x.stop();
    const err = await before
      .create({ direction: 'outbound', phoneNumber: '+15551230004', gymName: 'Lost?', status: 'queued' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    t.ok(isAppError(err) && err.code === 'DB_UNAVAILABLE' && err.retryable, 'create fails loudly: DB_UNAVAILABLE');
    const queued = await before.update(rec.callId, { status: 'in-progress' });
    t.equal(queued?.status, 'in-progress', 'a known call goes on during the outage');
    t.equal((await before.findBySid('CAsurvive'))?.callId, rec.callId, 'lookups fall back to what was seen');
    await t.rejects(before.get('never-seen'), { code: 'DB_UNAVAILABLE' }, 'unknown call: 503, not a false 404');
    await x.start();
    t.ok(await queue.drain(20_000), 'queued update flushed');

    // A new process: fresh pool and store, nothing in memory.
    const pool = createPool(b.url, { max: 2 });
    t.teardown(() => pool.end());
    const after = new PgCallStore(pool, { log });
    t.match(await after.get(rec.callId), {
      gymName: 'Survivor Gym',
      status: 'in-progress',
      twilioCallSid: 'CAsurvive',
    });
    // Twilio's status callback for the call placed before the restart still moves it on.
    const [, status] = twilioRoutes({
      store: after,
      admission,
      publicBaseUrl: 'https://example.test',
      streamTokens: new StreamTokens(randomBytes(32)),
      log,
    });
    const res = await status?.handler(statusCallback('CAsurvive', 'completed'), {});
    t.equal(res?.status, 204);
    const done = await after.get(rec.callId);
    t.equal(done?.status, 'completed');
    t.ok(done?.endedAt);
    t.equal(
      Number((await pool.query('SELECT count(*) FROM calls')).rows[0]?.count),
      1,
      'the failed create left nothing',
    );
  });

  t.test('API: POST /v1/calls then an immediate GET finds the call', async (t) => {
    await b.reset();
    const store = new PgCallStore(b.pool, { log });
    const twilio = placer();
    // As src/main.ts mounts them: the database's GET /v1/calls/:id (transcript, facts), the calls API's POST.
    const api = withDbRetryAfter(callsRoutes({ store, placer: twilio, admission, destinations, log }));
    const srv = await serveRoutes([...dbRoutes({ pool: b.pool, log }), ...api]);
    t.teardown(() => srv.close());
    for (let i = 0; i < 5; i++) {
      const post = await fetch(`${srv.url}/v1/calls`, {
        method: 'POST',
        body: JSON.stringify({ phone_number: '+12015550199', gym_name: `Gym "${i}"; --` }),
      });
      t.equal(post.status, 201);
      const created = (await post.json()) as { call_id: string; twilio_call_sid: string };
      const get = await fetch(`${srv.url}/v1/calls/${created.call_id}`);
      t.equal(get.status, 200, 'found at once');
      const want = {
        call_id: created.call_id,
        twilio_call_sid: created.twilio_call_sid,
        gym_name: `Gym "${i}"; --`,
        phone_number: '+12015550199',
        status: 'queued',
      };
      t.match(await get.json(), { ...want, transcript: [] });
    }
    t.equal(twilio.placed.length, 5);
  });
}

t.test('PgCallStore on both backends', async (t) => {
  const [pgs, lite] = await Promise.all([withPostgres(t), withPglite(t)]);
  if (pgs)
    t.test('postgres', async (t) => suite(t, { backend: pgs.backend, stop: pgs.server.stop, start: pgs.server.start }));
  t.test('pglite', async (t) => {
    let db: EmbeddedDatabase = lite.db;
    t.teardown(() => db.stop());
    suite(t, {
      backend: lite.backend,
      stop: () => db.stop(),
      start: async () => {
        db = await startEmbedded({ dataDir: join(lite.dir, 'pglite'), port: lite.db.port });
      },
    });
  });
});

t.test('database down: POST /v1/calls answers 503 + Retry-After and places nothing', async (t) => {
  const pool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`, { connectionTimeoutMs: 500 });
  t.teardown(() => pool.end());
  const twilio = placer();
  const store = new PgCallStore(pool, { log, retryDelayMs: 10 });
  const srv = await serveRoutes(withDbRetryAfter(callsRoutes({ store, placer: twilio, admission, destinations, log })));
  t.teardown(() => srv.close());
  const res = await fetch(`${srv.url}/v1/calls`, {
    method: 'POST',
    body: JSON.stringify({ phone_number: '+12015550105', gym_name: 'Nobody Home' }),
  });
  t.equal(res.status, 503);
  t.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After set');
  t.match(await res.json(), { error: { code: 'DB_UNAVAILABLE' } });
  t.same(twilio.placed, [], 'nothing placed with Twilio');
});
