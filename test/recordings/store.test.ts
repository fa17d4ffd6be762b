import t from 'tap';
import { mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { backends } from '../db/helpers/backends.js';
import { serveRoutes } from '../db/helpers/http-adapter.js';
import { captureLogger } from '../db/helpers/capture-log.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { dbRoutes } from '../../src/db/routes.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { reviewRoutes } from '../../src/review/routes.js';
import { UsageMeter, priceCall } from '../../src/costs/meter.js';
import { DEFAULT_PRICES } from '../../src/costs/prices.js';
import { costRoutes } from '../../src/costs/routes.js';
import { costByGym, getCost, insertCost } from '../../src/costs/store.js';
import { RecordingStore, type StatFs } from '../../src/recordings/store.js';
import { CallTracks } from '../../src/recordings/tracks.js';

// Recordings and costs on both database backends: the disk guard (statfs injected), the playback route (the review
// sign-in, Range), the retention sweep run by two replicas at once, and a call's cost through the API and its sums.

const TOKEN = 'r'.repeat(40);
const DAY = 86_400_000;
const plenty: StatFs = () => Promise.resolve({ bavail: 1_000_000, bsize: 4096 }); // ~3.9 GB
const low: StatFs = () => Promise.resolve({ bavail: 1000, bsize: 4096 }); // ~4 MB

function audio(ms: number) {
  const tracks = new CallTracks(60_000);
  const frame = new Uint8Array(160);
  for (let at = 0; at < ms; at += 20) {
    for (let i = 0; i < 160; i++) frame[i] = (at / 20 + i) & 0xff; // never silent: a file of some size
    tracks.caller(frame, at);
  }
  return tracks.finish();
}

const basic = `Basic ${Buffer.from(`review:${TOKEN}`).toString('base64')}`;

t.test('recordings and costs', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      await b.pool.query('DELETE FROM call_recordings');
      const dir = await mkdtemp(join(tmpdir(), 'recs-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      const queue = new WriteQueue(b.pool);
      t.teardown(() => queue.close());
      const recorder = new CallRecorder(queue);
      const { log } = captureLogger();
      let now = Date.parse('2026-12-05T12:00:00Z');
      const replica = (statfs: StatFs) =>
        new RecordingStore({ dir, pool: b.pool, retentionDays: 30, minFreeMb: 100, log, statfs, now: () => now });
      const store = replica(plenty);
      t.teardown(() => store.close());

      const call = recorder.begin({ callId: 'call-rec', direction: 'outbound', phoneNumber: '+14155550123' });
      await call.created;
      t.equal(store.roomNow(), false, 'no answer yet: not recorded');
      t.equal(await store.hasRoom(), true);
      t.equal(store.roomNow(), true);
      const row = await store.save(call, audio(3000), new Date(now));
      t.ok(row, 'saved');
      const files = await readdir(dir);
      t.same(files, [row?.file], 'one file, under its random name');
      const file = await readFile(join(dir, files[0] ?? ''));
      t.equal(file.subarray(0, 4).toString('latin1'), 'fLaC');
      t.equal(row?.bytes, file.length);

      t.test('disk guard: low disk stops recording, not the call', async (t) => {
        const tight = replica(low);
        t.teardown(() => tight.close());
        const other = recorder.begin({ callId: 'call-tight', direction: 'outbound' });
        await other.created;
        t.equal(await tight.hasRoom(), false);
        t.equal(await tight.save(other, audio(1000), new Date(now)), undefined);
        t.equal(tight.skippedLowDisk, 1);
        t.equal(await tight.find('call-tight'), undefined, 'no row');
        t.equal((await readdir(dir)).length, 1, 'no file');
      });

      t.test('playback: the review sign-in, whole and by range', async (t) => {
        const srv = await serveRoutes(reviewRoutes({ pool: b.pool, apiToken: TOKEN, recordings: store }));
        t.teardown(srv.close);
        const url = `${srv.url}/review/calls/call-rec/recording`;
        t.equal((await fetch(url)).status, 401, 'not signed in');
        t.equal((await fetch(url, { headers: { authorization: 'Basic cmV2aWV3Ondyb25n' } })).status, 401);
        const whole = await fetch(url, { headers: { authorization: basic } });
        t.equal(whole.status, 200);
        t.equal(whole.headers.get('content-type'), 'audio/flac');
        t.equal(whole.headers.get('accept-ranges'), 'bytes');
        t.same(Buffer.from(await whole.arrayBuffer()), file);
        const part = await fetch(url, { headers: { authorization: basic, range: 'bytes=10-19' } });
        t.equal(part.status, 206);
        t.equal(part.headers.get('content-range'), `bytes 10-19/${file.length}`);
        t.same(Buffer.from(await part.arrayBuffer()), file.subarray(10, 20));
        const tail = await fetch(url, { headers: { authorization: basic, range: 'bytes=-5' } });
        t.same(Buffer.from(await tail.arrayBuffer()), file.subarray(file.length - 5));
        const past = await fetch(url, { headers: { authorization: basic, range: `bytes=${file.length}-` } });
        t.equal(past.status, 416);
        t.equal(past.headers.get('content-range'), `bytes */${file.length}`);
        const none = await fetch(`${srv.url}/review/calls/call-tight/recording`, { headers: { authorization: basic } });
        t.equal(none.status, 404);
        const page = await (
          await fetch(`${srv.url}/review/calls/call-rec`, { headers: { authorization: basic } })
        ).text();
        t.match(page, '<audio controls preload="none" src="/review/calls/call-rec/recording"></audio>');
      });

      t.test("a call's cost: stored once, in the API, summed per gym", async (t) => {
        const meter = new UsageMeter({ asr: 'deepgram', llm: 'openai' });
        meter.audio(90_000);
        meter.llmUsage({ inputTokens: 4000, outputTokens: 300 });
        meter.tts('elevenlabs', 800);
        const cost = priceCall(meter.usage(95_000), DEFAULT_PRICES);
        t.equal(await call.write('cost', now, (at) => (pool) => insertCost(pool, 'call-rec', cost, at)), 'committed');
        await insertCost(b.pool, 'call-rec', { ...cost, totalUsd: 99 }, new Date(now)); // a retry: first row kept
        const stored = await getCost(b.pool, 'call-rec');
        t.same(stored?.usd, { twilio: 0.036, asr: 0.01155, llm: 0.00078, tts: 0.08, total: 0.12833 });
        t.equal(stored?.twilioMinutes, 2);
        t.equal(stored?.llmInputTokens, 4000);
        const srv = await serveRoutes(dbRoutes({ pool: b.pool }));
        t.teardown(srv.close);
        const body = (await (await fetch(`${srv.url}/v1/calls/call-rec`)).json()) as { cost?: unknown };
        t.same(body.cost, stored);
        const plain = (await (await fetch(`${srv.url}/v1/calls/call-tight`)).json()) as Record<string, unknown>;
        t.notOk('cost' in plain, 'a call without a cost keeps its body');
        const gym = (await b.pool.query<{ gym_id: string }>("SELECT gym_id FROM calls WHERE id = 'call-rec'")).rows[0];
        t.same(await costByGym(b.pool, Number(gym?.gym_id)), [
          { key: String(gym?.gym_id), calls: 1, twilioMinutes: 2, totalUsd: 0.12833 },
        ]);
        // The call as a campaign's attempt (migration 008): summed per campaign, through the API.
        const campaign = (
          await b.pool.query<{ id: string }>(
            `INSERT INTO campaigns (name, topics, max_concurrent, max_attempts, policy, created_at, updated_at)
             VALUES ('spring', ARRAY['hours'], 2, 3, '{}', now(), now()) RETURNING id`,
          )
        ).rows[0]?.id;
        const cg = (
          await b.pool.query<{ id: string }>(
            `INSERT INTO campaign_gyms (campaign_id, gym_id, state, updated_at) VALUES ($1, $2, 'done', now())
             RETURNING id`,
            [campaign, gym?.gym_id],
          )
        ).rows[0]?.id;
        await b.pool.query(
          `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time,
             time_zone) VALUES ($1, $2, $3, 1, 'call-rec', now(), '2026-12-07T10:31', 'America/Los_Angeles')`,
          [cg, campaign, gym?.gym_id],
        );
        const api = await serveRoutes(costRoutes({ pool: b.pool }));
        t.teardown(api.close);
        t.same(await (await fetch(`${api.url}/v1/costs/campaigns?id=${campaign}`)).json(), {
          sums: [{ key: String(campaign), calls: 1, twilioMinutes: 2, totalUsd: 0.12833 }],
        });
        t.equal((await fetch(`${api.url}/v1/costs/gyms?id=x`)).status, 400);
      });

      t.test('retention: two replicas sweep at once, each recording deleted once', async (t) => {
        for (let i = 0; i < 4; i++) {
          const c = recorder.begin({ callId: `old-${i}`, direction: 'outbound' });
          await c.created;
          await store.save(c, audio(500), new Date(now - (40 + i) * DAY));
        }
        // A file whose row is gone (another replica removed it), old by its modification time.
        const stray = join(dir, 'f0e1d2c3-stray.flac');
        await (await import('node:fs/promises')).writeFile(stray, 'x');
        await utimes(stray, new Date(now - 60 * DAY), new Date(now - 60 * DAY));
        const second = replica(plenty);
        t.teardown(() => second.close());
        const [a, c] = await Promise.all([store.sweep(), second.sweep()]);
        t.equal(a.rows + c.rows, 4, 'every expired row deleted by exactly one replica');
        const left = (await b.pool.query<{ call_id: string }>('SELECT call_id FROM call_recordings')).rows;
        t.same(
          left.map((r) => r.call_id),
          ['call-rec'],
          'the recent one stays',
        );
        t.same(await readdir(dir), [row?.file], 'expired and stray files gone');
        now += 31 * DAY;
        t.same(await store.sweep(), { rows: 1, files: 1 }, 'and it too, once past the retention');
      });
    });
  }
});
