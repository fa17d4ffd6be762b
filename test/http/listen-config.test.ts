import t from 'tap';
import { isLoopback, loadConfig } from '../../src/config/index.js';
import { AppError } from '../../src/errors.js';

// Issue 14, security 5 and 7: without API_TOKEN the API that places calls must not be reachable from the network,
// and a token must be long enough that guessing it is hopeless.

const TOKEN = 'k'.repeat(32);

t.test('without API_TOKEN the server listens on loopback only', async (t) => {
  t.equal(loadConfig({}).HOST, '127.0.0.1', 'default HOST without a token');
  t.equal(loadConfig({ NODE_ENV: 'production' }).HOST, '127.0.0.1', 'production too');
  t.equal(loadConfig({ API_TOKEN: TOKEN }).HOST, '0.0.0.0', 'with a token the default stays 0.0.0.0');
  for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1'])
    t.equal(loadConfig({ HOST: host }).HOST, host, `${host} is loopback: allowed without a token`);
});

t.test('a network address without API_TOKEN is a configuration error', async (t) => {
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'gym-agent.example.com']) {
    const err = t.throws(() => loadConfig({ HOST: host, NODE_ENV: 'production' })) as AppError;
    t.equal(err.code, 'CONFIG_INVALID');
    t.match(err.message, /HOST: .* set API_TOKEN/, host);
  }
  t.equal(loadConfig({ HOST: '0.0.0.0', API_TOKEN: TOKEN }).HOST, '0.0.0.0');
  t.notOk(isLoopback('128.0.0.1'));
  t.notOk(isLoopback('localhost.example.com'));
});

t.test('API_TOKEN has at least 32 characters', async (t) => {
  const err = t.throws(() => loadConfig({ API_TOKEN: 'k'.repeat(31) })) as AppError;
  t.equal(err.code, 'CONFIG_INVALID');
  t.match(err.message, /API_TOKEN: must be at least 32 characters/);
  t.equal(loadConfig({ API_TOKEN: TOKEN }).API_TOKEN, TOKEN);
});

t.test('ALLOWED_HOSTS and the call destination lists are parsed and checked', async (t) => {
  const cfg = loadConfig({ ALLOWED_HOSTS: 'Agent.LAN, gym-agent.internal', CALL_ALLOWED_REGIONS: 'us, ca' });
  t.same(cfg.ALLOWED_HOSTS, ['agent.lan', 'gym-agent.internal']);
  t.same(cfg.CALL_ALLOWED_REGIONS, ['US', 'CA']);
  t.same(loadConfig({}).CALL_ALLOWED_REGIONS, ['US', 'CA', 'GB', 'IE', 'AU', 'NZ']);
  t.same(loadConfig({}).CALL_ALLOWED_NUMBER_TYPES, ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'MOBILE', 'TOLL_FREE']);
  t.throws(() => loadConfig({ ALLOWED_HOSTS: 'agent.lan:8080' }), /ALLOWED_HOSTS/);
  t.throws(() => loadConfig({ CALL_ALLOWED_REGIONS: 'US,XX' }), /CALL_ALLOWED_REGIONS/);
  t.throws(() => loadConfig({ CALL_ALLOWED_REGIONS: '001' }), /CALL_ALLOWED_REGIONS/, 'non-geographic never');
  t.throws(() => loadConfig({ CALL_ALLOWED_NUMBER_TYPES: 'MOBILE,PREMIUM_RATE' }), /CALL_ALLOWED_NUMBER_TYPES/);
});
