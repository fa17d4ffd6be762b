import t from 'tap';
import { withPglite } from '../db/helpers/backends.js';
import { startServer } from '../telephony/helpers.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { suppressionRoutes } from '../../src/compliance/routes.js';
import { isSuppressed } from '../../src/compliance/suppressions.js';
import { gymsRoutes } from '../../src/gyms/routes.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { callsRoutes, type CallPlacer } from '../../src/telephony/calls-api.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

const destinations = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };
const token = 'tok-0123456789abcdef0123456789abcdef';

interface Body {
  suppressions?: unknown[];
  gyms?: { gym_id: number; name: string; suppressed: boolean }[];
  [k: string]: unknown;
}

t.test('the API: auth, validation, add / list / lift, file import, gyms import with the listed flag', async (t) => {
  const { backend } = await withPglite(t);
  const pool = backend.pool;
  const dialled: string[] = [];
  const twilio: CallPlacer = {
    placeCall: async (to) => (dialled.push(to), { sid: 'CA' + '0'.repeat(32), status: 'queued' }),
  };
  const ts = await startServer({
    apiToken: token,
    routes: [
      ...suppressionRoutes({ pool }),
      ...gymsRoutes({ pool, destinations, defaultTimeZone: 'America/New_York', factsMaxAgeDays: 90 }),
      ...callsRoutes({
        store: new MemoryCallStore(),
        placer: twilio,
        admission: new CallCapacity({ max: 10 }),
        destinations,
        suppressed: (n) => isSuppressed(pool, n),
        log: createLogger('silent'),
      }),
    ],
  });
  t.teardown(() => ts.close());
  const base = `http://127.0.0.1:${ts.port}`;
  const req = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as Body };
  };

  for (const [method, path] of [
    ['GET', '/v1/suppressions'],
    ['POST', '/v1/suppressions'],
    ['DELETE', '/v1/suppressions/%2B12015550123'],
    ['POST', '/v1/gyms/import'],
    ['GET', '/v1/gyms'],
  ] as const)
    t.equal(
      (await req(method, path, method === 'GET' ? undefined : {}, { authorization: '' })).status,
      401,
      `${method} ${path} needs the token`,
    );
  t.equal((await req('POST', '/v1/suppressions', 'phone=1', { 'content-type': 'text/plain' })).status, 415);

  t.match(await req('POST', '/v1/suppressions', { phone: 'nope' }), {
    status: 400,
    body: { error: { code: 'VALIDATION_FAILED' } },
  });
  t.match(await req('POST', '/v1/suppressions', { phone: '2015550123', extra: 1 }), { status: 400 });
  t.match(await req('POST', '/v1/suppressions', { phone: '2015550123', region: 'XX' }), {
    status: 400,
    body: { error: { message: /region/ } },
  });
  t.match(await req('POST', '/v1/suppressions', { phone: '(201) 555-0123', reason: 'asked by email' }), {
    status: 201,
    body: { phone: '+12015550123', source: 'operator', reason: 'asked by email', added: true },
  });
  t.match(await req('POST', '/v1/suppressions', { phone: '+12015550123' }), { status: 200, body: { added: false } });
  t.match(await req('GET', '/v1/suppressions/%2B12015550123'), { status: 200, body: { phone: '+12015550123' } });
  t.match(await req('GET', '/v1/suppressions/2015550199'), { status: 404 });

  // POST /v1/calls refuses the listed number before anything is dialled; another number goes through.
  t.match(await req('POST', '/v1/calls', { phone_number: '+12015550123', gym_name: 'Iron Temple' }), {
    status: 422,
    body: { error: { code: 'SUPPRESSED', message: /do-not-call list/ } },
  });
  t.same(dialled, []);
  t.equal((await req('POST', '/v1/calls', { phone_number: '+12015550124', gym_name: 'Flex' })).status, 201);
  t.same(dialled, ['+12015550124']);

  const file = await req('POST', '/v1/suppressions', {
    format: 'text',
    content: '# from the complaints inbox\n212-555-0100\nnot a number\n+1 201 555 0123\n',
    reason: 'complaints',
  });
  t.match(file, {
    status: 200,
    body: {
      ok: true,
      added: 1,
      already: 1,
      rejected: 1,
      report: [
        { line: 2, status: 'added', phone: '+12125550100' },
        { line: 3, status: 'rejected' },
        { line: 4, status: 'already-listed' },
      ],
    },
  });
  t.match(await req('POST', '/v1/suppressions', { format: 'csv', content: 'phone,reason\n"(312) 555-0100",x\n' }), {
    body: { added: 1 },
  });
  t.match(await req('GET', '/v1/suppressions?limit=2'), { status: 200, body: { total: 3 } });
  t.equal((await req('GET', '/v1/suppressions')).body.suppressions?.length, 3);
  t.match(await req('GET', '/v1/suppressions?limit=0'), { status: 400 });

  // Gyms through the API: a CSV body, a JSON list, one bad row; the listed number shows as suppressed.
  const imp = await req('POST', '/v1/gyms/import', {
    format: 'csv',
    content: 'name,phone\n"Iron, Temple",201-555-0123\nFlex,201-555-0124\nNope,911\n',
  });
  t.match(imp, { status: 200, body: { rows: 3, accepted: 2, rejected: 1, report: [{}, {}, { code: 'emergency' }] } });
  t.match(await req('POST', '/v1/gyms/import', { gyms: [{ name: 'Flex Hub', phone: '+12015550124' }] }), {
    body: { merged: 1, report: [{ status: 'merged', changes: ['name'] }] },
  });
  t.match(await req('POST', '/v1/gyms/import', { format: 'csv', content: 'gym\nA\n' }), {
    status: 400,
    body: { error: { message: /no phone column/ } },
  });
  t.match(await req('POST', '/v1/gyms/import', { gyms: [] }), { status: 400 });
  const list = await req('GET', '/v1/gyms');
  t.same(
    (list.body.gyms ?? []).map((g) => [g.name, g.suppressed]),
    [
      ['Flex Hub', false],
      ['Iron, Temple', true],
    ],
  );
  const id = list.body.gyms?.[0]?.gym_id;
  const one = await req('GET', `/v1/gyms/${id}`);
  t.match(one, {
    status: 200,
    body: {
      name: 'Flex Hub',
      timezone: 'America/New_York',
      timezone_source: 'number',
      freshness: { missing: ['hours', 'pricing', 'classes'], maxAgeDays: 90 },
      changes: [{ field: 'name', old_value: 'Flex', new_value: 'Flex Hub' }, { field: 'created' }],
    },
  });
  t.equal((await req('GET', '/v1/gyms/999999')).status, 404);

  t.match(await req('DELETE', '/v1/suppressions/%2B12015550123', { reason: 'they asked us back' }), {
    status: 200,
    body: { removed: true },
  });
  t.equal((await req('DELETE', '/v1/suppressions/%2B12015550123')).status, 404);
  t.equal((await req('POST', '/v1/calls', { phone_number: '+12015550123', gym_name: 'Iron Temple' })).status, 201);
  const events = await pool.query(
    "SELECT action, source, reason FROM suppression_events WHERE phone = '+12015550123' ORDER BY id",
  );
  t.same(events.rows, [
    { action: 'added', source: 'operator', reason: 'asked by email' },
    { action: 'removed', source: 'operator', reason: 'they asked us back' },
  ]);
});

t.test('a call that ends as do-not-call lists the number it reached, in the write that ends it', async (t) => {
  const { backend } = await withPglite(t);
  const queue = new WriteQueue(backend.pool);
  t.teardown(() => queue.close());
  const recorder = new CallRecorder(queue);
  const call = (id: string, phone: string) =>
    recorder.begin({
      callId: id,
      direction: 'outbound',
      gymName: 'G',
      phoneNumber: phone,
      status: 'queued',
      at: '2026-02-01T09:00:00Z',
    });
  await call('dnc', '+12015550177').ended({
    reason: 'agent-ended',
    outcome: 'do-not-call',
    at: '2026-02-01T09:01:00Z',
  });
  await call('ok', '+12015550178').ended({
    reason: 'agent-ended',
    outcome: 'wrong-number',
    at: '2026-02-01T09:01:00Z',
  });
  t.ok(await isSuppressed(backend.pool, '+12015550177'));
  t.notOk(await isSuppressed(backend.pool, '+12015550178'));
  const s = await backend.pool.query("SELECT source, call_id FROM suppressions WHERE phone = '+12015550177'");
  t.same(s.rows, [{ source: 'call', call_id: 'dnc' }]);
});
