import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { CallCapacity } from '../../src/ops/capacity.js';
import { MemoryCallStore, type NewCall } from '../../src/telephony/call-store.js';
import { signRequest, verifyUpgrade, verifyWebhook } from '../../src/telephony/signature.js';
import { connectStreamTwiml, dialTwiml, hangupTwiml } from '../../src/telephony/twiml.js';
import { StreamTokens } from '../../src/telephony/stream-token.js';
import { twilioRoutes, type WebhookOptions } from '../../src/telephony/webhooks.js';
import { UNHEARD_LINES } from '../../src/telephony/unheard.js';
import { createLogger } from '../../src/log.js';
import type { Language } from '../../src/language/index.js';
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

/**
 * A voice webhook server whose numbers are a front-desk one (+15550002222, a Spanish gym's; `staff` its staff number)
 * and an interview one; `over` adds options (the recogniser's languages, CALL_LANGUAGE, a log).
 */
async function numbersServer(t: Test, over: Partial<WebhookOptions> = {}, staff?: string) {
  const store = new MemoryCallStore();
  const created: NewCall[] = [];
  const create = store.create.bind(store);
  store.create = async (c) => {
    created.push(c);
    return create(c);
  };
  const tokens = new StreamTokens(randomBytes(32));
  const asked: string[] = [];
  const capacity = new CallCapacity({ max: 5 });
  const routes = twilioRoutes({
    store,
    admission: capacity,
    publicBaseUrl: PUBLIC_BASE,
    streamTokens: tokens,
    log: quietLog,
    numbers: async (to) => {
      asked.push(to);
      if (to === '+15550002222')
        return {
          number: to,
          gymId: 7,
          gymName: 'Gimnasio Toro',
          mode: 'front-desk',
          language: 'es',
          staffNumber: staff,
        };
      return to === '+15550003333' ? { number: to, gymId: 8, gymName: 'Iron Temple', mode: 'interview' } : undefined;
    },
    ...over,
  });
  const ts = await startServer({ routes, tokens, store, capacity });
  t.teardown(() => ts.close());
  const voice = async (params: Record<string, string>) => {
    const form = { AccountSid: ACCOUNT_SID, ...params, Direction: 'inbound' };
    const res = await fetch(`http://127.0.0.1:${ts.port}/twilio/voice`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signRequest(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/voice`, form),
      },
      body: new URLSearchParams(form).toString(),
    });
    const twiml = await res.text();
    return { twiml, token: /<Parameter name="streamToken" value="([^"]+)"\/>/.exec(twiml)?.[1] ?? '' };
  };
  return { store, created, tokens, asked, voice, capacity };
}

t.test('a call to a front-desk number: its gym, mode and language reach the stream, bound by the token', async (t) => {
  const { store, created, tokens, asked, voice } = await numbersServer(t);
  const params = { CallSid: 'CA' + 'd'.repeat(32), From: '+15550001111', To: '+15550002222' };
  const { twiml, token } = await voice(params);
  const rec = await store.findBySid(params.CallSid);
  t.same(asked, ['+15550002222']);
  t.equal(rec?.gymName, 'Gimnasio Toro');
  t.match(created, [{ gymId: 7, mode: 'front-desk', language: 'es' }], 'the call row is the gym’s, in its language');
  t.equal(rec?.language, 'es', 'so the session speaks the gym’s language, not CALL_LANGUAGE');
  const parameters = {
    callId: rec?.callId ?? '?',
    direction: 'inbound',
    gymName: 'Gimnasio Toro',
    mode: 'front-desk',
    called: '+15550002222',
    gymId: '7',
    language: 'es',
  };
  t.equal(twiml, connectStreamTwiml(PUBLIC_WS, { ...parameters, streamToken: token }));
  t.same(tokens.verify(token, { callSid: params.CallSid, accountSid: ACCOUNT_SID, parameters }), { ok: true });
  const forged = { ...parameters, gymId: '8' };
  t.same(tokens.verify(token, { callSid: params.CallSid, accountSid: ACCOUNT_SID, parameters: forged }).ok, false);

  // Twilio posts the webhook again (a retry): the call stays a front-desk call of its gym, in its language.
  const again = await voice(params);
  t.equal(created.length, 1, 'no second call row');
  t.equal(again.twiml, connectStreamTwiml(PUBLIC_WS, { ...parameters, streamToken: again.token }));
});

t.test('a call to an interview-mode number is the caller’s, not the number’s gym’s', async (t) => {
  const { created, voice } = await numbersServer(t);
  const { twiml } = await voice({ CallSid: 'CA' + 'e'.repeat(32), From: '+15550001111', To: '+15550003333' });
  t.equal(created.length, 1);
  t.equal(created[0]?.gymId, undefined, 'whoever rings does not state gym 8’s facts');
  t.equal(created[0]?.gymName, '');
  t.equal(created[0]?.mode, 'interview');
  t.notMatch(twiml, /name="gymId"|name="gymName"/, 'nor does the stream name that gym');
  t.match(twiml, /<Parameter name="mode" value="interview"\/>/);
});

// The offline recogniser hears English only (src/language/support.ts): a Spanish call is not held.
const englishOnly = (l: Language) => l === 'en';

/** numbersServer with an English-only recogniser, its log lines and the calls turned away. */
async function englishOnlyServer(t: Test, over: Partial<WebhookOptions> = {}, staff?: string) {
  const logged: string[] = [];
  const log = createLogger('info', { write: (line: string) => void logged.push(line) });
  const unheard: unknown[][] = [];
  const onUnheard: WebhookOptions['onUnheard'] = (...a) => void unheard.push(a);
  const server = await numbersServer(t, { hears: englishOnly, log, onUnheard, ...over }, staff);
  return { ...server, logged, unheard };
}

t.test('a Spanish front-desk call the recogniser cannot hear: an apology in Spanish, then the staff', async (t) => {
  const s = await englishOnlyServer(t, {}, '+15550009999');
  const from = '+15550001111';
  const { twiml } = await s.voice({ CallSid: 'CA' + 'f'.repeat(32), From: from, To: '+15550002222' });
  t.equal(
    twiml,
    '<?xml version="1.0" encoding="UTF-8"?><Response>' +
      `<Say language="es-MX">${UNHEARD_LINES.es.transfer}</Say>` +
      '<Dial timeout="25">+15550009999</Dial>' +
      '<Say language="es-MX">Lo siento, nadie en recepción pudo atender su llamada en este momento. Por favor, llame más tarde. Adiós.</Say>' +
      '<Hangup/></Response>',
    'said in Spanish by Twilio, put through to the staff, and a goodbye if nobody answers',
  );
  t.notMatch(twiml, /<Connect>|<Stream/, 'no media stream: nobody on our side would understand her');
  t.equal(s.created.length, 0, 'no call row: no call was held');
  t.equal(s.capacity.active, 0, 'no slot taken');
  t.same(s.unheard, [['es', 'front-desk', 'transferred']], 'counted by language, mode and action');
  const line = s.logged.join('');
  t.match(line, /"language":"es".*"mode":"front-desk".*"action":"transferred"/, 'logged');
  t.notMatch(line, /5550001111|5550002222|5550009999/, 'without the caller’s, our or the staff’s number');
});

t.test('the same without a staff number: the apology in Spanish, then the call ends', async (t) => {
  const s = await englishOnlyServer(t);
  const { twiml } = await s.voice({ CallSid: 'CA' + '1'.repeat(32), From: '+15550001111', To: '+15550002222' });
  t.equal(
    twiml,
    `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="es-MX">${UNHEARD_LINES.es.goodbye}</Say>` +
      '<Hangup/></Response>',
  );
  t.same(s.unheard, [['es', 'front-desk', 'hung_up']]);
  t.equal(s.created.length, 0);
});

t.test('CALL_LANGUAGE es on an English-only recogniser: other inbound calls end with the apology too', async (t) => {
  const s = await englishOnlyServer(t, { language: 'es' });
  const { twiml } = await s.voice({ CallSid: 'CA' + '2'.repeat(32), From: '+15550001111', To: '+15550003333' });
  t.match(twiml, `<Say language="es-MX">${UNHEARD_LINES.es.goodbye}</Say><Hangup/>`);
  t.notMatch(twiml, /<Dial/, 'an interview number puts nobody through');
  t.same(s.unheard, [['es', 'interview', 'hung_up']]);
});

t.test('a call in a language the recogniser hears is held as before', async (t) => {
  const s = await englishOnlyServer(t, { language: 'en' }, '+15550009999');
  const { twiml } = await s.voice({ CallSid: 'CA' + '3'.repeat(32), From: '+15550001111', To: '+15550003333' });
  t.match(twiml, /<Connect><Stream/);
  t.equal(s.created.length, 1);
  t.same(s.unheard, []);
  // And the Spanish gym's line with a recogniser that hears Spanish (Deepgram): streamed, in Spanish.
  const both = await englishOnlyServer(t, { hears: () => true }, '+15550009999');
  const es = await both.voice({ CallSid: 'CA' + '4'.repeat(32), From: '+15550001111', To: '+15550002222' });
  t.match(es.twiml, /<Connect><Stream.*<Parameter name="language" value="es"\/>/);
  t.same(both.unheard, []);
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
