import t from 'tap';
import type { CallEmitted } from '../../machines/events.js';
import { CallLine } from '../../src/call/call-line.js';
import { createLogger } from '../../src/log.js';
import { MonitorHub, type MonitorLimits } from '../../src/monitor/hub.js';
import { MAX_BUFFERED } from '../../src/monitor/listening.js';
import { FakeSocket, FakeStream, liveCall, records, turnOfOneTick } from './fakes.js';

// The hub on its own: what a page gets and when, what a slow page or listener costs (nothing to the calls, a bounded
// amount of memory), the limits, and the life of a call from start to gone.

function hub(limits: Partial<MonitorLimits> = {}) {
  const dropped = { events: 0, audio: 0 };
  const h = new MonitorHub({
    replica: { name: 'replica-1', single: false },
    log: createLogger('silent'),
    metrics: { dropped: (s, n) => (dropped[s] += n), watching: () => undefined },
    limits,
    levelsPerSecond: 100,
  });
  return { h, dropped };
}

const agentTurn = (seq: number, text: string): CallEmitted => ({
  type: 'ledger.agentTurn',
  callId: 'c1',
  seq,
  reason: 'greeting',
  text,
  heardText: text,
  interrupted: false,
  startMs: 0,
  endMs: 1000,
  utterances: [],
});

t.test('a page gets a snapshot, then every change in order, never on the call’s own stack', async (t) => {
  const { h } = hub();
  t.teardown(() => h.close());
  const page = new FakeStream();
  t.ok(h.subscribe(page));
  t.same(page.names(), ['snapshot']);
  t.match(page.events()[0]?.data, { replica: { name: 'replica-1', elsewhere: null }, calls: [] });

  const c = liveCall('c1');
  h.started(c.info);
  h.state('c1', 'live(turn.awaitingHello)');
  h.recognised('c1', { text: 'hello', final: false });
  h.recognised('c1', { text: 'hello this is iron temple', final: true });
  h.emitted('c1', {
    type: 'ledger.callerTurn',
    callId: 'c1',
    seq: 0,
    text: 'hello this is iron temple',
    confidence: 0.9,
    startMs: 0,
    endMs: 900,
    endpoint: 'short',
  });
  h.utteranceStarted('c1', { utteranceId: 'u1', text: 'Hi, is this Iron Temple?' });
  h.latency('c1', { responseGapMs: 412.4, endOfTurnToFirstAudioMs: 201.6, stages: undefined });
  h.emitted('c1', agentTurn(1, 'Hi, is this Iron Temple?'));
  t.same(page.names(), ['snapshot'], 'the hooks wrote nothing: the page is written after the call’s work');
  await turnOfOneTick();
  t.same(page.names(), ['snapshot', 'call', 'state', 'live', 'live', 'turn', 'live', 'latency', 'turn']);
  const ev = page.events();
  t.match(ev[3]?.data, { live: { hearing: { finals: [], interim: 'hello' } } }, 'interim words');
  t.match(ev[4]?.data, { live: { hearing: { finals: ['hello this is iron temple'], interim: '' } } });
  t.match(ev[5]?.data, {
    turn: { speaker: 'caller', text: 'hello this is iron temple' },
    live: { hearing: { finals: [] } },
  });
  t.match(ev[6]?.data, { live: { saying: ['Hi, is this Iron Temple?'] } }, 'the agent’s sentence as it starts');
  t.match(ev[7]?.data, { latency: { responseGapMs: 412, endOfTurnToFirstAudioMs: 202 } });
  t.match(ev[8]?.data, { turn: { speaker: 'agent' }, live: { saying: [] } });

  const late = new FakeStream();
  h.subscribe(late);
  t.match(late.events()[0]?.data, {
    calls: [{ callId: 'c1', gymName: 'Iron Temple', state: 'live(turn.awaitingHello)', turns: [{}, {}] }],
  });
});

t.test('a slow page: a bounded queue, then a snapshot; the other pages get everything', async (t) => {
  const { h, dropped } = hub({ queuedEvents: 8 });
  t.teardown(() => h.close());
  const slow = new FakeStream();
  const fast = new FakeStream();
  h.subscribe(slow);
  h.subscribe(fast);
  const c = liveCall('c1');
  h.started(c.info);
  await turnOfOneTick();
  slow.congested = true;
  for (let i = 0; i < 300; i++) h.state('c1', `state-${i}`);
  await turnOfOneTick();
  for (let i = 300; i < 310; i++) h.state('c1', `state-${i}`);
  await turnOfOneTick();
  t.equal(fast.names().filter((n) => n === 'state').length, 310, 'the page that keeps up misses nothing');
  const written = slow.chunks.length;
  t.ok(dropped.events >= 300, `what the slow page could not take is dropped and counted (${dropped.events})`);
  slow.drain();
  t.equal(slow.chunks.length, written + 1, 'once it has caught up, one snapshot');
  t.match(slow.events().at(-1), { event: 'snapshot', data: { calls: [{ state: 'state-309' }] } }, 'up to date');
  h.state('c1', 'after');
  await turnOfOneTick();
  t.match(slow.events().at(-1), { event: 'state', data: { state: 'after' } }, 'and events again after it');
});

t.test('limits: pages watching, listeners per call and in all', async (t) => {
  const { h } = hub({ subscribers: 2, perCall: 2, total: 3 });
  t.teardown(() => h.close());
  const pages = [new FakeStream(), new FakeStream(), new FakeStream()];
  t.same(
    pages.map((p) => h.subscribe(p)),
    [true, true, false],
  );
  pages[0]?.disconnect();
  t.ok(h.subscribe(new FakeStream()), 'a page that left frees its place');
  const a = liveCall('a');
  const b = liveCall('b');
  h.started(a.info);
  h.started(b.info);
  const listen = (id: string) => h.listen(id, new FakeSocket());
  t.same([listen('a').ok, listen('a').ok, listen('a').ok], [true, true, false], 'per call');
  const b1 = listen('b');
  t.same([b1.ok, listen('b').ok], [true, false], 'in all');
  if (b1.ok) b1.stop();
  t.ok(listen('b').ok, 'a listener that left frees its place');
  t.match(h.listen('nope', new FakeSocket()), { ok: false, reason: 'not-live' });
});

t.test('listen-in: frames batched once per turn, a slow listener misses frames, not the call', async (t) => {
  const { h, dropped } = hub();
  t.teardown(() => h.close());
  const c = liveCall('c1');
  h.started(c.info);
  const gym = new Uint8Array(160).fill(0x10);
  const agent = new Uint8Array(160).fill(0x90);
  c.line.callerFrame(gym, -20);
  t.equal(dropped.audio, 0);
  const fast = new FakeSocket();
  const slow = new FakeSocket();
  const f = h.listen('c1', fast);
  const s = h.listen('c1', slow);
  t.ok(f.ok && s.ok);
  slow.buffered = MAX_BUFFERED + 1;
  c.line.callerFrame(gym, -20);
  c.line.agentFrame(agent, -18);
  c.line.callerFrame(gym, -20);
  t.equal(fast.sent.length, 0, 'nothing is sent on the media path');
  await turnOfOneTick();
  t.equal(fast.sent.length, 1, 'one message for the turn');
  t.same(
    records(fast.sent[0] as Uint8Array).map((r) => [r.leg, r.bytes.length, r.bytes[0]]),
    [
      [0, 160, 0x10],
      [1, 160, 0x90],
      [0, 160, 0x10],
    ],
    'each frame tagged with its leg',
  );
  t.equal(slow.sent.length, 0, 'the slow listener got nothing');
  t.equal(dropped.audio, 3, 'its frames are counted as dropped');
  if (f.ok) f.stop();
  if (s.ok) s.stop();
  c.line.callerFrame(gym, -20);
  await turnOfOneTick();
  t.equal(fast.sent.length, 1, 'nobody listens: nothing is attached to the line');
  t.same(
    c.line.takeLevels(),
    { caller: -20, agent: -18 },
    'levels: the loudest frame of each leg since the last reading',
  );
  t.same(c.line.takeLevels(), { caller: -90, agent: -90 }, 'and silence when no frame came since');
});

t.test('a listener that throws is dropped; the call’s media path never sees the error', async (t) => {
  const line = new CallLine(() => undefined);
  line.listen(() => {
    throw new Error('socket gone');
  });
  t.doesNotThrow(() => line.callerFrame(new Uint8Array(160), -30));
  let heard = 0;
  line.listen(() => heard++);
  line.agentFrame(new Uint8Array(160), -30);
  line.end();
  line.agentFrame(new Uint8Array(160), -30);
  t.equal(heard, 1, 'nobody hears an ended call');
  t.equal(line.hangUp(), false);
});

t.test('meters only while somebody watches, skipped for a page that is behind', async (t) => {
  const { h } = hub();
  t.teardown(() => h.close());
  const c = liveCall('c1');
  h.started(c.info);
  const page = new FakeStream();
  h.subscribe(page);
  c.line.callerFrame(new Uint8Array(160).fill(0x10), -12.4);
  await new Promise((r) => setTimeout(r, 40));
  const levels = page.events().filter((e) => e.event === 'levels');
  t.ok(levels.length >= 1, 'meter readings are sent');
  t.same(levels[0]?.data, { c1: [-12, -90] });
  page.congested = true;
  page.chunks.length = 0;
  await new Promise((r) => setTimeout(r, 40));
  // The first reading finds the page slow (uWS buffers it); after that none is written, none queued.
  t.ok(page.events().filter((e) => e.event === 'levels').length <= 1, 'not queued for a page that is behind');
});

t.test('hang-up while live; an ended call closes its listeners and leaves the page later', async (t) => {
  const { h } = hub({ endedKeepMs: 20 });
  t.teardown(() => h.close());
  const page = new FakeStream();
  h.subscribe(page);
  const c = liveCall('c1');
  h.started(c.info);
  const ear = new FakeSocket();
  t.ok(h.listen('c1', ear).ok);
  t.ok(h.hangUp('c1'));
  t.equal(c.hangUps(), 1, 'the line was asked to hang up');
  t.notOk(h.hangUp('other'), 'a call not running here');
  h.emitted('c1', {
    type: 'call.ended',
    callId: 'c1',
    reason: 'operator-hangup',
    socketClosed: false,
    facts: { hours: {}, pricing: [], classes: [] },
    metrics: {} as never,
    error: undefined,
    outcome: 'no-answer',
    keys: [],
    refusals: [],
    callback: undefined,
  });
  t.notOk(h.hangUp('c1'), 'an ended call cannot be hung up again');
  c.line.end();
  h.ended({ callId: 'c1', endReason: 'operator-hangup' });
  t.same(ear.closedWith, [1000, 'the call ended'], 'its listener is closed');
  await turnOfOneTick();
  t.match(page.events().find((e) => e.event === 'ended')?.data, { ended: { reason: 'operator-hangup' } });
  await new Promise((r) => setTimeout(r, 40));
  t.equal(page.names().at(-1), 'gone');
});

t.test('a call that failed without the machine’s call.ended is shown ended with the session’s reason', async (t) => {
  const { h } = hub();
  t.teardown(() => h.close());
  const page = new FakeStream();
  h.subscribe(page);
  h.started(liveCall('c1').info);
  h.ended({ callId: 'c1', endReason: 'error' });
  await turnOfOneTick();
  t.match(page.events().find((e) => e.event === 'ended')?.data, { ended: { reason: 'error', outcome: '' } });
});

t.test('a turn whose words came late is shown in its place, and again whole as more of them come', async (t) => {
  const { h } = hub();
  t.teardown(() => h.close());
  const c = liveCall('c1');
  h.started(c.info);
  const hello = (text: string): CallEmitted => ({
    type: 'ledger.callerTurn',
    callId: 'c1',
    seq: 1,
    text,
    confidence: 0.9,
    startMs: 0,
    endMs: 900,
    endpoint: 'short',
    late: true,
  });
  // Her hello was committed before its words came (empty: not shown); the greeting went out after it.
  h.emitted('c1', agentTurn(2, 'Hi, this is an automated assistant.'));
  h.emitted('c1', hello('hello'));
  h.emitted('c1', hello('hello the gym'));
  await turnOfOneTick();
  const page = new FakeStream();
  h.subscribe(page);
  const turns = (page.events()[0]?.data as { calls: { turns: { seq: number; text: string }[] }[] }).calls[0]?.turns;
  t.same(
    turns?.map((x) => [x.seq, x.text]),
    [
      [1, 'hello the gym'],
      [2, 'Hi, this is an automated assistant.'],
    ],
    'the hello before the greeting, once, with all its words',
  );
});
