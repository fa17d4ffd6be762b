import t from 'tap';
import { FRAME_BYTES, ULAW_SILENCE } from '../../src/telephony/dsp-port.js';
import { UlawFrames } from '../../src/telephony/ulaw-frames.js';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_v, i) => (i * 31 + seed) & 0xff);

t.test('frames are the appended bytes in order, across block boundaries and odd appends', async (t) => {
  const f = new UlawFrames();
  // 2.3 s of audio in appends that never line up with frames or the one-second blocks.
  const all = bytes(8000 * 2 + 2400 + 77, 5);
  const sizes = [1, 159, 161, 7999, 3, 8001, 320];
  let off = 0;
  for (let k = 0; off < all.length; k++) {
    const n = Math.min(all.length - off, sizes[k % sizes.length] as number);
    const chunk = all.slice(off, off + n);
    f.append(chunk);
    chunk.fill(0); // the caller may reuse its buffer
    off += n;
    t.equal(f.count, Math.floor(off / FRAME_BYTES), `whole frames after ${off} bytes`);
  }
  f.finish(ULAW_SILENCE);
  t.equal(f.count, Math.ceil(all.length / FRAME_BYTES), 'the partial tail became one more frame');
  for (let i = 0; i < f.count; i++) {
    const got = f.take(i);
    t.equal(got.length, FRAME_BYTES);
    const want = new Uint8Array(FRAME_BYTES).fill(ULAW_SILENCE);
    want.set(all.subarray(i * FRAME_BYTES, Math.min(all.length, (i + 1) * FRAME_BYTES)));
    if (!Buffer.from(want).equals(got)) t.fail(`frame ${i} differs`);
  }
  t.pass('every frame matched');
});

t.test('finish adds nothing when the audio ends on a frame boundary', async (t) => {
  const f = new UlawFrames();
  f.append(bytes(FRAME_BYTES * 3, 1));
  f.finish(ULAW_SILENCE);
  t.equal(f.count, 3);
});

t.test('a block is let go once its last frame is taken; taking from it again is an error', async (t) => {
  const f = new UlawFrames();
  f.append(bytes(FRAME_BYTES * 60, 2));
  for (let i = 0; i < 50; i++) f.take(i);
  t.throws(() => f.take(10), RangeError);
  t.equal(f.take(50).length, FRAME_BYTES, 'the next block is still there');
  f.release();
  t.throws(() => f.take(51), RangeError, 'released audio is gone');
  t.equal(f.count, 60, 'the count survives release (durations are computed from it)');
});
