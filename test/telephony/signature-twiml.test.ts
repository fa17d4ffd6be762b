import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CallCapacity } from '../../src/ops/capacity.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { signRequest, verifyUpgrade, verifyWebhook } from '../../src/telephony/signature.js';
import { connectStreamTwiml, dialTwiml, hangupTwiml } from '../../src/telephony/twiml.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes } from '../../src/telephony/webhooks.js';
import { UpgradeRefused } from '../../src/sim/media-client.js';
import { isNativeUws, loadUws } from '../../src/telephony/uws.js';
import { createRequire } from 'node:module';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE, PUBLIC_WS, connectSim, quietLog, startServer } from './helpers.js';

t.test('TwiML: exact <Connect><Stream> with parameters (escaped by the helper), and hang-up', async (t) => {
  t.equal(
    connectStreamTwiml('wss://agent.example.test/twilio/media-stream', { callId: 'c-1', gymName: 'Iron & "Oak"' }),
    '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example.test/twilio/media-stream">' +
      '<Parameter name="callId" value="c-1"/><Parameter name="gymName" value="Iron &amp; &quot;Oak&quot;"/>' +
      '</Stream></Connect></Response>',
  );
  t.equal(hangupTwiml(), '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  // The front desk's transfer: the staff ring 25 s; unanswered, busy or failed, the caller hears why in the call's
  // language (Twilio's Mexican Spanish voice for the packs' Spanish) and the call ends.
  t.equal(
    dialTwiml('+12015550199', { text: 'Nobody could take it & sorry.', language: 'en' }),
    '<?xml version="1.0" encoding="UTF-8"?><Response><Dial timeout="25">+12015550199</Dial>' +
      '<Say language="en-US">Nobody could take it &amp; sorry.</Say><Hangup/></Response>',
  );
  t.match(dialTwiml('+12015550199', { text: 'Lo siento.', language: 'es' }), '<Say language="es-MX">Lo siento.</Say>');
});

t.test('signature helpers: valid accepted; forged, missing, wrong URL rejected', async (t) => {
  const url = `${PUBLIC_BASE}/twilio/voice?callId=x`;
  const params = { CallSid: 'CA1', From: '+15550001111' };
  const sig = signRequest(AUTH_TOKEN, url, params);
  t.same(verifyWebhook(AUTH_TOKEN, sig, url, params), { ok: true });
  t.same(verifyWebhook(AUTH_TOKEN, sig, url, { ...params, From: '+15550002222' }), { ok: false, reason: 'mismatch' });
  t.same(verifyWebhook(AUTH_TOKEN, undefined, url, params), { ok: false, reason: 'missing' });
  t.same(verifyWebhook(AUTH_TOKEN, sig, 'https://other.example/twilio/voice?callId=x', params).ok, false);
  t.same(verifyWebhook(undefined, sig, url, params), { ok: false, reason: 'not-configured' });
  t.same(verifyUpgrade(AUTH_TOKEN, signRequest(AUTH_TOKEN, PUBLIC_WS), PUBLIC_WS), { ok: true });
  t.equal(verifyUpgrade(AUTH_TOKEN, signRequest('other-token', PUBLIC_WS), PUBLIC_WS).ok, false);
});

t.test('webhook over the real server: only correctly signed requests do anything', async (t) => {
  const store = new MemoryCallStore();
  const capacity = new CallCapacity({ max: 5 });
  const tokens = new StreamTokens(randomBytes(32));
  const routes = twilioRoutes({
    store,
    admission: capacity,
    publicBaseUrl: PUBLIC_BASE,
    streamTokens: tokens,
    log: quietLog,
  });
  const ts = await startServer({ routes, tokens, store, capacity });
  t.teardown(() => ts.close());
  const params = {
    AccountSid: ACCOUNT_SID,
    CallSid: 'CA' + 'b'.repeat(32),
    From: '+15550001111',
    To: '+15550002222',
    Direction: 'inbound',
  };
  const body = new URLSearchParams(params).toString();
  const post = (sig: string | undefined) =>
    fetch(`http://127.0.0.1:${ts.port}/twilio/voice`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(sig === undefined ? {} : { 'x-twilio-signature': sig }),
      },
      body,
    });
  for (const [name, sig] of [
    ['missing', undefined],
    ['forged', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['wrong URL (local socket address)', signRequest(AUTH_TOKEN, `http://127.0.0.1:${ts.port}/twilio/voice`, params)],
    ['wrong token', signRequest('not-the-token', `${PUBLIC_BASE}/twilio/voice`, params)],
  ] as const) {
    const res = await post(sig);
    t.equal(res.status, 403, `${name} → 403`);
    t.equal(await res.text(), 'forbidden');
  }
  t.equal(await store.findBySid(params.CallSid), undefined, 'a rejected webhook created nothing');
  t.equal(capacity.active, 0, 'and took no call slot');

  const ok = await post(signRequest(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/voice`, params));
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('content-type'), 'text/xml');
  const rec = await store.findBySid(params.CallSid);
  t.ok(rec, 'inbound call recorded');
  const twiml = await ok.text();
  const token = /<Parameter name="streamToken" value="([^"]+)"\/>/.exec(twiml)?.[1] ?? '';
  const parameters = { callId: rec?.callId ?? '?', direction: 'inbound' };
  t.equal(
    twiml,
    connectStreamTwiml(PUBLIC_WS, { ...parameters, streamToken: token }),
    'answers with <Connect><Stream> on the public wss URL',
  );
  t.same(
    tokens.verify(token, { callSid: params.CallSid, accountSid: ACCOUNT_SID, parameters }),
    { ok: true },
    'with the stream token for this CallSid, account and parameters',
  );
  t.equal(capacity.active, 1, 'the call holds a slot until its stream ends or the slot expires');
});

t.test('a call to a front-desk number: its gym and mode reach the stream, bound by the token', async (t) => {
  const store = new MemoryCallStore();
  const tokens = new StreamTokens(randomBytes(32));
  const asked: string[] = [];
  const routes = twilioRoutes({
    store,
    admission: new CallCapacity({ max: 5 }),
    publicBaseUrl: PUBLIC_BASE,
    streamTokens: tokens,
    log: quietLog,
    numbers: async (to) => {
      asked.push(to);
      return to === '+15550002222' ? { number: to, gymId: 7, gymName: 'Iron Temple', mode: 'front-desk' } : undefined;
    },
  });
  const ts = await startServer({ routes, tokens, store });
  t.teardown(() => ts.close());
  const params = { AccountSid: ACCOUNT_SID, CallSid: 'CA' + 'd'.repeat(32), From: '+15550001111', To: '+15550002222' };
  const res = await fetch(`http://127.0.0.1:${ts.port}/twilio/voice`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signRequest(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/voice`, { ...params, Direction: 'inbound' }),
    },
    body: new URLSearchParams({ ...params, Direction: 'inbound' }).toString(),
  });
  const twiml = await res.text();
  const rec = await store.findBySid(params.CallSid);
  t.same(asked, ['+15550002222']);
  t.equal(rec?.gymName, 'Iron Temple');
  const parameters = {
    callId: rec?.callId ?? '?',
    direction: 'inbound',
    gymName: 'Iron Temple',
    mode: 'front-desk',
    gymId: '7',
    called: '+15550002222',
  };
  const token = /<Parameter name="streamToken" value="([^"]+)"\/>/.exec(twiml)?.[1] ?? '';
  t.equal(twiml, connectStreamTwiml(PUBLIC_WS, { ...parameters, streamToken: token }));
  t.same(tokens.verify(token, { callSid: params.CallSid, accountSid: ACCOUNT_SID, parameters }), { ok: true });
  const forged = { ...parameters, gymId: '8' };
  t.same(tokens.verify(token, { callSid: params.CallSid, accountSid: ACCOUNT_SID, parameters: forged }).ok, false);
});

t.test('media stream upgrade: signed handshake accepted; forged, missing, wrong URL refused with 403', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  for (const [name, extra] of [
    ['missing', { authToken: undefined }],
    ['forged', { signature: 'bm90IGEgc2lnbmF0dXJl' }],
    ['wrong URL', { signedUrl: 'wss://elsewhere.example/twilio/media-stream' }],
    ['wrong token', { authToken: 'not-the-token' }],
  ] as const) {
    const err = await connectSim(ts, extra).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof UpgradeRefused && err.status === 403, `${name} → refused with 403`);
  }
  t.equal(ts.server.connections, 0);
  const sim = await connectSim(ts);
  const h = await ts.nextHandler();
  t.equal(h.start.callSid, sim.callSid, 'valid handshake → call handler created from the start message');
  await sim.hangUp();
  t.equal(await h.endedP, 'stop');
});

t.test('uWS: the native build is loaded; the ws fallback shim is recognised and refused', async (t) => {
  t.ok(isNativeUws(loadUws()), 'native uWebSockets.js loaded');
  const require = createRequire(import.meta.url);
  const shim: unknown = require('uWebSockets.js/dist/index.js');
  t.equal(isNativeUws(shim), false, 'the trufflesuite ws shim is detected');
});
