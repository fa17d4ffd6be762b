import t from 'tap';
import { inboundMediaWire } from '../../src/sim/caller-frames.js';
import { DEFAULT_LEAD_MS, OutboundPlayer } from '../../src/telephony/outbound-player.js';
import { PacingClock, type Paced } from '../../src/telephony/pacing-clock.js';
import { parseMediaFast } from '../../src/telephony/media-fast-path.js';
import { parseInbound, serializeInbound } from '../../src/telephony/serializer.js';
import { dsp, toneBytes } from './helpers.js';

const SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
const SID_JSON = JSON.stringify(SID);
const payload = (n: number) =>
  Buffer.from(Uint8Array.from({ length: n }, (_v, i) => (i * 37) & 0xff)).toString('base64');
const media = (p: string, seq = 4, ts = 60) =>
  `{"event":"media","sequenceNumber":"${seq}","media":{"track":"inbound","chunk":"3","timestamp":"${ts}","payload":"${p}"},"streamSid":"${SID}"}`;

t.test("the simulator's media message is serializeInbound's, byte for byte", async (t) => {
  const bytes = Uint8Array.from({ length: 160 }, (_v, i) => i);
  const b64 = Buffer.from(bytes).toString('base64');
  const e = {
    event: 'media',
    sequenceNumber: 12,
    streamSid: SID,
    media: { track: 'inbound', chunk: 11, timestamp: 200, payload: bytes },
  } as const;
  t.equal(inboundMediaWire(SID, 12, 11, 200, b64), serializeInbound(e));
});

t.test('media fast path: same result as the strict parser for what Twilio sends', async (t) => {
  const into = Buffer.alloc(8100);
  for (const n of [1, 2, 3, 160, 161, 8000]) {
    const text = media(payload(n), 1000 + n, 20 * n);
    const fast = parseMediaFast(text, SID_JSON, into);
    const slow = parseInbound(text);
    if (fast === undefined || !slow.ok || slow.event.event !== 'media') {
      t.fail(`${n} bytes: fast ${JSON.stringify(fast)}, strict ${JSON.stringify(slow)}`);
      continue;
    }
    t.same(
      { seq: fast.sequenceNumber, chunk: fast.chunk, ts: fast.timestamp, track: fast.track },
      { seq: slow.event.sequenceNumber, chunk: 3, ts: slow.event.media.timestamp, track: slow.event.media.track },
    );
    t.same([...into.subarray(0, fast.length)], [...slow.event.media.payload], `${n} payload bytes identical`);
  }
});

t.test('media fast path: anything else goes to the strict parser (undefined), never a wrong answer', async (t) => {
  const into = Buffer.alloc(8100);
  const ok = media(payload(160));
  const variants: Record<string, string> = {
    'another stream': ok.replace(SID, 'MZ' + 'f'.repeat(32)),
    spaces: ok.replace('"media",', '"media", '),
    'key order': ok.replace('"track":"inbound","chunk":"3"', '"chunk":"3","track":"inbound"'),
    'numbers not strings': ok.replace('"sequenceNumber":"4"', '"sequenceNumber":4'),
    '16 digits': ok.replace('"sequenceNumber":"4"', '"sequenceNumber":"1234567890123456"'),
    'escaped slash in payload': media(payload(160).replace('/', '\\/')),
    'url-safe base64': media('ab-_'),
    'not base64': media('ab!d'),
    'bad padding': media('a==='),
    'inner padding': media('ab==abcd'),
    'empty payload': media(''),
    'trailing garbage': ok + ' ',
    'odd track': ok.replace('"track":"inbound"', '"track":"in\\"bound"'),
    'too large': media(payload(8004)),
    'not media': '{"event":"mark","sequenceNumber":"6","streamSid":"' + SID + '","mark":{"name":"m"}}',
  };
  for (const [name, text] of Object.entries(variants)) t.equal(parseMediaFast(text, SID_JSON, into), undefined, name);
  // Of these, the strict parser accepts exactly the ones Twilio's format allows (the fast path only declined them).
  const strictOk = Object.entries(variants)
    .filter(([, text]) => parseInbound(text).ok)
    .map(([name]) => name);
  t.same(
    strictOk.sort(),
    [
      'another stream',
      'escaped slash in payload',
      'key order',
      'not media',
      'numbers not strings',
      'odd track',
      'spaces',
      'trailing garbage',
    ].sort(),
  );
});

class FakePlayer implements Paced {
  dueAt = 0;
  parkSeq = 0;
  woken: number[] = [];
  constructor(private readonly clock: PacingClock) {}
  park(inMs: number): void {
    this.dueAt = performance.now() + inMs;
    this.parkSeq++;
    this.clock.park(this);
  }
  cancel(): void {
    this.parkSeq++;
  }
  wake(): void {
    this.woken.push(performance.now() - this.dueAt);
  }
}

t.test(
  'pacing clock: wakes each parked player once, at or just after its due time, and never a cancelled one',
  async (t) => {
    const clock = new PacingClock();
    const players = Array.from({ length: 50 }, () => new FakePlayer(clock));
    players.forEach((p, i) => p.park(3 + (i % 25) * 7)); // 3..171 ms: beyond the wheel's 160 ms horizon too
    const cancelled = players.slice(0, 10);
    for (const p of cancelled) p.cancel();
    const reparked = players[0] as FakePlayer;
    reparked.park(30); // cancelled then parked again before its old tick: woken once, for the new park
    await new Promise((r) => setTimeout(r, 300));
    t.same(
      cancelled.slice(1).map((p) => p.woken.length),
      Array(9).fill(0),
      'cancelled players are not woken',
    );
    t.equal(reparked.woken.length, 1, 'a re-parked player is woken once');
    const live = players.slice(10);
    t.ok(
      live.every((p) => p.woken.length === 1),
      'every other player woken exactly once',
    );
    const lateness = live.flatMap((p) => p.woken);
    t.ok(
      lateness.every((ms) => ms >= -0.5),
      `never early (min ${Math.min(...lateness).toFixed(2)} ms)`,
    );
    t.equal(clock.parked, 0, 'nothing left parked');
  },
);

t.test(
  'pacing clock: poll() runs an overdue tick from inside a busy callback, and the timer does not wake twice',
  async (t) => {
    const clock = new PacingClock();
    const p = new FakePlayer(clock);
    const q = new FakePlayer(clock);
    p.park(6);
    q.park(60);
    clock.poll();
    t.equal(p.woken.length, 0, 'nothing is due yet: poll does nothing');
    // A long synchronous stretch, as when the loop works through a backlog of inbound messages.
    const until = performance.now() + 12;
    while (performance.now() < until);
    clock.poll();
    t.equal(p.woken.length, 1, 'woken by poll, before the loop got back to timers');
    t.ok((p.woken[0] as number) >= -0.5, 'not early');
    t.equal(q.woken.length, 0, 'a later player stays parked');
    await new Promise((r) => setTimeout(r, 100));
    t.equal(p.woken.length, 1, 'the timer did not wake it again');
    t.equal(q.woken.length, 1, 'the later player woken by the re-armed timer');
    t.equal(clock.parked, 0);
  },
);

t.test(
  'a new run of agent audio goes out at once, not at the next pacing tick; the rest follows the clock',
  async (t) => {
    let sent = 0;
    const sink = {
      sendMedia: () => (sent++, 'ok' as const),
      sendMark: () => 'ok' as const,
      sendClear: () => 'ok' as const,
      backpressured: () => false,
    };
    const clock = new PacingClock();
    const player = new OutboundPlayer(sink, dsp, { clock });
    async function* audio() {
      yield toneBytes(8000, 1000); // one second, already synthesised
    }
    player.enqueue({ utteranceId: 'u1', text: 'hello there', sampleRate: 8000, chunks: audio() });
    await new Promise((r) => setImmediate(r)); // no timer has had a chance to fire
    t.equal(sent, DEFAULT_LEAD_MS / 20 + 1, 'the lead burst left before any timer ran');
    t.ok(clock.parked >= 1, 'the next frame waits on the shared pacing clock');
    await new Promise((r) => setTimeout(r, 300));
    t.ok(sent > DEFAULT_LEAD_MS / 20 + 5, `then one frame per slot (${sent} sent after 300 ms)`);
    player.close();
  },
);
