import t from 'tap';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, withPglite } from './helpers/backends.js';
import { serveRoutes } from './helpers/http-adapter.js';
import { launchChromium } from '../support/chromium.js';
import { seed, XSS } from './seed.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { dbRoutes } from '../../src/db/routes.js';
import { gymsRoutes } from '../../src/gyms/routes.js';
import { reviewRoutes } from '../../src/review/routes.js';
import { deskRoutes } from '../../src/frontdesk/routes.js';
import { calledNumber } from '../../src/frontdesk/wiring.js';
import { loadKnowledge } from '../../src/frontdesk/knowledge.js';
import { callDetail } from '../../src/db/read-model.js';
import { callPage } from '../../src/review/pages.js';

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

t.test('read API on both backends', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      const queue = new WriteQueue(b.pool);
      t.teardown(() => queue.close());
      await seed(new CallRecorder(queue));
      // /v1/gyms is src/gyms/routes.ts's, served beside the read API as the server does.
      const srv = await serveRoutes([
        ...dbRoutes({ pool: b.pool }),
        ...gymsRoutes({
          pool: b.pool,
          destinations: { regions: ['US'], types: ['FIXED_LINE_OR_MOBILE'] },
          defaultTimeZone: 'America/New_York',
          factsMaxAgeDays: 90,
        }),
      ]);
      t.teardown(srv.close);

      const a = await getJson(`${srv.url}/v1/calls/call-a`);
      t.equal(a.status, 200);
      t.same(Object.keys(a.body).sort(), [
        'answered_at',
        'answered_by',
        'call_id',
        'callback',
        'created_at',
        'direction',
        'end_reason',
        'ended_at',
        'facts',
        'flow_experiment',
        'flow_variant',
        'gym_id',
        'gym_name',
        'hold_ms',
        'keys_pressed',
        'language',
        'latency',
        'messages',
        'mode',
        'outcome',
        'phone_number',
        'providers',
        'refusals',
        'status',
        'status_history',
        'transcript',
        'transfer',
        'twilio_call_sid',
        'updated_at',
      ]);
      t.match(a.body, {
        call_id: 'call-a',
        twilio_call_sid: 'CAaaaa',
        status: 'completed',
        phone_number: '+15550001111',
        gym_name: 'Iron Temple',
        direction: 'outbound',
        created_at: '2026-02-01T09:00:00.000Z',
        answered_at: '2026-02-01T09:00:04.000Z',
        ended_at: '2026-02-01T09:01:00.000Z',
        end_reason: 'facts-complete',
        answered_by: 'human',
      });
      const tr = a.body.transcript as Array<Record<string, unknown>>;
      t.same(
        tr.map((x) => [x.seq, x.speaker, x.interrupted]),
        [
          [0, 'agent', true],
          [1, 'caller', false],
          [2, 'agent', false],
        ],
      );
      t.equal(tr[0]?.heard_text, "Hi! I'm calling to ask");
      t.same(a.body.facts, {
        hours: {
          mon: { opens: '05:00', closes: '23:00' },
          tue: { opens: '05:00', closes: '23:00' },
          sun: { closed: true },
        },
        pricing: [{ amount: 49, currency: 'USD', period: 'month', plan: 'monthly' }],
        classes: ['yoga', 'spin'],
      });

      t.equal((await getJson(`${srv.url}/v1/calls/nope`)).status, 404);
      t.equal((await getJson(`${srv.url}/v1/calls/${encodeURIComponent("x' OR '1'='1")}`)).status, 404);
      const list = await getJson(`${srv.url}/v1/calls?status=busy`);
      t.same(
        (list.body.calls as Array<{ call_id: string }>).map((c) => c.call_id),
        ['call-b'],
      );
      const since = await getJson(`${srv.url}/v1/calls?since=2026-02-02`);
      t.same(
        (since.body.calls as Array<{ call_id: string }>).map((c) => c.call_id),
        ['call-c', 'call-b'],
      );
      const bad = await getJson(`${srv.url}/v1/calls?limit=0&since=yesterday`);
      t.equal(bad.status, 400);
      t.match(bad.body, { error: { code: 'BAD_ARGUMENT' } });

      const gyms = await getJson(`${srv.url}/v1/gyms`);
      const g = (gyms.body.gyms as Array<{ gym_id: number; name: string; calls: number }>).find(
        (x) => x.name === 'Iron Temple',
      );
      t.equal(g?.calls, 1);
      const gd = await getJson(`${srv.url}/v1/gyms/${g?.gym_id}`);
      t.equal(gd.status, 200);
      t.same((gd.body.facts as { classes: string[] }).classes, ['yoga', 'spin']);
      t.equal((gd.body.history as unknown[]).length, 3 + 1 + 2);
      t.equal((await getJson(`${srv.url}/v1/gyms/999999`)).status, 404);
      t.equal((await getJson(`${srv.url}/v1/gyms/abc`)).status, 404);
    });
  }
});

t.test('review page', async (t) => {
  const { backend } = await withPglite(t);
  const queue = new WriteQueue(backend.pool);
  t.teardown(() => queue.close());
  await seed(new CallRecorder(queue));
  const token = 's3cret-token-0123456789abcdef-01234';
  const srv = await serveRoutes(reviewRoutes({ pool: backend.pool, apiToken: token }));
  t.teardown(srv.close);
  const basic = { authorization: `Basic ${Buffer.from(`review:${token}`).toString('base64')}` };

  t.test('over plain HTTP: auth, escaping, filters', async (t) => {
    const denied = await fetch(`${srv.url}/review`);
    t.equal(denied.status, 401);
    t.match(denied.headers.get('www-authenticate') ?? '', /^Basic /);
    t.equal(
      (
        await fetch(`${srv.url}/review`, {
          headers: { authorization: 'Basic ' + Buffer.from('x:wrong').toString('base64') },
        })
      ).status,
      401,
    );
    const ok = await fetch(`${srv.url}/review`, { headers: basic });
    t.equal(ok.status, 200);
    t.match(ok.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const htmlText = await ok.text();
    t.notOk(htmlText.includes('<script>'), 'hostile gym name is escaped');
    t.ok(htmlText.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    const bearer = await fetch(`${srv.url}/review/calls/call-c`, { headers: { authorization: `Bearer ${token}` } });
    t.equal(bearer.status, 200);
    t.notOk((await bearer.text()).includes(XSS));
    t.equal((await fetch(`${srv.url}/review/calls/missing`, { headers: basic })).status, 404);
    const badDate = await (await fetch(`${srv.url}/review?from=notadate`, { headers: basic })).text();
    t.match(badDate, /role="alert"/);
  });

  t.test('in headless Chromium', async (t) => {
    const browser = await launchChromium(t);
    if (browser === undefined) return;
    const ctx = await browser.newContext({ httpCredentials: { username: 'review', password: token } });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/review`);
    t.equal(await page.title(), 'Calls · gym-call-agent review');
    const rows = page.locator('tbody tr');
    t.equal(await rows.count(), 3, 'three seeded calls listed');
    t.match(await rows.nth(0).innerText(), /<script>alert\("x"\)<\/script>/, 'hostile name shown as text');
    t.equal(await page.locator('script').count(), 0, 'and not executed as markup');

    // Filter by status with the form, as a person would.
    await page.getByLabel('Status').selectOption('busy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=busy/);
    t.equal(await rows.count(), 1);
    t.match(await rows.nth(0).innerText(), /Flex Hub/);
    await page.getByLabel('Gym name contains').fill('iron');
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/gym=iron/);
    t.equal(await rows.count(), 1);
    await page.getByLabel('From (UTC)').fill('2026-02-02');
    await page.getByLabel('Gym name contains').fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/from=2026-02-02/);
    t.equal(await rows.count(), 2, 'date filter');

    await page.goto(`${srv.url}/review?gym=iron`);
    await page.getByRole('link', { name: /2026-02-01 09:00:00 UTC/ }).click();
    await page.waitForURL(/\/review\/calls\/call-a$/);
    t.equal(await page.locator('h1').innerText(), 'Iron Temple');
    const turns = page.locator('ol.transcript > li');
    t.equal(await turns.count(), 3);
    t.same(await page.locator('ol.transcript .speaker').allInnerTexts(), ['Agent', 'Gym', 'Agent'], 'speaker labels');
    t.equal(
      ((await turns.nth(0).locator('del.cut').textContent()) ?? '').replace('(cut off, not heard:) ', '').trim(),
      'about your opening hours and prices.',
      'the unheard part of the interrupted turn is struck through',
    );
    type Win = { getComputedStyle(e: unknown): { textDecorationLine: string } }; // no DOM lib in this tsconfig
    const decoration = await turns
      .nth(0)
      .locator('del.cut')
      .evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).textDecorationLine);
    t.equal(decoration, 'line-through', 'rendered as cut');
    t.match(await turns.nth(2).innerText(), /response gap 420 ms/, 'per-turn response gap');
    t.equal((await turns.nth(2).innerText()).match(/response gap/g)?.length, 1, 'one response gap per turn');
    t.match(await turns.nth(2).innerText(), /end of turn → first audio 210 ms/, 'per-turn latency, in words');
    const latency = page.locator('dl.meta table.latency');
    t.same(
      await latency.locator('th').allInnerTexts(),
      ['Response gap (caller stops → agent starts)', 'Server-added time (end of turn → first audio sent)'],
      'the call latency is a table of named figures',
    );
    t.same(await latency.locator('td').allInnerTexts(), [
      'median 420 ms · p90 610 ms · max 610 ms (2 turns)',
      'median 280 ms · max 350 ms (2 turns)',
    ]);
    t.notMatch(await page.locator('dl.meta').innerText(), /[{}"]/, 'no raw JSON in the call details');
    t.match(await turns.nth(1).innerText(), /confidence 0\.87/);
    t.match(await page.locator('section[aria-labelledby="facts-h"]').innerText(), /Monday\s+05:00–23:00/);
    t.match(await page.locator('section[aria-labelledby="facts-h"]').innerText(), /Sunday\s+closed/);
    t.match(await page.locator('section[aria-labelledby="facts-h"]').innerText(), /monthly\s+49\.00 USD\s+month/);
    t.same(await page.locator('ul.classes li').allInnerTexts(), ['yoga', 'spin']);

    const dir = await mkdtemp(join(tmpdir(), 'gca-review-'));
    const shot = process.env.REVIEW_SCREENSHOT ?? join(dir, 'review.png');
    await page.setViewportSize({ width: 1100, height: 1000 });
    await page.screenshot({ path: shot, fullPage: true });
    t.ok((await stat(shot)).size > 10_000, `screenshot saved to ${shot}`);
  });
});

t.test('front desk: numbers, a call’s message and transfer, the messages list', async (t) => {
  const { backend } = await withPglite(t);
  const queue = new WriteQueue(backend.pool);
  t.teardown(() => queue.close());
  const recorder = new CallRecorder(queue);
  await seed(recorder);
  const srv = await serveRoutes([...dbRoutes({ pool: backend.pool }), ...deskRoutes({ pool: backend.pool })]);
  t.teardown(srv.close);
  const gym = await backend.pool.query<{ id: string }>("SELECT id FROM gyms WHERE name = 'Iron Temple'");
  const gymId = Number(gym.rows[0]?.id);
  const send = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${srv.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: r.status === 204 ? {} : ((await r.json()) as Record<string, unknown>) };
  };
  const ours = '/v1/numbers/%2B12015550100';
  const put = await send('PUT', ours, { gym_id: gymId, mode: 'front-desk', staff_number: '+1 (201) 555-0199' });
  t.equal(put.status, 201);
  t.match(put.body, { number: '+12015550100', gym_id: gymId, gym_name: 'Iron Temple', staff_number: '+12015550199' });
  t.equal((await send('PUT', ours, { gym_id: gymId, mode: 'front-desk', staff_number: null })).status, 200);
  for (const [path, body, code] of [
    [ours, { gym_id: gymId, mode: 'reception' }, 'VALIDATION_FAILED'],
    [ours, { gym_id: 999_999, mode: 'interview' }, 'VALIDATION_FAILED'],
    [ours, { gym_id: gymId, mode: 'front-desk', staff_number: 'call Bob' }, 'VALIDATION_FAILED'],
    ['/v1/numbers/12015550100', { gym_id: gymId, mode: 'interview' }, 'BAD_ARGUMENT'],
  ] as const)
    t.match((await send('PUT', path, body)).body, { error: { code } }, `${JSON.stringify(body)} → ${code}`);
  t.match((await send('GET', '/v1/numbers')).body, { total: 1, numbers: [{ mode: 'front-desk', staff_number: null }] });

  // A front-desk call is its number's gym's: the caller's own number makes no gym.
  const desk = recorder.begin({
    callId: 'desk-1',
    direction: 'inbound',
    phoneNumber: '+12015550123',
    gymId,
    mode: 'front-desk',
    at: '2026-03-01T10:00:00Z',
  });
  await desk.created;
  await desk.message({ name: XSS, callbackNumber: '+12015550123', reason: 'a refund' }, '2026-03-01T10:01:00Z');
  await desk.transfer({ to: '+12015550199', status: 'dialling' }, '2026-03-01T10:02:00Z');
  const callers = await backend.pool.query("SELECT 1 FROM gyms WHERE phone = '+12015550123'");
  t.equal(callers.rows.length, 0, 'no gym for the caller');
  const d = await getJson(`${srv.url}/v1/calls/desk-1`);
  t.match(d.body, {
    gym_id: gymId,
    mode: 'front-desk',
    messages: [
      { name: XSS, callback_number: '+12015550123', reason: 'a refund', taken_at: '2026-03-01T10:01:00.000Z' },
    ],
    transfer: { to: '+12015550199', status: 'dialling', at: '2026-03-01T10:02:00.000Z' },
  });
  t.match((await getJson(`${srv.url}/v1/calls/call-a`)).body, { mode: null, messages: [], transfer: null });
  t.match((await getJson(`${srv.url}/v1/messages`)).body, {
    total: 1,
    messages: [{ call_id: 'desk-1', gym_id: gymId, gym_name: 'Iron Temple', name: XSS }],
  });
  t.match((await getJson(`${srv.url}/v1/messages?gym_id=${gymId + 1000}`)).body, { total: 0, messages: [] });
  t.match((await getJson(`${srv.url}/v1/messages?limit=0`)).body, { error: { code: 'BAD_ARGUMENT' } });
  const page = callPage((await callDetail(backend.pool, 'desk-1'))!);
  t.match(page, '<dt>Message from</dt>');
  t.notMatch(page, XSS, 'the caller’s words are escaped on the review page');
  t.match(page, '<code>+12015550199</code> (dialled');

  // The review site: the call list shows the mode and a marker for a message taken; /review/messages lists them.
  const token = 's3cret-token-0123456789abcdef-01234';
  const review = await serveRoutes(reviewRoutes({ pool: backend.pool, apiToken: token, pageSize: 2 }));
  t.teardown(review.close);
  const basic = { authorization: `Basic ${Buffer.from(`review:${token}`).toString('base64')}` };
  const get = async (path: string, headers: Record<string, string> = basic) => {
    const r = await fetch(`${review.url}${path}`, { headers });
    return { status: r.status, text: await r.text() };
  };
  const list = (await get('/review')).text;
  const deskRow = /<tr>(?:(?!<\/tr>)[\s\S])*desk-1(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(list)?.[0] ?? '';
  t.match(deskRow, /<td>\s*front desk<br \/><span class="status message-taken"[^>]*>✉ 1 message/);
  t.match(list, '<th scope="col">Mode</th>');
  t.equal((list.match(/message-taken/g) ?? []).length, 1, 'no marker on a call without a message');
  // Two more messages on another call, later: the list is newest first, a page at a time (pageSize 2), escaped.
  const later = recorder.begin({
    callId: 'desk-2',
    direction: 'inbound',
    gymId,
    mode: 'front-desk',
    at: '2026-03-02T09:00:00Z',
  });
  await later.created;
  await later.message({ name: 'Ana', callbackNumber: '+12015550124', reason: 'a class' }, '2026-03-02T09:01:00Z');
  await later.message(
    { name: 'Luis', callbackNumber: '+12015550125', reason: 'x'.repeat(2000) },
    '2026-03-02T09:02:00Z',
  );
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Basic ' + Buffer.from('x:wrong').toString('base64') },
  ]) {
    const denied = await get('/review/messages', headers);
    t.equal(denied.status, 401, 'the same sign-in as the other review pages');
    t.notMatch(denied.text, />Ana<|Luis|12015550124/);
  }
  t.equal((await get('/review/messages', { authorization: `Bearer ${token}` })).status, 200, 'or the bearer token');
  const first = await get('/review/messages');
  t.equal(first.status, 200);
  t.match(first.text, '<title>Messages · gym-call-agent review</title>');
  t.match(first.text, '(3 in all)');
  const rows = [...first.text.matchAll(/<a href="\/review\/calls\/([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
  t.same(
    rows,
    [
      ['desk-2', '2026-03-02 09:02:00 UTC'],
      ['desk-2', '2026-03-02 09:01:00 UTC'],
    ],
    'newest first, two to a page, each linking to its call',
  );
  t.ok(first.text.indexOf('>Luis<') < first.text.indexOf('>Ana<'), 'Luis’s message, the later, first');
  t.notMatch(first.text, 'x'.repeat(300), 'a long reason is cut (the call page has all of it)');
  t.match(first.text, '<a href="?offset=2">Older messages</a>');
  const second = await get('/review/messages?offset=2');
  t.match(second.text, '<a href="/review/calls/desk-1">2026-03-01 10:01:00 UTC</a>');
  t.notMatch(second.text, XSS, 'the caller’s words are escaped');
  t.match(second.text, '&lt;script&gt;');
  t.match(second.text, '<a href="?offset=0">Newer messages</a>');
  t.notMatch(second.text, 'Older messages');
  t.match((await get('/review/messages?offset=-5')).text, '2026-03-02 09:02:00 UTC', 'a bad offset is the first page');
  t.match((await get('/review/messages?offset=99')).text, 'No messages on this page.');
  // The voice webhook's look-up: the gym's own line speaks the gym's language (its list's tag, "es-MX").
  await backend.pool.query('UPDATE gyms SET language = NULL WHERE id = $1', [gymId]);
  const plain = await calledNumber(backend.pool, '+12015550100');
  t.match(plain, { gymId, mode: 'front-desk' });
  t.equal(plain?.language, undefined, 'a gym with no language: CALL_LANGUAGE');
  await backend.pool.query("UPDATE gyms SET language = 'es-MX' WHERE id = $1", [gymId]);
  t.match(await calledNumber(backend.pool, '+12015550100'), { gymId, gymName: 'Iron Temple', language: 'es' });
  await backend.pool.query("UPDATE phone_numbers SET staff_number = '+12015550199' WHERE number = '+12015550100'");
  t.match(
    await calledNumber(backend.pool, '+12015550100'),
    { staffNumber: '+12015550199' },
    'and its staff number: where a caller in a language the recogniser does not hear is put through',
  );
  t.equal(await calledNumber(backend.pool, '+12015550101'), undefined, 'not one of ours');
  // The desk reads callback numbers in the gym's country: its region, else its own number's.
  await backend.pool.query("UPDATE gyms SET region = 'MX' WHERE id = $1", [gymId]);
  const opts = { now: new Date('2026-03-01T10:00:00Z'), maxAgeDays: 90, defaultTimeZone: 'UTC' };
  t.equal((await loadKnowledge(backend.pool, gymId, opts))?.country, 'MX');
  await backend.pool.query("UPDATE gyms SET region = NULL, phone = '+525587654321' WHERE id = $1", [gymId]);
  t.equal((await loadKnowledge(backend.pool, gymId, opts))?.country, 'MX');
  t.equal((await send('DELETE', ours)).status, 204);
  t.equal((await send('DELETE', ours)).status, 404);
});
