// WEBHOOK_* configuration, the signature and the address guard: https only (http to loopback), no credentials, no
// link-local or metadata host, a Standard Webhooks secret that is never echoed in an error, a URL needs its secret;
// the signature of the spec's published test vector; a resolved metadata address is refused at connect time.
import t from 'tap';
import { loadConfig } from '../../src/config/index.js';
import { connectLookup, isForbiddenAddress } from '../../src/webhooks/address.js';
import { webhookSecretKey, webhookSettings, webhookUrlProblem } from '../../src/webhooks/config.js';
import { webhookSignature } from '../../src/webhooks/sign.js';

const SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;

t.test('receiver URLs', async (t) => {
  for (const ok of [
    'https://crm.example.com/hooks/gym-agent?token=abc',
    'https://10.0.0.7:8443/hooks',
    'http://127.0.0.1:3000/hooks',
    'http://localhost/hooks',
    'http://[::1]:8080/',
  ])
    t.equal(webhookUrlProblem(ok), undefined, ok);
  const refused: [string, RegExp][] = [
    ['http://crm.example.com/hooks', /https/],
    ['http://10.0.0.7/hooks', /https/],
    ['ftp://example.com/', /https/],
    ['https://user:pass@crm.example.com/', /user name or password/],
    ['https://crm.example.com/#x', /fragment/],
    ['https://169.254.169.254/latest/meta-data/', /metadata/],
    ['https://[fe80::1]/', /link-local/],
    ['https://[fd00:ec2::254]/', /metadata/],
    ['https://[::ffff:169.254.169.254]/', /metadata/],
    ['https://metadata.google.internal/computeMetadata/v1/', /metadata/],
    ['https://0.0.0.0/', /metadata|link-local/],
    ['not a url', /absolute URL/],
  ];
  for (const [url, why] of refused) t.match(webhookUrlProblem(url), why, url);
});

t.test('secrets', async (t) => {
  t.ok(Buffer.isBuffer(webhookSecretKey(SECRET)));
  t.equal((webhookSecretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') as Buffer).length, 24, '24 bytes is enough');
  for (const bad of [
    Buffer.alloc(32).toString('base64'), // no prefix
    `whsec_${Buffer.alloc(16).toString('base64')}`, // too short
    `whsec_${Buffer.alloc(65).toString('base64')}`, // too long
    'whsec_not*base64*at*all*but*long*enough*to*pass',
    'correct horse battery staple, long enough',
  ])
    t.match(webhookSecretKey(bad), /whsec_ followed by the base64/, 'refused');
});

t.test('loadConfig: a URL needs its secret; problems name the variable, never the secret', async (t) => {
  t.throws(() => loadConfig({ WEBHOOK_URL: 'https://crm.example.com/h' }), /WEBHOOK_SECRET: required when WEBHOOK_URL/);
  const badSecret = 'whsec_tooShort';
  try {
    loadConfig({ WEBHOOK_URL: 'https://crm.example.com/h', WEBHOOK_SECRET: badSecret });
    t.fail('accepted a short secret');
  } catch (e) {
    t.match((e as Error).message, /WEBHOOK_SECRET: must be whsec_/);
    t.notMatch((e as Error).message, /tooShort/, 'the secret is not echoed');
  }
  t.throws(
    () => loadConfig({ WEBHOOK_URL: 'http://crm.example.com/h', WEBHOOK_SECRET: SECRET }),
    /WEBHOOK_URL: must be https/,
  );
  t.throws(
    () =>
      loadConfig({ WEBHOOK_URL: 'https://crm.example.com/h', WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'call.ended' }),
    /WEBHOOK_EVENTS: must be comma-separated event types/,
  );
  t.equal(webhookSettings(loadConfig({})), undefined, 'off without a URL');
  const s = webhookSettings(
    loadConfig({ WEBHOOK_URL: 'https://crm.example.com/h', WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'call.completed' }),
  );
  t.match(s, { timeoutMs: 15000, maxAttempts: 8, retentionDays: 14 });
  t.same([...(s?.events ?? [])], ['call.completed']);
  const unset = webhookSettings(loadConfig({ WEBHOOK_URL: 'https://crm.example.com/h', WEBHOOK_SECRET: SECRET }));
  t.same(
    [...(unset?.events ?? [])],
    ['call.completed', 'gym.facts.changed', 'campaign.completed'],
    'by default every event but message.taken: a caller’s personal data goes only to a receiver that lists it',
  );
  const optIn = webhookSettings(
    loadConfig({
      WEBHOOK_URL: 'https://crm.example.com/h',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_EVENTS: 'call.completed,message.taken',
    }),
  );
  t.same([...(optIn?.events ?? [])], ['call.completed', 'message.taken'], 'listing it opts in');
});

t.test('the signature is the Standard Webhooks one (the spec’s test vector)', async (t) => {
  const key = webhookSecretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') as Buffer;
  t.equal(
    webhookSignature(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  );
});

t.test('connections to a forbidden address are refused after resolution', async (t) => {
  t.ok(isForbiddenAddress('169.254.169.254'));
  t.ok(isForbiddenAddress('::ffff:169.254.169.254'));
  t.notOk(isForbiddenAddress('10.1.2.3'), 'private networks are allowed');
  t.notOk(isForbiddenAddress('127.0.0.1'));
  const resolve = (host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown }>((done) =>
      connectLookup(host, all ? { all: true } : {}, (err, address) => done({ err, address })),
    );
  t.match(await resolve('169.254.169.254', false), { err: { name: 'ForbiddenAddressError' } });
  t.match(await resolve('localhost', false), { err: null, address: /^(127\.0\.0\.1|::1)$/ });
  t.match(await resolve('localhost', true), { err: null, address: Array });
});
