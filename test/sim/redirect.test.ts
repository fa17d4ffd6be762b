import t from 'tap';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadDsp } from '../../src/dsp/index.js';
import { FakeTwilio, twimlVerbs } from '../../src/sim/fake-twilio.js';
import { KeyEars, keysOf } from '../../src/sim/keys.js';
import type { GymLine } from '../../src/sim/line.js';

// The keypad's other way (KEYPAD_MODE=twilio): calls.update({ twiml: <Play digits/> + <Connect><Stream/> }). The
// fake does what Twilio does: answers the update at once, stops the media stream (stop, close), plays the digits as
// tones on the call (the callee's DTMF detector hears them, between streams), opens the new stream with its own
// parameters, and the call goes on with the same callee.

const dsp = loadDsp();
const ACCOUNT = 'AC' + '1'.repeat(32);
const TOKEN = 'f'.repeat(32);

t.test('twimlVerbs reads digits, pauses, hangup and a stream in order', async (t) => {
  const v = twimlVerbs(
    '<Response><Play digits="w2#"/><Pause length="2"/><Connect><Stream url="wss://x/s">' +
      '<Parameter name="a" value="b&amp;c"/></Stream></Connect><Hangup/></Response>',
  );
  t.same(v, [
    { kind: 'play-digits', digits: 'w2#' },
    { kind: 'pause', seconds: 2 },
    { kind: 'stream', stream: { url: 'wss://x/s', parameters: { a: 'b&c' } } },
    { kind: 'hangup' },
  ]);
});

t.test('a <Play digits> redirect: stream stopped, tones heard by the callee, a new stream, same call', async (t) => {
  const streams: { ws: WebSocket; events: string[]; params: Record<string, string> }[] = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/stream`;
  wss.on('connection', (ws) => {
    const s = { ws, events: [] as string[], params: {} as Record<string, string> };
    streams.push(s);
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event: string; start?: { customParameters: Record<string, string> } };
      if (m.event !== 'media') s.events.push(m.event);
      if (m.start) s.params = m.start.customParameters;
    });
  });
  const hook = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<Response><Connect><Stream url="${wsUrl}"><Parameter name="leg" value="first"/></Stream></Connect></Response>`,
    );
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/voice`;
  let line!: GymLine;
  let keys!: KeyEars;
  let onAnswer!: () => void;
  const answered = new Promise<void>((r) => (onAnswer = r));
  const fake = new FakeTwilio({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    dsp,
    callee: (_s, ctx) => {
      line = ctx.line;
      keys = new KeyEars(line, (m) => dsp.ulawDecode(m), keysOf(dsp.createToneDetector({ dtmf: true, beep: false })));
      onAnswer();
    },
  });
  const base = await fake.listen();
  t.teardown(async () => {
    await fake.close();
    wss.close();
    hook.close();
  });
  const auth = 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64');
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${base}/2010-04-01/Accounts/${ACCOUNT}/Calls${path}.json`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const created = (await (await post('', { To: '+12015550190', From: '+12015550191', Url: hookUrl })).json()) as {
    sid: string;
  };
  await answered;
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => streams[0]?.params.leg !== undefined);
  t.equal(streams[0]?.params.leg, 'first');
  const res = await post(`/${created.sid}`, {
    Twiml: `<Response><Play digits="2w3"/><Connect><Stream url="${wsUrl}"><Parameter name="leg" value="second"/></Stream></Connect></Response>`,
  });
  t.equal(res.status, 200, 'the update is answered at once');
  const call = fake.calls.get(created.sid);
  await until(() => streams[1]?.params.leg !== undefined);
  t.equal(streams.length, 2, 'a second stream opened');
  t.same(streams[0]?.events.slice(-1), ['stop'], 'the first stream was stopped');
  t.equal(streams[1]?.params.leg, 'second', "the new stream carries the new TwiML's parameters");
  t.equal(keys.keys, '23', "the callee's detector heard the digits Twilio played");
  t.equal(call?.status, 'in-progress', 'the call goes on');
  t.equal(call?.redirects, 1);
  t.equal(line.streams, 2);
  t.notOk(line.isEnded);
});
