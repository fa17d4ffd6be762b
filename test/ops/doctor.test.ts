import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctor, run, type DoctorOptions } from '../../src/cli/commands/doctor.js';
import type { Finding } from '../../src/ops/doctor/types.js';
import { FakeElevenLabs } from '../../src/fakes/elevenlabs.js';

const SID = 'AC' + 'a'.repeat(32);
const GOOD = 'good-key';

// A tiny fake of the four providers' cheap authenticated endpoints plus the public /healthz.
function fakeProviders(): Promise<{ url: string; close: () => Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    seen.push(`${req.method} ${path}`);
    const h = req.headers;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const basicOk = h.authorization === `Basic ${Buffer.from(`${SID}:${GOOD}`).toString('base64')}`;
    if (path === '/v1/projects')
      return h.authorization === `Token ${GOOD}`
        ? send(200, { projects: [] })
        : send(401, { err_code: 'INVALID_AUTH' });
    if (path === '/v1/models' && h['xi-api-key'] === undefined)
      return h.authorization === `Bearer ${GOOD}`
        ? send(200, { data: [{ id: 'gpt-4o-mini' }] })
        : send(401, { error: { message: 'Incorrect API key' } });
    // ElevenLabs' voice lookup and model list (the voices check; /v1/models is OpenAI's too, told apart by the key).
    if (path.startsWith('/v1/voices/') && h['xi-api-key'] === GOOD) return send(200, { voice_id: 'x', name: 'Rachel' });
    if (path === '/v1/models' && h['xi-api-key'] === GOOD)
      return send(200, [{ model_id: 'eleven_turbo_v2_5', can_do_text_to_speech: true }]);
    if (path === '/v1/user')
      return h['xi-api-key'] === GOOD
        ? send(200, { subscription: { character_count: 10, character_limit: 100000 } })
        : send(401, { detail: { status: 'invalid_api_key' } });
    if (path === `/2010-04-01/Accounts/${SID}.json`)
      return basicOk ? send(200, { sid: SID, status: 'active' }) : send(401, { code: 20003 });
    if (path === `/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers.json`)
      return basicOk ? send(200, { incoming_phone_numbers: [{ voice_url: `${base}/twilio/voice` }] }) : send(401, {});
    if (path === '/healthz') return send(200, { status: 'ok' });
    send(404, {});
  });
  let base = '';
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      resolve({ url: base, seen, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

function opts(env: Record<string, string>, over: Partial<DoctorOptions> = {}) {
  const out: string[] = [];
  const o: DoctorOptions = {
    env,
    offline: false,
    json: false,
    verbose: false,
    timeoutMs: 3000,
    fetch: (u, i) => fetch(u, i),
    out: (s) => void out.push(s),
    // No brand voices unless a test gives some (the database's are read by src/voices/doctor.ts readOwnedVoices).
    voices: async () => [],
    ...over,
  };
  return { o, out };
}

const byName = (fs: Finding[], section: string, name: string) =>
  fs.find((f) => f.section === section && f.name === name);

t.test('healthy offline setup: exit 0, cloud checks skipped, DSP kernels and TTS rate verified', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doctor-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { o, out } = opts({ NODE_ENV: 'test', DATA_DIR: join(dataDir, 'data') }, { offline: true });
  const { code, findings } = await doctor(o);
  const text = out.join('');
  t.equal(code, 0, `exit 0; report:\n${text}`);
  for (const p of ['deepgram', 'openai', 'elevenlabs', 'twilio'])
    t.equal(byName(findings, 'providers', p)?.status, 'skipped', p);
  t.match(byName(findings, 'dsp', 'addon')?.detail, /kernels: /);
  t.equal(byName(findings, 'audio', 'tts flite')?.status, 'ok', 'flite 16 kHz resamples to 8 kHz');
  t.equal(byName(findings, 'audio', 'tts espeak')?.status, 'ok', 'espeak-ng 22.05 kHz resamples to 8 kHz');
  t.match(byName(findings, 'database', 'connectivity')?.detail, /embedded database not created yet/);
  t.match(text, /offline: cloud checks skipped/);
  t.match(text, /0 problem\(s\)/);
});

t.test('bad configuration: non-zero and every bad variable named; typos suggested', async (t) => {
  const { o, out } = opts(
    { PORT: 'eighty', TWILIO_PHONE_NUMBER: '555-1234', ELEVENLABS_APIKEY: 'x' },
    { offline: true },
  );
  const { code, findings } = await doctor(o);
  const text = out.join('');
  t.equal(code, 1);
  t.equal(byName(findings, 'config', 'PORT')?.status, 'problem');
  t.equal(byName(findings, 'config', 'TWILIO_PHONE_NUMBER')?.status, 'problem');
  t.match(text, /\[FAIL\] PORT: .*got eighty/);
  t.match(text, /\[FAIL\] TWILIO_PHONE_NUMBER: must be an E\.164 number/);
  t.match(text, /ELEVENLABS_APIKEY: unknown variable, ignored \(did you mean ELEVENLABS_API_KEY\?\)/);
  t.match(text, /configuration invalid: fix the variables above first/);
});

t.test('operational mistakes are problems: short grace period, Twilio without a public URL', async (t) => {
  const { o } = opts(
    {
      SHUTDOWN_GRACE_MS: '60000',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret-token-value',
      DATA_DIR: '/nonexistent/x',
    },
    { offline: true, json: true },
  );
  const { code, findings } = await doctor(o);
  t.equal(code, 1);
  t.match(byName(findings, 'config', 'SHUTDOWN_GRACE_MS')?.detail, /rollout would cut live calls/);
  t.equal(byName(findings, 'config', 'PUBLIC_BASE_URL')?.status, 'problem');
  t.equal(byName(findings, 'config', 'TWILIO_AUTH_TOKEN')?.detail, 'set (18 chars)', 'secret shown only as set');
});

t.test('secrets never appear in the report', async (t) => {
  const { o, out } = opts(
    { OPENAI_API_KEY: 'sk-very-secret-123', DATA_DIR: '/tmp/x' },
    { offline: true, verbose: true, json: false },
  );
  await doctor(o);
  t.notMatch(out.join(''), /sk-very-secret-123/);
  t.match(out.join(''), /OPENAI_API_KEY: set \(18 chars\)/);
});

t.test('online: good keys accepted, bad key rejected and named, *_BASE_URL honoured', async (t) => {
  const fake = await fakeProviders();
  t.teardown(fake.close);
  const dataDir = mkdtempSync(join(tmpdir(), 'doctor-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = (elevenKey: string) => ({
    DATA_DIR: join(dataDir, 'data'),
    DEEPGRAM_API_KEY: GOOD,
    DEEPGRAM_BASE_URL: fake.url.replace('http:', 'ws:'),
    OPENAI_API_KEY: GOOD,
    OPENAI_BASE_URL: `${fake.url}/v1`,
    ELEVENLABS_API_KEY: elevenKey,
    ELEVENLABS_BASE_URL: fake.url,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: GOOD,
    TWILIO_PHONE_NUMBER: '+15551234567',
    TWILIO_API_BASE_URL: fake.url,
    PUBLIC_BASE_URL: fake.url,
  });

  const good = await doctor(opts(env(GOOD)).o);
  for (const p of ['deepgram', 'openai', 'elevenlabs', 'twilio'])
    t.equal(
      byName(good.findings, 'providers', p)?.status,
      'ok',
      `${p}: ${byName(good.findings, 'providers', p)?.detail}`,
    );
  t.equal(byName(good.findings, 'public-url', 'reachable')?.status, 'ok');
  t.equal(byName(good.findings, 'public-url', 'number webhook')?.status, 'ok');
  t.equal(byName(good.findings, 'audio', 'tts elevenlabs')?.status, 'ok', 'pcm_24000 verified through the resampler');
  t.equal(good.code, 0, 'healthy online setup exits 0 (PUBLIC_BASE_URL http is only a warning outside production)');
  for (const path of ['GET /v1/projects', 'GET /v1/models', 'GET /v1/user', `GET /2010-04-01/Accounts/${SID}.json`])
    t.ok(fake.seen.includes(path), `called ${path}`);

  const { o, out } = opts(env('wrong-key'));
  const bad = await doctor(o);
  t.equal(bad.code, 1);
  t.equal(byName(bad.findings, 'providers', 'elevenlabs')?.status, 'problem');
  t.match(out.join(''), /\[FAIL\] elevenlabs: ELEVENLABS_API_KEY rejected \(HTTP 401\)/);
  t.equal(byName(bad.findings, 'providers', 'openai')?.status, 'ok', 'the other keys are still checked');
  t.notMatch(out.join(''), /wrong-key/);
});

t.test('online: unreachable provider is a problem with the reason', async (t) => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const addr = probe.address();
  const port = typeof addr === 'object' && addr ? addr.port : 1;
  await new Promise<void>((r) => probe.close(() => r()));
  const { o } = opts(
    { DATA_DIR: '/tmp/doctor-unused', OPENAI_API_KEY: GOOD, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    { timeoutMs: 2000 },
  );
  const { findings } = await doctor(o);
  const f = byName(findings, 'providers', 'openai');
  t.equal(f?.status, 'problem');
  t.match(f?.detail, /unreachable: ECONNREFUSED/);
});

t.test('CLI arguments', async (t) => {
  t.equal(await run(['--bogus']), 2);
  t.equal(await run(['--timeout', 'x']), 2);
});

t.test('database: embedded database with every migration applied is reported as migrated', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doctor-db-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { openDatabase } = await import('../../src/db/pool.js');
  const db = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: dataDir, DB_AUTO_MIGRATE: true });
  await db.close();
  const { o } = opts({ DATA_DIR: dataDir }, { offline: true });
  const { findings } = await doctor(o);
  t.equal(byName(findings, 'database', 'connectivity')?.status, 'ok');
  t.match(byName(findings, 'database', 'migrations')?.detail, /applied, none pending/);
});

t.test('database: unreachable DATABASE_URL is a problem without the password', async (t) => {
  const { o, out } = opts(
    { DATA_DIR: '/tmp/doctor-unused', DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/gym' },
    { offline: true, timeoutMs: 2000 },
  );
  const { code, findings } = await doctor(o);
  t.equal(code, 1);
  t.equal(byName(findings, 'database', 'connectivity')?.status, 'problem');
  t.notMatch(out.join(''), /hunter2/);
});

t.test('disk space: ok, warning and problem thresholds', async (t) => {
  const { checkDisk } = await import('../../src/ops/doctor/runtime-checks.js');
  const fake = (freeMiB: number, totalMiB: number) => async () => ({
    bavail: freeMiB * 256,
    blocks: totalMiB * 256,
    bsize: 4096,
  });
  t.equal((await checkDisk('/nonexistent/data', fake(50_000, 100_000))).status, 'ok');
  t.equal((await checkDisk('/tmp', fake(800, 100_000))).status, 'warn', 'below 1 GiB');
  t.equal((await checkDisk('/tmp', fake(5_000, 100_000))).status, 'warn', 'below 10 %');
  const full = await checkDisk('/tmp', fake(100, 100_000));
  t.equal(full.status, 'problem');
  t.match(full.detail, /100 MiB free .*Disk full/);
  t.match(
    (await checkDisk('/nonexistent/data')).detail,
    /MiB free .* at \//,
    'real statfs on the nearest existing ancestor',
  );
});

t.test('database: embedded db locked by the running server → its /readyz is asked instead', async (t) => {
  const { spawn } = await import('node:child_process');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const dataDir = mkdtempSync(join(tmpdir(), 'doctor-lock-'));
  const owner = spawn('sleep', ['60']);
  t.teardown(() => {
    owner.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  mkdirSync(join(dataDir, 'pglite'));
  writeFileSync(join(dataDir, 'pglite.lock'), String(owner.pid));
  let migrationsOk = true;
  const server = createServer((_req, res) => {
    res.writeHead(migrationsOk ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: migrationsOk ? 'ready' : 'not-ready',
        checks: [
          { name: 'database', ok: true },
          { name: 'migrations', ok: migrationsOk, ...(migrationsOk ? {} : { detail: '1 pending: 3_facts' }) },
        ],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  const port = String(typeof addr === 'object' && addr ? addr.port : 0);

  const ok = await doctor(opts({ DATA_DIR: dataDir, PORT: port }, { offline: true }).o);
  const f = byName(ok.findings, 'database', 'connectivity');
  t.equal(f?.status, 'ok');
  t.match(f?.detail, new RegExp(`in use by the server \\(pid ${owner.pid}\\)`));
  migrationsOk = false;
  const bad = await doctor(opts({ DATA_DIR: dataDir, PORT: port }, { offline: true }).o);
  t.equal(bad.code, 1);
  t.match(byName(bad.findings, 'database', 'connectivity')?.detail, /migrations: 1 pending: 3_facts/);
});

t.test(
  'voices: every configured ElevenLabs voice is looked up through the SDK; a missing one is a problem',
  async (t) => {
    const el = await new FakeElevenLabs({
      apiKey: GOOD,
      voices: { ClonedFrontDesk00001: 'Front desk (cloned)' },
    }).start();
    t.teardown(() => el.close());
    const env = {
      DATA_DIR: '/tmp/doctor-unused',
      ELEVENLABS_API_KEY: GOOD,
      ELEVENLABS_BASE_URL: el.url,
      OPENAI_API_KEY: GOOD,
      OPENAI_TTS_MODEL: 'tts-1',
    };
    const voices = async () => [
      { owner: 'gym 4', voice: { elevenlabs: { voice_id: 'ClonedFrontDesk00001', model: 'eleven_multilingual_v2' } } },
      { owner: 'gym 7', voice: { elevenlabs: { voice_id: 'DeletedVoice00000001' }, openai: 'marin' as const } },
      {
        owner: 'campaign 2',
        voice: { elevenlabs: { voice_id: 'DeletedVoice00000001', model: 'eleven_english_sts_v2' } },
      },
      // The fake's Turbo v2.5 speaks en and es, not German; for Spanish the English-only Turbo v2 becomes v2.5.
      { owner: 'gym 9', voice: { elevenlabs: { voice_id: 'ClonedFrontDesk00001' } }, language: 'de' },
      {
        owner: 'gym 10',
        voice: { elevenlabs: { voice_id: 'ClonedFrontDesk00001', model: 'eleven_turbo_v2' } },
        language: 'es',
      },
      { owner: 'gym 11', invalid: "openai: must be one of OpenAI's voices" },
    ];
    const { o, out } = opts(env, { voices, fetch: async () => new Response('{}', { status: 200 }) });
    const { code, findings } = await doctor(o);
    t.equal(code, 1);
    t.match(byName(findings, 'voices', 'elevenlabs voice ClonedFrontDesk00001'), {
      status: 'ok',
      detail: /exists \(Front desk \(cloned\)\); used by gym 4/,
    });
    t.match(byName(findings, 'voices', 'elevenlabs voice 21m00Tcm4TlvDq8ikWAM'), {
      status: 'ok',
      detail: /ELEVENLABS_VOICE_ID/,
    });
    t.match(byName(findings, 'voices', 'elevenlabs voice DeletedVoice00000001'), {
      status: 'problem',
      detail: 'no such voice in this ElevenLabs account; used by gym 7, campaign 2',
    });
    t.equal(byName(findings, 'voices', 'elevenlabs model eleven_multilingual_v2')?.status, 'ok');
    t.match(byName(findings, 'voices', 'elevenlabs model eleven_english_sts_v2'), {
      status: 'problem',
      detail: /cannot do text to speech/,
    });
    t.match(byName(findings, 'voices', 'openai voice marin'), { status: 'problem', detail: /not tts-1/ });
    t.match(byName(findings, 'voices', 'elevenlabs model eleven_turbo_v2_5 in de'), {
      status: 'problem',
      detail: /does not speak de; used by gym 9$/,
    });
    t.equal(byName(findings, 'voices', 'elevenlabs model eleven_turbo_v2_5 in es'), undefined, 'Spanish is spoken');
    t.match(byName(findings, 'voices', 'gym 11 voice'), { status: 'problem', detail: /no longer valid/ });
    t.same(
      el.voiceLookups.sort(),
      ['21m00Tcm4TlvDq8ikWAM', 'ClonedFrontDesk00001', 'DeletedVoice00000001'],
      'one request per voice',
    );
    t.match(out.join(''), /Voices \(configured, brand, flow variants\)/);
    const offline = await doctor(opts(env, { voices, offline: true }).o);
    t.equal(byName(offline.findings, 'voices', 'elevenlabs')?.status, 'skipped');
  },
);
