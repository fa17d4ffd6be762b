import t from 'tap';
import { backends } from './helpers/backends.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { getCall, getStatusHistory, listCalls, recordStatus } from '../../src/db/repositories/calls.js';
import { getTurns } from '../../src/db/repositories/turns.js';
import { getGym, listGyms } from '../../src/db/repositories/gyms.js';
import { getCallFacts, getGymFactHistory, getGymFacts } from '../../src/db/repositories/facts.js';
import { readNormalisedCallFacts } from '../../src/db/normalise.js';
import type { GymFacts } from '../../src/facts/model.js';

const HOSTILE = [
  "O'Brien's Gym\"; DROP TABLE calls; --",
  "Robert'); DELETE FROM turns WHERE ('1'='1",
  '💪🏋️‍♀️ Gym — Ünïcødé 漢字 \\ $1 %_ ${x}',
  'x'.repeat(10_240),
  'nul\u0000byte',
];

const FACTS: GymFacts = {
  hours: { mon: { opens: '05:00', closes: '23:00' }, sat: { open24h: true }, sun: { closed: true } },
  pricing: [
    { plan: 'Monthly', amountMinor: 4900, currency: 'USD', period: 'month' },
    { plan: 'Day pass', amountMinor: 1550, currency: 'USD', period: 'visit' },
  ],
  classes: [{ name: 'Yoga' }, { name: 'Spin', schedule: 'mornings' }],
};

t.test('repositories on both backends', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      const queue = new WriteQueue(b.pool);
      const recorder = new CallRecorder(queue);
      t.teardown(() => queue.close());

      t.test('a whole call: row, status history, turns, facts, end', async (t) => {
        await b.reset();
        const call = recorder.begin({
          callId: 'call-1',
          direction: 'outbound',
          gymName: 'Iron Works',
          phoneNumber: '+15551230001',
          twilioCallSid: 'CA0001',
          status: 'queued',
          at: '2026-01-01T10:00:00Z',
          providers: { asr: 'offline' },
        });
        const outcomes = await Promise.all([
          call.status('ringing', '2026-01-01T10:00:01Z'),
          call.status('in-progress', '2026-01-01T10:00:05Z'),
          call.agentTurn({
            text: 'Hi, is this Iron Works?',
            heardText: 'Hi, is this',
            interrupted: true,
            startMs: 0,
            endMs: 900,
            latency: { firstAudioMs: 210 },
            at: '2026-01-01T10:00:06Z',
          }),
          call.callerTurn({
            text: 'yes it is',
            confidence: 0.91,
            startMs: 800,
            endMs: 1500,
            at: '2026-01-01T10:00:07Z',
          }),
          call.facts(FACTS, '2026-01-01T10:00:20Z'),
          call.ended({
            reason: 'agent-goodbye',
            latency: { responseGapMsP50: 420 },
            providers: { tts: 'flite' },
            at: '2026-01-01T10:01:00Z',
          }),
        ]);
        t.same(await call.created, 'committed');
        t.same(outcomes, Array(6).fill('committed'));

        const row = await getCall(b.pool, 'call-1');
        t.ok(row);
        t.equal(row?.status, 'completed');
        t.equal(row?.twilio_call_sid, 'CA0001');
        t.equal(row?.end_reason, 'agent-goodbye');
        t.equal(row?.answered_at?.toISOString(), '2026-01-01T10:00:05.000Z');
        t.equal(row?.ended_at?.toISOString(), '2026-01-01T10:01:00.000Z');
        t.same(row?.providers, { asr: 'offline', tts: 'flite' });
        t.same(row?.latency, { responseGapMsP50: 420 });
        const hist = await getStatusHistory(b.pool, 'call-1');
        t.same(
          hist.map((h) => h.status),
          ['queued', 'ringing', 'in-progress', 'ended'],
        );

        const turns = await getTurns(b.pool, 'call-1');
        t.equal(turns.length, 2);
        t.match(turns[0], {
          seq: 0,
          speaker: 'agent',
          heard_text: 'Hi, is this',
          interrupted: true,
          latency: { firstAudioMs: 210 },
        });
        t.match(turns[1], { seq: 1, speaker: 'caller', text: 'yes it is', heard_text: null, interrupted: false });
        t.ok(Math.abs((turns[1]?.confidence ?? 0) - 0.91) < 1e-6);

        t.same(await getCallFacts(b.pool, 'call-1'), {
          hours: FACTS.hours,
          pricing: FACTS.pricing,
          classes: FACTS.classes,
        });
        t.same(await readNormalisedCallFacts(b.pool, 'call-1'), {
          hours: { mon: { opens: '05:00', closes: '23:00' }, sat: { open24h: true }, sun: { closed: true } },
          pricing: [
            { amount: 49, currency: 'USD', period: 'month', plan: 'Monthly' },
            { amount: 15.5, currency: 'USD', period: 'visit', plan: 'Day pass' },
          ],
          classes: ['yoga', 'spin'],
        });
      });

      t.test('retried writes never duplicate', async (t) => {
        await b.reset();
        const first = recorder.begin({ callId: 'dup', direction: 'inbound', gymName: 'G', at: 1_700_000_000_000 });
        await first.created;
        // A second begin for the same call (API created it, then the media stream started) is an upsert.
        const again = recorder.begin({
          callId: 'dup',
          direction: 'inbound',
          gymName: 'G',
          twilioCallSid: 'CAdup',
          at: 1_700_000_000_000,
        });
        await again.created;
        for (let i = 0; i < 3; i++) {
          await first.callerTurn({ text: 'same', at: 1_700_000_001_000 }); // seq 0,1,2 — distinct turns
        }
        // Replaying the same op (as the queue does after an ambiguous failure):
        const { insertTurn } = await import('../../src/db/repositories/turns.js');
        const turn = {
          callId: 'dup',
          seq: 1,
          speaker: 'caller' as const,
          text: 'same',
          endedAt: new Date(1_700_000_001_000),
        };
        await insertTurn(b.pool, turn);
        await insertTurn(b.pool, turn);
        await first.facts(FACTS, 1_700_000_002_000);
        await first.facts(FACTS, 1_700_000_003_000);
        await first.status('ringing', 1_700_000_000_500);
        await first.status('ringing', 1_700_000_000_500);
        t.equal((await getTurns(b.pool, 'dup')).length, 3);
        const c = await b.pool.query("SELECT count(*)::int n FROM calls WHERE id = 'dup'");
        t.equal(c.rows[0].n, 1);
        t.equal((await getCall(b.pool, 'dup'))?.twilio_call_sid, 'CAdup');
        const media = recorder.begin({
          callId: 'dup',
          direction: 'inbound',
          status: 'in-progress',
          at: 1_700_000_000_900,
        });
        await media.created;
        t.equal((await getCall(b.pool, 'dup'))?.status, 'in-progress', 'a later begin moves the status on');
        t.equal(
          await media.agentTurn({
            seq: 7,
            text: 'hi',
            heardText: 'hi',
            interrupted: false,
            detail: { reason: 'greeting' },
          }),
          'committed',
        );
        t.equal(await media.callerTurn({ text: 'next' }), 'committed');
        const extra = (await getTurns(b.pool, 'dup')).filter((x) => x.seq >= 7);
        t.same(
          extra.map((x) => [x.seq, x.detail]),
          [
            [7, { reason: 'greeting' }],
            [8, null],
          ],
          'explicit seq kept, counter continues after it',
        );
        await b.pool.query("DELETE FROM turns WHERE call_id = 'dup' AND seq >= 7");
        const f = await b.pool.query(
          'SELECT (SELECT count(*) FROM fact_hours)::int h, (SELECT count(*) FROM fact_plans)::int p, (SELECT count(*) FROM fact_classes)::int c',
        );
        t.same(f.rows[0], { h: 3, p: 2, c: 2 });
        // Identical facts re-sent keep their first recording time.
        const at = await b.pool.query("SELECT DISTINCT recorded_at FROM fact_hours WHERE call_id = 'dup'");
        t.same(
          at.rows.map((r) => (r.recorded_at as Date).getTime()),
          [1_700_000_002_000],
        );
        t.equal((await getStatusHistory(b.pool, 'dup')).filter((s) => s.status === 'ringing').length, 1);
        t.equal((await listGyms(b.pool)).length, 1, 'one gym for one name');
      });

      t.test('a late, older status never overwrites a newer one', async (t) => {
        await b.reset();
        const call = recorder.begin({
          callId: 'late',
          direction: 'outbound',
          gymName: 'G',
          twilioCallSid: 'CAlate',
          at: 1000,
        });
        await call.status('completed', 5000);
        t.equal(await recordStatus(b.pool, { twilioCallSid: 'CAlate', status: 'ringing', at: new Date(2000) }), true);
        t.equal(await recordStatus(b.pool, { twilioCallSid: 'CAnone', status: 'ringing', at: new Date(2000) }), false);
        t.equal(await recorder.statusBySid('CAlate', 'in-progress', 3000), 'committed');
        const row = await getCall(b.pool, 'late');
        t.equal(row?.status, 'completed');
        t.equal(row?.answered_at?.getTime(), 3000);
        t.same(
          (await getStatusHistory(b.pool, 'late')).map((s) => s.status),
          ['created', 'ringing', 'in-progress', 'completed'],
        );
      });

      t.test('a later call updates the gym facts; history stays', async (t) => {
        await b.reset();
        const phone = '+15551239999';
        const c1 = recorder.begin({
          callId: 'g1',
          direction: 'outbound',
          gymName: 'Flex',
          phoneNumber: phone,
          at: 1000,
        });
        await c1.facts(FACTS, 2000);
        const c2 = recorder.begin({
          gymTimezone: 'America/Chicago',
          callId: 'g2',
          direction: 'outbound',
          gymName: 'Flex Fitness',
          phoneNumber: phone,
          at: 10_000,
        });
        await c2.facts(
          {
            hours: { mon: { opens: '06:00', closes: '22:00' } },
            pricing: [{ plan: 'Monthly', amountMinor: 5900, currency: 'USD', period: 'month' }],
            classes: [],
          },
          11_000,
        );
        const gyms = await listGyms(b.pool);
        t.equal(gyms.length, 1, 'same phone number, same gym');
        const gym = gyms[0];
        t.equal(gym?.name, 'Flex Fitness', 'latest name wins');
        t.equal(gym?.timezone, 'America/Chicago');
        t.equal(gym?.calls, 2);
        const now = await getGymFacts(b.pool, gym?.id ?? -1);
        t.same(now.hours.mon, { opens: '06:00', closes: '22:00' }, 'newer hours for Monday');
        t.same(now.hours.sun, { closed: true }, 'Sunday still known from the first call');
        t.same(
          now.pricing,
          [{ plan: 'Monthly', amountMinor: 5900, currency: 'USD', period: 'month' }],
          'latest price list',
        );
        t.same(now.classes, FACTS.classes, 'classes from the latest call that named any');
        const hist = await getGymFactHistory(b.pool, gym?.id ?? -1);
        t.equal(hist.length, 3 + 2 + 2 + 1 + 1);
        t.same(
          hist.slice(0, 2).map((h) => h.call_id),
          ['g2', 'g2'],
        );
        t.ok(
          hist.some((h) => h.topic === 'pricing' && h.call_id === 'g1' && h.amount_minor === 4900),
          'old price kept',
        );
      });

      t.test('hostile input is stored and read back verbatim', async (t) => {
        await b.reset();
        for (const [i, s] of HOSTILE.entries()) {
          const id = `${s.slice(0, 100).replaceAll('\u0000', '')}-${i}`;
          const call = recorder.begin({ callId: id, direction: 'inbound', gymName: s, at: 1000 + i });
          await call.callerTurn({ text: s, at: 2000 });
          await call.agentTurn({ text: s, heardText: s, interrupted: false, at: 3000 });
          t.equal(
            await call.facts(
              {
                hours: {},
                pricing: [{ plan: s.slice(0, 200), amountMinor: 100, currency: 'USD', period: 'month' }],
                classes: [{ name: s.slice(0, 200) }],
              },
              4000,
            ),
            'committed',
          );
          const expected = s.replaceAll('\u0000', '\uFFFD');
          const row = await getCall(b.pool, id);
          t.equal(row?.gym_name, expected, `gym name ${i}`);
          const turns = await getTurns(b.pool, id);
          t.same(
            turns.map((x) => x.text),
            [expected, expected],
          );
          const f = await getCallFacts(b.pool, id);
          t.equal(f.classes[0]?.name, expected.slice(0, 200));
          t.equal((await getGym(b.pool, row?.gym_id ?? -1))?.name, expected);
          t.equal((await listCalls(b.pool, { gymName: s.slice(0, 50) })).length >= 1, true, `filter finds ${i}`);
        }
        // Every table still exists and holds exactly what was written.
        const n = await b.pool.query('SELECT (SELECT count(*) FROM calls)::int c, (SELECT count(*) FROM turns)::int t');
        t.same(n.rows[0], { c: HOSTILE.length, t: HOSTILE.length * 2 });
        // LIKE wildcards in a filter match literally.
        t.equal((await listCalls(b.pool, { gymName: '%' })).length, 1);
      });

      t.test('invalid input is rejected with a clear outcome, nothing queued', async (t) => {
        await b.reset();
        const call = recorder.begin({ callId: 'bad', direction: 'inbound', at: 1000 });
        t.equal(await call.created, 'committed');
        const before = recorder.rejected;
        t.equal(await call.facts({ hours: { mon: { opens: '25:00', closes: '9' } } }), 'failed');
        t.equal(await call.callerTurn({ text: 'x', at: 'not a date' }), 'failed');
        const nul = recorder.begin({ callId: 'a\u0000b', direction: 'inbound', at: 1000 });
        t.equal(await nul.created, 'failed', 'a call id with NUL is rejected');
        t.equal(await nul.callerTurn({ text: 'x' }), 'failed', 'and so is everything recorded under it');
        t.equal(recorder.rejected, before + 4);
        t.equal((await getTurns(b.pool, 'bad')).length, 0);
        // A permanent database error (another call's Twilio call SID violates its unique key) fails that write only.
        const sid = 'CA00000000000000000000000000000099';
        t.equal(
          await recorder.begin({ callId: 'first', direction: 'inbound', twilioCallSid: sid, at: 1000 }).created,
          'committed',
        );
        const other = recorder.begin({ callId: 'same-sid', direction: 'inbound', twilioCallSid: sid, at: 1000 });
        t.equal(await other.created, 'failed');
        t.equal(queue.stats().dbUp, true, 'a data error is not an outage');
        // A withheld caller ID is no gym's number: kept on the call, the call recorded all the same.
        const withheld = recorder.begin({
          callId: 'withheld',
          direction: 'inbound',
          phoneNumber: 'anonymous',
          at: 1000,
        });
        t.equal(await withheld.created, 'committed');
        const row = await getCall(b.pool, 'withheld');
        t.equal(row?.phone_number, 'anonymous');
        t.equal((await getGym(b.pool, row?.gym_id ?? -1))?.phone, null);
      });

      t.test('listCalls filters by status, gym and date', async (t) => {
        await b.reset();
        const a = recorder.begin({
          callId: 'a',
          direction: 'outbound',
          gymName: 'Alpha Gym',
          at: '2026-03-01T00:00:00Z',
        });
        const bb = recorder.begin({
          callId: 'b',
          direction: 'outbound',
          gymName: 'Beta Gym',
          at: '2026-03-05T00:00:00Z',
        });
        await a.ended({ reason: 'done', at: '2026-03-01T00:05:00Z' });
        await bb.status('ringing', '2026-03-05T00:00:01Z');
        t.same(
          (await listCalls(b.pool)).map((c) => c.id),
          ['b', 'a'],
        );
        t.same(
          (await listCalls(b.pool, { status: 'completed' })).map((c) => c.id),
          ['a'],
        );
        t.same(
          (await listCalls(b.pool, { gymName: 'beta' })).map((c) => c.id),
          ['b'],
        );
        t.same(
          (await listCalls(b.pool, { since: new Date('2026-03-02T00:00:00Z') })).map((c) => c.id),
          ['b'],
        );
        t.same(
          (await listCalls(b.pool, { until: new Date('2026-03-02T00:00:00Z') })).map((c) => c.id),
          ['a'],
        );
      });
    });
  }
});
