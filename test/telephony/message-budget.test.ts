import t from 'tap';
import { INBOUND_MEDIA_POLICY, MessageBudget } from '../../src/telephony/message-budget.js';
import { waitFor } from '../support/wait.js';
import { connectSim, startServer } from './helpers.js';

t.test('budget: a burst up to its size, then the sustained rate', async (t) => {
  const b = new MessageBudget({ burst: 10, perSecond: 100 }, 0);
  let taken = 0;
  while (b.take(0)) taken++;
  t.equal(taken, 10, 'the whole burst at once, not one more');
  t.notOk(b.take(5), 'half a message refilled after 5 ms: still dry');
  t.ok(b.take(10), 'one message after 10 ms at 100 a second');
  t.notOk(b.take(10));
  t.ok(b.take(1000) && b.take(1000), 'refilled after a pause');
  t.throws(() => new MessageBudget({ burst: 0, perSecond: 1 }, 0), TypeError);
  t.throws(() => new MessageBudget({ burst: 5, perSecond: 0 }, 0), TypeError);
});

t.test('budget: what Twilio sends never runs the default dry, a flood soon does', async (t) => {
  const twilio = new MessageBudget(INBOUND_MEDIA_POLICY, 0);
  let ok = true;
  // 60 s of 20 ms frames with a mark every 200 ms, then an 18 s network stall delivered as one backlog.
  for (let ms = 0; ms < 60_000; ms += 20) ok &&= twilio.take(ms) && (ms % 200 !== 0 || twilio.take(ms));
  for (let i = 0; i < 900; i++) ok &&= twilio.take(78_000);
  t.ok(ok, 'real time, marks and a burst of 18 s of audio all fit');

  const flood = new MessageBudget(INBOUND_MEDIA_POLICY, 0);
  let sent = 0;
  while (flood.take(sent / 2)) sent++; // 2,000 messages a second
  t.ok(sent > 1000 && sent < 1400, `a peer sending 4× the sustained limit runs dry after ${sent} messages`);
});

t.test('a stream that floods the server is closed; the other calls go on', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const goodHandler = ts.nextHandler();
  const good = await connectSim(ts);
  const gh = await goodHandler;
  const badHandler = ts.nextHandler();
  const bad = await connectSim(ts);
  const bh = await badHandler;
  const dtmf = { track: 'inbound_track', digit: '5' };
  const msg = JSON.stringify({ event: 'dtmf', streamSid: bad.streamSid, sequenceNumber: '1', dtmf });
  let closed: { code: number; reason: string } | undefined;
  void bad.closed.then((c) => (closed = c));
  for (let i = 0; i < 3000; i++) bad.sendRaw(msg);
  await waitFor(() => closed !== undefined, { timeoutMs: 5000, what: 'the flooding stream to be closed' });
  t.match(closed, { code: 1008, reason: 'message rate exceeded' }, 'closed as not Twilio-like');
  t.equal(await bh.endedP, 'socket-closed', 'its call ended (the session hangs the phone call up)');
  const before = gh.audio.length;
  await waitFor(() => gh.audio.length > before + 10, { timeoutMs: 3000, what: 'the other call keeps flowing' });
  t.equal(gh.ended, undefined, 'and is still up');
  await good.hangUp();
  t.equal(await gh.endedP, 'stop');
});
