import t from 'tap';
import { AudioChunker } from '../../src/providers/asr/chunker.js';

function setup(quietAfterMs = 1000) {
  const sent: { len: number; since: number }[] = [];
  const c = new AudioChunker({
    speechMs: 100,
    quietMs: 250,
    quietAfterMs,
    onChunk: (b, since) => sent.push({ len: b.length, since }),
  });
  return { c, sent };
}
const frame = () => new Uint8Array(160).fill(0xff);

t.test('speech chunks of 100 ms; after quietAfterMs of silence 250 ms; the voice edge flushes', async (t) => {
  const { c, sent } = setup();
  let now = 0;
  for (let i = 0; i < 10; i++) c.push(frame(), (now += 20));
  t.same(
    sent.map((s) => s.len),
    [800, 800],
    'no hint yet: 100 ms chunks',
  );
  c.voice(false, now);
  for (let i = 0; i < 45; i++) c.push(frame(), (now += 20)); // 0.9 s: still inside quietAfterMs
  t.equal(sent.length, 11, 'inside the window chunks stay 100 ms');
  c.flush();
  sent.length = 0;
  now += 100; // the window has passed
  for (let i = 0; i < 50; i++) c.push(frame(), (now += 20));
  t.same(
    sent.map((s) => s.len),
    [2000, 2000, 2000, 2000],
    'then 250 ms',
  );
  c.push(frame(), (now += 20));
  c.voice(true, now);
  t.same(sent.at(-1)?.len, 160, 'voice: the gathered audio left at once');
  t.equal(sent.at(-1)?.since, now, 'with the arrival time of its first audio');
});

t.test('a chunk whose audio stopped arriving leaves after its duration (tick)', async (t) => {
  const { c, sent } = setup();
  c.push(frame(), 0);
  c.tick(50);
  t.equal(sent.length, 0);
  c.tick(100);
  t.same(sent, [{ len: 160, since: 0 }]);
  c.flush();
  t.equal(sent.length, 1, 'nothing gathered: flush sends nothing');
});

t.test('a pause in her voice sends the gathered audio and then every frame at once', async (t) => {
  const { c, sent } = setup();
  let now = 0;
  c.voice(true, now);
  for (let i = 0; i < 7; i++) c.push(frame(), (now += 20));
  t.same(
    sent.map((s) => s.len),
    [800],
    '100 ms chunks while she speaks',
  );
  c.pause(true);
  t.same(
    sent.map((s) => s.len),
    [800, 320],
    'the partial chunk leaves at the pause',
  );
  c.push(frame(), (now += 20));
  c.push(frame(), (now += 20));
  t.same(
    sent.map((s) => s.len),
    [800, 320, 160, 160],
    'the silence the recogniser endpoints on is not batched',
  );
  c.pause(false);
  for (let i = 0; i < 3; i++) c.push(frame(), (now += 20));
  t.equal(sent.length, 4, 'her voice goes on: chunks again');
});
