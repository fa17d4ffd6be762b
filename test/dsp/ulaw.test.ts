import { spawnSync } from 'node:child_process';
import t from 'tap';
import alawmulaw from 'alawmulaw';
import { loadDsp } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { equalArrays } from '../../bench/dsp-signals.js';

const dsp = loadDsp();
const ref = createReferenceDsp();
const ALL = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

// Python audioop's lin2ulaw: Sun's later 14-bit g711.c (floors pcm >> 2 before taking the magnitude).
function audioopUlaw(pcm: number): number {
  let v = pcm >> 2;
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > 8159) v = 8159;
  v += 0x84 >> 2;
  const ends = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
  const seg = ends.findIndex((e) => v <= e);
  if (seg < 0) return 0x7f ^ mask;
  return (((seg << 4) | ((v >> (seg + 1)) & 0xf)) ^ mask) & 0xff;
}

t.test('encoder is bit-exact with the classic 16-bit encoder (alawmulaw) on all 65,536 inputs', async (t) => {
  const expected = alawmulaw.mulaw.encode(ALL);
  for (const scalar of [false, true]) {
    dsp.setForceScalar(scalar);
    const got = dsp.ulawEncode(ALL);
    t.ok(equalArrays(got, expected), `${dsp.kernels()} kernels match alawmulaw`);
  }
  dsp.setForceScalar(false);
  t.ok(equalArrays(ref.ulawEncode(ALL), expected), 'TS reference matches alawmulaw');
  // Unaligned view and lengths that leave SIMD tails.
  for (const len of [0, 1, 15, 17, 31, 33, 160]) {
    const view = ALL.subarray(1001, 1001 + len);
    t.ok(equalArrays(dsp.ulawEncode(view), alawmulaw.mulaw.encode(view)), `length ${len}`);
  }
});

t.test('decoder equals the G.711 table', async (t) => {
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const got = dsp.ulawDecode(codes);
  t.ok(equalArrays(got, alawmulaw.mulaw.decode(codes)), 'matches alawmulaw');
  t.equal(got[0x00], -32124);
  t.equal(got[0x80], 32124);
  t.equal(got[0xff], 0);
  t.equal(got[0x7f], 0);
  t.ok(equalArrays(ref.ulawDecode(codes), got), 'TS reference agrees');
  // decode(encode(decode(c))) is stable: every code word is a fixed point (except -0 → +0).
  const again = dsp.ulawDecode(dsp.ulawEncode(got));
  t.ok(equalArrays(again, got));
});

t.test('Python audioop differs on exactly 381 negative inputs, by one code step', async (t) => {
  const ours = dsp.ulawEncode(ALL);
  const diffs: number[] = [];
  for (let i = 0; i < 65536; i++) if (audioopUlaw(ALL[i]!) !== ours[i]) diffs.push(ALL[i]!);
  t.equal(diffs.length, 381);
  t.ok(
    diffs.every((x) => x < 0),
    'all negative',
  );
  t.ok(
    diffs.every((x) => Math.abs(audioopUlaw(x) - ours[x + 32768]!) === 1),
    'one code step each',
  );
  // Cross-check the model of audioop against the real module when Python still has it (3.12 and older).
  const py = spawnSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      'import sys,audioop,struct;sys.stdout.buffer.write(audioop.lin2ulaw(struct.pack("<65536h",*range(-32768,32768)),2))',
    ],
    { maxBuffer: 1 << 20 },
  );
  const skip = py.status !== 0 ? 'python3 with audioop not available' : false;
  t.test('model equals the real audioop', { skip }, async (t) => {
    t.ok(equalArrays(new Uint8Array(py.stdout), ALL.map(audioopUlaw)));
  });
});

t.test('bad arguments are TypeErrors', async (t) => {
  t.throws(() => dsp.ulawEncode(new Uint8Array(4) as unknown as Int16Array), TypeError);
  t.throws(() => dsp.ulawDecode(new Int16Array(4) as unknown as Uint8Array), TypeError);
  t.throws(() => dsp.ulawEncode(null as unknown as Int16Array), TypeError);
  t.ok(equalArrays(dsp.ulawDecode(Buffer.from([0xff, 0x00])), [0, -32124]), 'Buffer accepted');
});
