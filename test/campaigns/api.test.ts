// /v1/campaigns and `gym-agent campaign`: create over imported gyms, list, status with its progress bar and outcome
// counts, the gyms (their paging: pages.test.ts), pause / resume / cancel, and the clear errors for what is wrong
// (bad body, unknown gyms, a taken name, a transition the campaign's status does not allow, an id that is not one).
// Brand voices where gyms and campaigns get them: a gym list's voice column, PUT /v1/gyms/:id/voice, a campaign's.
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignRoutes } from '../../src/campaigns/routes.js';
import { formatStatus, progressBar } from '../../src/cli/commands/campaign.js';
import type { HttpRequest, Route } from '../../src/http/types.js';
import { createLogger } from '../../src/log.js';
import { withPglite } from '../db/helpers/backends.js';
import { runCampaignCli } from './cli-run.js';
import { importGyms } from '../../src/gyms/import.js';
import { gymsRoutes } from '../../src/gyms/routes.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';
import { configuredVoices } from '../../src/voices/store.js';
import { IMPORT_OPTIONS } from '../gyms/import-options.js';
import { run as runGyms } from '../../src/cli/commands/gyms.js';
import { runCli } from '../support/cli.js';

const { backend } = await withPglite(t);
const pool = backend.pool;
const routes = campaignRoutes({ pool, factsMaxAgeDays: 90, log: createLogger('silent') });

function route(method: string, pattern: string): Route {
  const r = routes.find((x) => x.method === method && x.pattern === pattern);
  if (!r) throw new Error(`no route ${method} ${pattern}`);
  return r;
}

async function call(method: string, pattern: string, body?: unknown, params: Record<string, string> = {}) {
  const req: HttpRequest = {
    method,
    path: pattern,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    remoteIp: '127.0.0.1',
  };
  const res = await route(method, pattern).handler(req, params);
  return { status: res.status, json: JSON.parse(String(res.body)) as Record<string, unknown> };
}

const gymIds: number[] = [];
for (const phone of ['+12025550191', '+12025550192']) {
  const r = await pool.query<{ id: string }>(
    "INSERT INTO gyms (name, phone, timezone) VALUES ('G', $1, 'America/New_York') RETURNING id",
    [phone],
  );
  gymIds.push(Number(r.rows[0]?.id));
}

t.test('the API creates, lists, reads and changes campaigns', async (t) => {
  const made = await call('POST', '/v1/campaigns', { name: 'api', gym_ids: gymIds, topics: ['hours'] });
  t.equal(made.status, 201);
  t.equal(made.json.gyms, 2);
  t.same(made.json.topics, ['hours']);
  const id = String(made.json.id);
  const list = await call('GET', '/v1/campaigns');
  t.ok((list.json.campaigns as { id: number }[]).some((c) => String(c.id) === id));
  t.equal(list.json.next, null, 'one page');
  const one = await call('GET', '/v1/campaigns/:id', undefined, { id });
  t.equal(one.status, 200);
  t.equal(one.json.gyms, 2);
  const gyms = await call('GET', '/v1/campaigns/:id/gyms', undefined, { id });
  t.same(
    (gyms.json.gyms as { gymId: number }[]).map((g) => g.gymId),
    gymIds,
  );
  t.equal((await call('POST', '/v1/campaigns/:id/pause', undefined, { id })).json.status, 'paused');
  t.equal((await call('POST', '/v1/campaigns/:id/resume', undefined, { id })).json.status, 'active');
  t.equal((await call('POST', '/v1/campaigns/:id/cancel', undefined, { id })).json.status, 'cancelled');
  const again = await call('POST', '/v1/campaigns/:id/resume', undefined, { id });
  t.equal(again.status, 409);
  t.match((again.json.error as { message: string }).message, /cancelled: it cannot resume/);
});

t.test('the API says what is wrong', async (t) => {
  const bad = async (body: unknown, status: number, message: RegExp) => {
    const r = await call('POST', '/v1/campaigns', body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match((r.json.error as { message: string }).message, message);
  };
  await bad({ name: 'x' }, 400, /gym_ids/);
  await bad({ name: '', gym_ids: gymIds }, 400, /name: must not be empty/);
  await bad({ name: 'a\u202eb', gym_ids: gymIds }, 400, /bidirectional/);
  await bad({ name: 'x', gym_ids: [987654] }, 400, /no such gyms: 987654/);
  await bad({ name: 'x', gym_ids: gymIds, topics: ['weather'] }, 400, /topics/);
  await bad({ name: 'x', gym_ids: gymIds, max_concurrent: 0 }, 400, /maxConcurrent must be 1 or more/);
  await bad({ name: 'x', gym_ids: gymIds, extra: 1 }, 400, /extra/);
  t.equal((await call('POST', '/v1/campaigns', { name: 'dup', gym_ids: gymIds })).status, 201);
  await bad({ name: 'dup', gym_ids: gymIds }, 409, /exists/);
  t.equal((await call('GET', '/v1/campaigns/:id', undefined, { id: 'x1' })).status, 404);
  t.equal((await call('GET', '/v1/campaigns/:id', undefined, { id: '424242' })).status, 404);
  t.equal((await call('POST', '/v1/campaigns/:id/pause', undefined, { id: '424242' })).status, 404);
});

t.test('gym-agent campaign create imports the file; status shows progress and outcomes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gca-campaign-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'gyms.csv');
  await writeFile(file, 'name,phone,timezone\nCli Gym,+12025550193,America/New_York\nBad,123,\n');
  const results = await runCampaignCli(backend.url, [
    ['create', '--name', 'cli', '--gyms', file, '--topics', 'hours,pricing', '--voice', '{"openai": "shimmer"}'],
    ['create', '--name', 'cli2', '--gyms', file, '--topics', 'weather'],
    ['status', 'abc'],
    ['create', '--name', 'cli3', '--gyms', file, '--voice', '{"openai": "bob"}'],
  ]);
  t.same(
    results.map((r) => r.code),
    [0, 2, 2, 2],
  );
  const text = results.map((r) => r.text).join('');
  t.match(text, /voice\.openai: must be one of OpenAI's voices/);
  const stored = await pool.query<{ voice: unknown }>("SELECT voice FROM campaigns WHERE name = 'cli'");
  t.same(stored.rows[0]?.voice, { openai: 'shimmer' }, "the campaign's voice, from --voice");
  t.match(text, /gyms: 1 new, 0 merged, 1 rejected of 2 rows/);
  t.match(text, /campaign \d+ "cli" created with 1 gyms/);
  t.match(text, /--topics: unknown weather/);
  t.equal(progressBar(1, 4, 8), '[##------] 1/4 (25%)');
  const shown = formatStatus({
    id: 7,
    name: 'n',
    topics: ['hours'],
    status: 'active',
    language: null,
    maxConcurrent: 5,
    maxAttempts: 6,
    createdAt: new Date(0),
    gyms: 2,
    states: { pending: 0, scheduled: 1, dialling: 0, done: 1, failed: 0, suppressed: 0 },
    attempts: 3,
    outcomes: { busy: 2, completed: 1 },
    finals: { completed: 1 },
    nextAt: new Date('2026-12-07T15:00:00Z'),
    voice: null,
  });
  t.match(shown, /\[#+-+\] 1\/2 \(50%\)/);
  t.match(shown, /outcomes: busy 2, completed 1 \(3 dials\)/);
});

t.test(
  'brand voices: a gym list, the gyms API and a campaign set them, each checked, and doctor finds them',
  async (t) => {
    const CLONED = 'Zq9CloneVoice0000001';
    const voice = { elevenlabs: { voice_id: CLONED, model: 'eleven_multilingual_v2', stability: 0.3 }, openai: 'nova' };
    const destinations = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };
    const list = async (csv: string) => {
      const r = await importGyms(pool, csv, { ...IMPORT_OPTIONS, destinations });
      if (!r.ok) throw new Error(r.message);
      return r.report.report;
    };
    const cell = (v: unknown) => `"${JSON.stringify(v).replace(/"/g, '""')}"`;
    const [brand, plain, bad] = await list(
      [
        'name,phone,language,voice',
        `Brand Gym,+12025550171,en-US,${cell(voice)}`,
        'Plain Gym,+12025550172,es-MX,',
        `Bad Voice Gym,+12025550173,es,${cell({ elevenlabs: { voice_id: CLONED, model: 'eleven_turbo_v2' } })}`,
      ].join('\n'),
    );
    t.match(bad, {
      status: 'rejected',
      code: 'voice',
      reason: /eleven_turbo_v2 speaks only English and this voice is for es/,
    });
    const brandId = String(brand?.gym_id);
    const plainId = String(plain?.gym_id);
    const gyms = gymsRoutes({ pool, destinations, defaultTimeZone: 'America/New_York', factsMaxAgeDays: 90 });
    const gym = async (method: string, pattern: string, body: unknown, id: string) => {
      const r = gyms.find((x) => x.method === method && x.pattern === pattern);
      const res = await r!.handler(
        {
          method,
          path: pattern,
          query: new URLSearchParams(),
          headers: {},
          body: Buffer.from(JSON.stringify(body) ?? ''),
          remoteIp: '127.0.0.1',
        },
        { id },
      );
      return { status: res.status, json: JSON.parse(String(res.body)) as Record<string, unknown> };
    };
    t.same((await gym('GET', '/v1/gyms/:id', undefined, brandId)).json.voice, voice, 'the imported voice, as given');
    t.equal((await gym('PUT', '/v1/gyms/:id/voice', { openai: 'onyx' }, plainId)).status, 200);
    t.same((await gym('GET', '/v1/gyms/:id', undefined, plainId)).json.voice, { openai: 'onyx' });
    const english = await gym('PUT', '/v1/gyms/:id/voice', { flite: 'slt' }, plainId);
    t.match(english, {
      status: 400,
      json: { error: { code: 'VALIDATION_FAILED', message: /flite speaks only English/ } },
    });
    const wrong = await gym('PUT', '/v1/gyms/:id/voice', { openai: 'bob' }, plainId);
    t.match(wrong.json, { error: { code: 'VALIDATION_FAILED', message: /openai: must be one of OpenAI's voices/ } });
    t.equal((await gym('PUT', '/v1/gyms/:id/voice', { openai: 'nova' }, '999999')).status, 404);
    t.equal((await gym('PUT', '/v1/gyms/:id/voice', null, plainId)).status, 200, 'null clears');
    t.equal((await gym('GET', '/v1/gyms/:id', undefined, plainId)).json.voice, null);
    // A re-import with the same voice (keys in another order) changes nothing; `none` clears it, kept in the history.
    const again = (c: string) => list(`name,phone,voice\nBrand Gym,+12025550171,${c}`);
    t.same((await again(cell({ openai: 'nova', elevenlabs: voice.elevenlabs })))[0]?.changes, []);
    t.same((await again('none'))[0]?.changes, ['voice']);
    t.equal((await gym('PUT', '/v1/gyms/:id/voice', voice, brandId)).status, 200);
    // gym-agent gyms voice: the same checks, before the database is opened.
    const env = { DATABASE_URL: backend.url };
    t.match(await runCli(runGyms, ['voice', plainId, '{"openai": "echo"}'], env), { code: 0, out: /voice set/ });
    t.same((await gym('GET', '/v1/gyms/:id', undefined, plainId)).json.voice, { openai: 'echo' });
    t.match(await runCli(runGyms, ['voice', plainId, '{"openai": "echo"'], {}), {
      code: 2,
      err: /the voice must be JSON/,
    });
    t.match(await runCli(runGyms, ['voice', plainId, '{"flite": "slt"}'], env), {
      code: 1,
      err: /flite speaks only English/,
    });
    t.match(await runCli(runGyms, ['voice', plainId, 'none'], env), { code: 0, out: /voice cleared/ });

    const spanish = await call('POST', '/v1/campaigns', {
      name: 'english-model',
      gym_ids: [Number(plainId)],
      voice: { elevenlabs: { voice_id: CLONED, model: 'eleven_flash_v2' } },
    });
    t.match(spanish, {
      status: 400,
      json: { error: { message: /eleven_flash_v2 speaks only English and this voice is for es-MX/ } },
    });
    const campaignVoice = { elevenlabs: { voice_id: 'EXAVITQu4vr4xnSDxMaL' }, openai: 'coral' };
    const made = await call('POST', '/v1/campaigns', {
      name: 'branded',
      gym_ids: [Number(brandId)],
      voice: campaignVoice,
    });
    t.equal(made.status, 201);
    t.same(made.json.voice, campaignVoice);
    const owners = (await configuredVoices(pool)).map((v) => v.owner);
    t.ok(
      owners.includes(`campaign ${String(made.json.id)}`) && owners.includes(`gym ${brandId}`),
      'what doctor looks up',
    );
    t.notOk(owners.includes(`gym ${plainId}`), 'a gym without a voice is not listed');
  },
);
