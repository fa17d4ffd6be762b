import t from 'tap';
import { APIError, APIConnectionError, APIConnectionTimeoutError } from 'openai';
import { ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { ProviderError, backoffMs, isRetryableStatus, toProviderError, withRetry } from '../../src/providers/retry.js';

t.test('status table: 4xx permanent except 408 and 429; 5xx retryable', async (t) => {
  const table: [number, boolean][] = [
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, false],
    [422, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
  ];
  for (const [status, retry] of table) t.equal(isRetryableStatus(status), retry, `HTTP ${status}`);
});

t.test('SDK errors map to ProviderError with the catalogue codes', async (t) => {
  const rate = toProviderError(
    'openai',
    APIError.generate(429, { message: 'slow down' }, 'slow down', new Headers({ 'retry-after': '2' })),
  );
  t.ok(rate instanceof ProviderError);
  t.match(rate, { code: 'PROVIDER_FAILED', status: 429, retryable: true, retryAfterMs: 2000, provider: 'openai' });
  t.match(toProviderError('openai', APIError.generate(401, { message: 'bad key' }, 'bad key', new Headers())), {
    status: 401,
    retryable: false,
  });
  t.match(toProviderError('openai', new APIConnectionError({ message: 'reset' })), {
    code: 'PROVIDER_FAILED',
    retryable: true,
  });
  t.match(toProviderError('openai', new APIConnectionTimeoutError()), { code: 'PROVIDER_TIMEOUT', retryable: true });
  t.match(toProviderError('elevenlabs', new ElevenLabsError({ statusCode: 500, body: {} })), {
    status: 500,
    retryable: true,
  });
  t.match(toProviderError('elevenlabs', new ElevenLabsError({ statusCode: 422, body: {} })), {
    status: 422,
    retryable: false,
  });
  t.match(toProviderError('elevenlabs', new ElevenLabsTimeoutError('late')), {
    code: 'PROVIDER_TIMEOUT',
    retryable: true,
  });
  t.match(toProviderError('x', Object.assign(new Error('boom'), { code: 'ECONNRESET' })), { retryable: true });
  t.match(toProviderError('x', new TypeError('bug in our code')), { retryable: false });
  t.notMatch(
    toProviderError('openai', APIError.generate(401, { message: 'sk-secret' }, 'sk-secret', new Headers())).message,
    /sk-secret/,
    'no upstream text (may hold secrets) in the message',
  );
});

t.test('backoff: full jitter under an exponential cap', async (t) => {
  const p = { attempts: 5, baseMs: 100, maxMs: 1000 };
  t.equal(
    backoffMs(p, 0, () => 0.999999),
    99,
  );
  t.equal(
    backoffMs(p, 1, () => 0.999999),
    199,
  );
  t.equal(
    backoffMs(p, 6, () => 0.999999),
    999,
    'capped at maxMs',
  );
  t.equal(
    backoffMs(p, 3, () => 0),
    0,
  );
});

t.test('withRetry retries retryable errors, stops at permanent ones, gives up after the attempts', async (t) => {
  const policy = { attempts: 3, baseMs: 1, maxMs: 2 };
  let n = 0;
  const ok = await withRetry(
    async () => {
      if (++n < 3) throw Object.assign(new Error('busy'), { status: 503 });
      return 'done';
    },
    { provider: 'p', policy },
  );
  t.equal(ok, 'done');
  t.equal(n, 3);

  n = 0;
  const permanent = await withRetry(
    async () => {
      n++;
      throw Object.assign(new Error('no'), { status: 400 });
    },
    { provider: 'p', policy },
  ).catch((e: unknown) => e);
  t.match(permanent, { status: 400, retryable: false });
  t.equal(n, 1, 'a permanent error is not retried');

  n = 0;
  const exhausted = await withRetry(
    async () => {
      n++;
      throw Object.assign(new Error('down'), { status: 500 });
    },
    { provider: 'p', policy },
  ).catch((e: unknown) => e);
  t.match(exhausted, { status: 500, retryable: true });
  t.equal(n, 3);
});

t.test('withRetry honours AbortSignal while waiting', async (t) => {
  const ac = new AbortController();
  const started = Date.now();
  const p = withRetry(
    async () => {
      throw Object.assign(new Error('busy'), { status: 503 });
    },
    { provider: 'p', policy: { attempts: 5, baseMs: 10_000, maxMs: 10_000 }, signal: ac.signal, random: () => 1 },
  );
  setTimeout(() => ac.abort(), 20);
  await t.rejects(p);
  t.ok(Date.now() - started < 5000, 'did not sleep out the backoff');
});
