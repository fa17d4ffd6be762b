import t from 'tap';
import type { HttpRequest, HttpResponse } from '../../src/http/types.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { callsRoutes, type CallPlacer } from '../../src/telephony/calls-api.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { checkDestination, DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

// Issue 14: security 8 (premium-rate and satellite numbers were dialled), security 11 (control characters and bidi
// overrides were stored in gym_name), and POST /v1/calls without Twilio settings answering a retryable-looking 503.

const policy = { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES };

function api(placer: CallPlacer | undefined) {
  const dialled: string[] = [];
  const recording: CallPlacer | undefined = placer && {
    placeCall: (to, id) => (dialled.push(to), placer.placeCall(to, id)),
  };
  const [post] = callsRoutes({
    store: new MemoryCallStore(),
    placer: recording,
    admission: new CallCapacity({ max: 100 }),
    destinations: policy,
    log: createLogger('silent'),
  });
  const call = async (
    body: unknown,
  ): Promise<HttpResponse & { json: { error?: { code: string; message: string } } }> => {
    const req: HttpRequest = {
      method: 'POST',
      path: '/v1/calls',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      remoteIp: '127.0.0.1',
    };
    const res = await post!.handler(req, {});
    return { ...res, json: JSON.parse(String(res.body)) };
  };
  return { call, dialled };
}

const twilio: CallPlacer = { placeCall: async () => ({ sid: 'CA' + '0'.repeat(32), status: 'queued' }) };

t.test('premium-rate, satellite, foreign and short numbers are refused before anything is dialled', async (t) => {
  const { call, dialled } = api(twilio);
  const refused: [string, RegExp][] = [
    ['+19005551234', /PREMIUM_RATE/], // US 900
    ['+19765551234', /not a number in service/], // US 976 (not in the plan any more)
    ['+448450000000', /PREMIUM_RATE/], // GB 0845
    ['+447011234567', /PERSONAL_NUMBER/], // GB 070 follow-me
    ['+881234567890', /non-geographic .*\+881/], // Iridium
    ['+88213456789', /non-geographic .*\+882/], // international networks
    ['+24761234', /not a number|region AC/], // Ascension Island
    ['+18765551234', /region JM/], // Jamaica shares +1: a classic callback scam
    ['+4940123456', /region DE/],
    ['+15551234567', /not a number in service/], // no area code 555
  ];
  for (const [number, why] of refused) {
    const r = await call({ phone_number: number, gym_name: 'Gym' });
    t.equal(r.status, 422, number);
    t.equal(r.json.error?.code, 'DESTINATION_NOT_ALLOWED', number);
    t.match(r.json.error?.message, why, number);
    t.notMatch(r.json.error?.message, number.slice(1), 'the message does not repeat the number');
  }
  t.same(dialled, [], 'nothing dialled');
  for (const number of ['+12015550123', '+18005550199', '+14165550123', '+442079460000', '+61412345678']) {
    const r = await call({ phone_number: number, gym_name: 'Gym' });
    t.equal(r.status, 201, `${number} is a gym's kind of number`);
  }
  t.equal(dialled.length, 5);
});

t.test('the policy is what the configuration says', async (t) => {
  t.match(checkDestination('+442079460000', { regions: ['US'], types: ['FIXED_LINE'] }), {
    ok: false,
    reason: 'region',
  });
  t.match(checkDestination('+18005550199', { regions: ['US'], types: ['FIXED_LINE_OR_MOBILE'] }), {
    ok: false,
    reason: 'type',
  });
  t.match(checkDestination('+611300123456', { regions: ['AU'], types: ['SHARED_COST'] }), { ok: true });
  t.match(checkDestination('+12015550123', policy), { ok: true, region: 'US', type: 'FIXED_LINE_OR_MOBILE' });
});

t.test('gym_name with control characters or bidi overrides is refused with a clear 400', async (t) => {
  const { call, dialled } = api(twilio);
  const names = [
    'Iron\u0000Temple',
    'Iron\nTemple',
    'Iron\u001bTemple', // ESC: terminal escapes in logs and exports
    'Iron\u0085Temple', // C1
    'Gym \u202Eelpmet\u202C', // right-to-left override (U+202E) and its pop
    'Gym \u2066x\u2069', // isolates
  ];
  for (const gym_name of names) {
    const r = await call({ phone_number: '+12015550123', gym_name });
    t.equal(r.status, 400, JSON.stringify(gym_name));
    t.match(r.json.error?.message, /gym_name: must not contain control characters or bidirectional overrides/);
  }
  t.same(dialled, []);
  t.equal((await call({ phone_number: '+12015550123', gym_name: 'Über Fitness — 24/7 (北京)' })).status, 201);
});

t.test('without Twilio settings: a clear, non-retryable configuration error naming the variables', async (t) => {
  const r = await api(undefined).call({ phone_number: '+12015550123', gym_name: 'Gym' });
  t.equal(r.status, 501);
  t.equal(r.json.error?.code, 'TELEPHONY_NOT_CONFIGURED');
  t.match(r.json.error?.message, /TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and PUBLIC_BASE_URL/);
  t.notOk(r.headers?.['retry-after'], 'no Retry-After: retrying will not help');
});
