import t from 'tap';
import { loadConfig } from '../src/config/index.js';
import { AppError } from '../src/errors.js';

t.test('defaults load and are frozen', async (t) => {
  const cfg = loadConfig({});
  t.equal(cfg.PORT, 8080);
  t.equal(cfg.DEEPGRAM_MODEL, 'nova-3');
  t.ok(Object.isFrozen(cfg));
});

t.test('every bad variable is named in one error', async (t) => {
  const err = t.throws(() =>
    loadConfig({ PORT: 'eighty', TWILIO_PHONE_NUMBER: '555-1234', PUBLIC_BASE_URL: 'not a url' }),
  ) as AppError;
  t.equal(err.code, 'CONFIG_INVALID');
  t.match(err.message, /PORT/);
  t.match(err.message, /TWILIO_PHONE_NUMBER/);
  t.match(err.message, /PUBLIC_BASE_URL/);
});

t.test('cross-field checks', async (t) => {
  t.throws(() => loadConfig({ ENDPOINT_SHORT_MS: '2000', ENDPOINT_LONG_MS: '1000' }), /ENDPOINT_SHORT_MS/);
  t.throws(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32) }), /TWILIO_AUTH_TOKEN/);
});
