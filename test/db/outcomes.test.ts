import t from 'tap';
import { PassThrough } from 'node:stream';
import { backends } from './helpers/backends.js';
import { serveRoutes } from './helpers/http-adapter.js';
import { outcomeLines } from '../../src/cli/call-outcome.js';
import { exportCalls } from '../../src/db/export/export.js';
import { createPool } from '../../src/db/pool.js';
import { DbIvrPaths } from '../../src/db/ivr-paths.js';
import { callDetail } from '../../src/db/read-model.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { getIvrPath } from '../../src/db/repositories/ivr-paths.js';
import { dbRoutes } from '../../src/db/routes.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { callPage } from '../../src/review/pages.js';

// Issue 16's storage: a call's outcome, keys pressed, time on hold, refusals and callback request through the
// recorder, GET /v1/calls/{id}, the list filter, the CSV and JSON export, the review page and `call --wait`; the
// remembered phone-tree paths with replicas saving at once.

const REFUSED = "We don't give prices over the phone, it's on iron temple dot com slash prices.";
const CALLBACK_WORDS = 'Call back after two and ask for Mike.';

async function seedOutcomes(recorder: CallRecorder): Promise<void> {
  const c = recorder.begin({
    callId: 'call-tree',
    direction: 'outbound',
    gymName: 'Iron Temple',
    phoneNumber: '+12015550123',
    status: 'in-progress',
    at: '2026-12-05T15:00:00Z',
  });
  void c.refusal({ topic: 'pricing', words: REFUSED, website: 'irontemple.com/prices' }, '2026-12-05T15:01:00Z');
  // Said twice: stored once.
  void c.refusal({ topic: 'pricing', words: 'again: no prices', website: undefined }, '2026-12-05T15:01:10Z');
  void c.callback(
    {
      earliestLocal: '2026-12-05T14:00',
      timeZone: 'America/New_York',
      person: 'Mike',
      topics: ['pricing'],
      words: CALLBACK_WORDS,
    },
    '2026-12-05T15:02:00Z',
  );
  await c.ended({
    reason: 'caller-request',
    outcome: 'callback-requested',
    keys: ['2', '0'],
    holdMs: 45_210.4,
    refusals: [
      { topic: 'pricing', words: REFUSED, website: 'irontemple.com/prices' },
      { topic: 'classes', words: "You'd have to come in for that.", website: undefined },
    ],
    at: '2026-12-05T15:03:00Z',
  });
  // Nothing reaches a call whose end is recorded.
  await c.refusal({ topic: 'hours', words: 'late words' }, '2026-12-05T15:04:00Z');
  await c.callback({ topics: [], words: 'late callback' }, '2026-12-05T15:04:00Z');

  const plain = recorder.begin({ callId: 'call-plain', direction: 'inbound', at: '2026-12-05T16:00:00Z' });
  // A web address the schema cannot hold is left out; the refusal is kept.
  void plain.refusal(
    { topic: 'hours', words: 'see the site', website: `x.com/${'a'.repeat(400)}` },
    '2026-12-05T16:01:00Z',
  );
  // An outcome no layer knows, and a key no phone can send: dropped, the rest of the end kept.
  await plain.ended({ reason: 'facts-complete', outcome: 'exploded', keys: ['1', 'x9'], at: '2026-12-05T16:05:00Z' });
}

const EXPECTED_REFUSALS = [
  { topic: 'pricing', words: REFUSED, website: 'irontemple.com/prices', recorded_at: '2026-12-05T15:01:00.000Z' },
  {
    topic: 'classes',
    words: "You'd have to come in for that.",
    website: null,
    recorded_at: '2026-12-05T15:03:00.000Z',
  },
];
const EXPECTED_CALLBACK = {
  earliest_local: '2026-12-05T14:00',
  time_zone: 'America/New_York',
  person: 'Mike',
  topics: ['pricing'],
  words: CALLBACK_WORDS,
  recorded_at: '2026-12-05T15:02:00.000Z',
};

t.test('outcomes through the recorder, the API, the export, the review page and the CLI', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      const queue = new WriteQueue(b.pool);
      t.teardown(() => queue.close());
      await seedOutcomes(new CallRecorder(queue));
      const srv = await serveRoutes(dbRoutes({ pool: b.pool }));
      t.teardown(srv.close);

      const body = (await (await fetch(`${srv.url}/v1/calls/call-tree`)).json()) as Record<string, unknown>;
      t.match(body, {
        outcome: 'callback-requested',
        keys_pressed: ['2', '0'],
        hold_ms: 45210,
        end_reason: 'caller-request',
      });
      t.same(body.refusals, EXPECTED_REFUSALS);
      t.same(body.callback, EXPECTED_CALLBACK);
      const plain = (await (await fetch(`${srv.url}/v1/calls/call-plain`)).json()) as Record<string, unknown>;
      t.match(plain, { outcome: null, keys_pressed: ['1'], hold_ms: null, callback: null });
      t.same(plain.refusals, [
        { topic: 'hours', words: 'see the site', website: null, recorded_at: '2026-12-05T16:01:00.000Z' },
      ]);

      const listed = (await (await fetch(`${srv.url}/v1/calls?outcome=callback-requested`)).json()) as {
        calls: { call_id: string; outcome: string }[];
      };
      t.same(
        listed.calls.map((c) => [c.call_id, c.outcome]),
        [['call-tree', 'callback-requested']],
      );

      const out = new PassThrough();
      let csv = '';
      out.on('data', (d: Buffer) => (csv += d.toString('utf8')));
      await exportCalls(b.pool, out, { format: 'csv' });
      const lines = csv.split('\r\n');
      t.equal(
        lines[0],
        'record,call_id,call_created_at,gym_name,phone_number,direction,status,end_reason,seq,speaker,text,heard_text,interrupted,start_ms,end_ms,confidence,day,opens,closes,closed,open24h,plan,amount,currency,period,class,outcome,keys_pressed,hold_ms,topic,website,callback_at,time_zone,person,flow_experiment,flow_variant,mode,callback_number,transfer_to,transfer_status,at',
      );
      const ctx = 'call-tree,2026-12-05T15:00:00.000Z,Iron Temple,+12015550123,outbound,completed,caller-request';
      // seq … class: the 18 turn and fact columns, empty on a call row.
      const none = ','.repeat(18);
      t.same(
        lines.filter((l) => l.includes('call-tree')),
        [
          `call,${ctx}${none},callback-requested,2 0,45210,,,,,,,,,,,,`,
          `refusal,${ctx},,,"${REFUSED}",,,,,,,,,,,,,,,,callback-requested,,,pricing,irontemple.com/prices,,,,,,,,,,`,
          `refusal,${ctx},,,You'd have to come in for that.,,,,,,,,,,,,,,,,callback-requested,,,classes,,,,,,,,,,,`,
          `callback,${ctx},,,${CALLBACK_WORDS},,,,,,,,,,,,,,,,callback-requested,,,pricing,,2026-12-05T14:00,America/New_York,Mike,,,,,,,`,
        ],
      );

      const jout = new PassThrough();
      let json = '';
      jout.on('data', (d: Buffer) => (json += d.toString('utf8')));
      await exportCalls(b.pool, jout, { format: 'json' });
      const exported = (JSON.parse(json) as { calls: Record<string, unknown>[] }).calls.find(
        (c) => c.call_id === 'call-tree',
      );
      t.match(exported, { outcome: 'callback-requested', keys_pressed: ['2', '0'], hold_ms: 45210 });
      t.same(exported?.refusals, EXPECTED_REFUSALS);
      t.same(exported?.callback, EXPECTED_CALLBACK);

      const detail = await callDetail(b.pool, 'call-tree');
      const page = callPage(detail!);
      t.match(page, '<dt>Outcome</dt>\n      <dd><span class="status">callback-requested</span></dd>');
      t.match(page, '<dd>2 → 0</dd>');
      t.match(page, '<dd>45.2 s</dd>');
      t.match(page, /<strong>Prices<\/strong>:\s+“We don&#39;t give prices over the phone/);
      t.match(page, '<small>website: <code>irontemple.com/prices</code></small>');
      t.match(page, '<dd>from 2026-12-05 14:00 (America/New_York)</dd>');
      t.match(page, '<dd>Mike</dd>');

      t.same(outcomeLines(body), [
        'outcome callback-requested (ended: caller-request)',
        'keys pressed 2 → 0',
        'on hold 45.2 s',
        `refused pricing: "${REFUSED}" (website irontemple.com/prices)`,
        `refused classes: "You'd have to come in for that."`,
        `callback from 2026-12-05 14:00 America/New_York, ask for Mike, about pricing: "${CALLBACK_WORDS}"`,
      ]);
      t.same(outcomeLines(plain), [
        'outcome unknown (ended: facts-complete)',
        'keys pressed 1',
        'refused hours: "see the site"',
      ]);
    });
  }
});

t.test('remembered phone-tree paths: newest success wins across replicas, repeats count up', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      // Two replicas: each its own pool and write queue on the same database.
      const pool2 = createPool(b.url, { max: 2 });
      const q1 = new WriteQueue(b.pool);
      const q2 = new WriteQueue(pool2);
      t.teardown(async () => {
        await q1.close();
        await q2.close();
        await pool2.end();
      });
      const r1 = new DbIvrPaths({ pool: b.pool, queue: q1 });
      const r2 = new DbIvrPaths({ pool: pool2, queue: q2 });
      const phone = '+12015550123';
      const older = [{ digits: '1', fingerprint: '1=front-desk|2=membership' }];
      const newer = [
        { digits: '2', fingerprint: '1=information|2=membership' },
        { digits: '0', fingerprint: '0=operator|1=billing' },
      ];
      t.equal(await r1.get(phone), undefined);
      // The newer success arrives first; the older one, saved at the same moment by the other replica, loses.
      const [a, bOut] = await Promise.all([
        r2.save(phone, newer, 'call-2', new Date('2026-12-05T15:10:00Z')),
        r1.save(phone, older, 'call-1', new Date('2026-12-05T15:05:00Z')),
      ]);
      t.same([a, bOut], ['committed', 'committed']);
      t.same(await r1.get(phone), newer);
      t.match(await getIvrPath(b.pool, phone), { path: '2>0', successes: 1, last_call_id: 'call-2' });
      // Both replicas save the same path at once: both successes counted.
      await Promise.all([
        r1.save(phone, newer, 'call-3', new Date('2026-12-05T16:00:00Z')),
        r2.save(phone, newer, 'call-4', new Date('2026-12-05T16:00:01Z')),
      ]);
      t.match(await getIvrPath(b.pool, phone), { path: '2>0', successes: 3, last_call_id: 'call-4' });
      // A late success of the same path still counts, without moving the last success back.
      await r1.save(phone, newer, 'call-late', new Date('2026-12-05T15:30:00Z'));
      t.match(await getIvrPath(b.pool, phone), {
        path: '2>0',
        successes: 4,
        last_call_id: 'call-4',
        last_success_at: new Date('2026-12-05T16:00:01Z'),
      });
      // An older different path changes nothing; a newer one resets the count.
      await r2.save(phone, older, 'call-old', new Date('2026-12-05T14:00:00Z'));
      t.match(await getIvrPath(b.pool, phone), { path: '2>0', successes: 4 });
      await r2.save(phone, older, 'call-5', new Date('2026-12-05T17:00:00Z'));
      t.match(await getIvrPath(b.pool, phone), { path: '1', successes: 1 });
      // What cannot be stored is refused before the database.
      t.equal(await r1.save('555-0123', older, 'x'), 'failed');
      t.equal(await r1.save(phone, [{ digits: '12a', fingerprint: '' }], 'x'), 'failed');
      t.equal(await r1.save(phone, [], 'x'), 'failed');
      t.equal(await r1.get('not a number'), undefined);
    });
  }
});
