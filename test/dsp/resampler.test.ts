import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { measureQuality } from '../../bench/dsp-quality.js';
import { equalArrays, noise, tone } from '../../bench/dsp-signals.js';
import { joinPcm } from '../../src/audio/pcm.js';

const dsp = loadDsp();
const ref = createReferenceDsp();
const PAIRS: Array<[number, number]> = [
  [24000, 8000],
  [22050, 8000],
  [16000, 8000],
  [44100, 8000],
  [48000, 8000],
  [8000, 16000],
];

function run(from: number, to: number, x: Int16Array): Int16Array {
  const r = dsp.createResampler(from, to);
  return joinPcm([r.push(x), r.flush()]);
}

t.test('quality targets, measured (passband, stopband/images, group delay)', async (t) => {
  for (const [from, to] of PAIRS) {
    const q = measureQuality(
      () => {
        const r = dsp.createResampler(from, to);
        return (x) => r.push(x);
      },
      from,
      to,
    );
    t.ok(
      q.passbandMinDb >= -0.05 && q.passbandMaxDb <= 0.05,
      `${from}->${to} passband 300-3400 Hz: ${q.passbandMinDb.toFixed(4)}..${q.passbandMaxDb.toFixed(4)} dB`,
    );
    const what =
      q.worstStopbandDb === -Infinity
        ? 'every stopband tone came out as exact zeros'
        : `${q.worstStopbandDb.toFixed(1)} dB at ${q.worstStopbandHz} Hz`;
    t.ok(q.worstStopbandDb <= -90, `${from}->${to} worst stopband/image: ${what} (≤ -90 dB)`);
    const declared = dsp.createResampler(from, to).info().groupDelayMs;
    t.ok(
      q.groupDelayMs <= 5 && Math.abs(q.groupDelayMs - declared) <= 1000 / to,
      `${from}->${to} group delay ${q.groupDelayMs.toFixed(2)} ms`,
    );
  }
});

t.test('output is bit-identical however the input is chunked', async (t) => {
  const x = noise(24000, 7);
  const bytes = new Uint8Array(x.buffer.slice(0));
  for (const [from, to] of PAIRS) {
    const whole = run(from, to, x);
    // 1-sample chunks.
    const r1 = dsp.createResampler(from, to);
    const ones: Int16Array[] = [];
    for (let i = 0; i < 3000; i++) ones.push(r1.push(x.subarray(i, i + 1)));
    ones.push(r1.push(x.subarray(3000)), r1.flush());
    t.ok(equalArrays(joinPcm(ones), whole), `${from}->${to} 1-sample chunks`);
    // Irregular byte chunks with odd lengths (the odd byte is carried, never padded).
    const rb = dsp.createResampler(from, to);
    const parts: Int16Array[] = [];
    let sawPending = false;
    for (let i = 0, c = 1; i < bytes.length; i += c, c = ((c * 7 + 3) % 961) + 1) {
      parts.push(rb.pushBytes(bytes.subarray(i, i + c)));
      sawPending ||= rb.info().pendingByte;
    }
    parts.push(rb.flush());
    t.ok(sawPending, 'an odd byte was pending at some point');
    t.ok(equalArrays(joinPcm(parts), whole), `${from}->${to} odd byte chunks`);
    // Single bytes.
    const rs = dsp.createResampler(from, to);
    const singles: Int16Array[] = [];
    for (let i = 0; i < 2001; i++) singles.push(rs.pushBytes(bytes.subarray(i, i + 1)));
    singles.push(rs.pushBytes(bytes.subarray(2001)), rs.flush());
    t.ok(equalArrays(joinPcm(singles), whole), `${from}->${to} 1-byte chunks`);
  }
});

t.test('SIMD kernels equal the scalar kernels and the TS reference exactly', async (t) => {
  // Full-scale noise and extremes (plain decimators take the unfolded kernels there), then half-scale noise and
  // a tone (every mirrored pair sum fits int16: the folded kernels of symmetric filters).
  const x = joinPcm([
    noise(12000, 3, 32767),
    tone(3000, 24000, 2000),
    new Int16Array(100).fill(-32768),
    noise(6000, 4, 16383),
    new Int16Array(50).fill(16383),
    new Int16Array(50).fill(-16384),
    tone(1000, 24000, 3000, 16000),
  ]);
  for (const [from, to] of PAIRS) {
    t.ok(equalArrays(dsp.designTaps(from, to), ref.designTaps(from, to)), `${from}->${to} coefficients`);
    dsp.setForceScalar(false);
    const simd = run(from, to, x);
    const simdKernels = dsp.kernels();
    dsp.setForceScalar(true);
    t.equal(dsp.kernels(), 'scalar');
    const scalar = run(from, to, x);
    dsp.setForceScalar(false);
    t.ok(equalArrays(simd, scalar), `${from}->${to} ${simdKernels} == scalar`);
    const rr = ref.createResampler(from, to);
    t.ok(equalArrays(joinPcm([rr.push(x), rr.flush()]), simd), `${from}->${to} TS reference == addon`);
    const ru = dsp.createResampler(from, to);
    t.ok(
      equalArrays(ru.pushUlaw(x), dsp.ulawEncode(dsp.createResampler(from, to).push(x))),
      'pushUlaw = push + encode',
    );
  }
});

t.test('bad rates and arguments', async (t) => {
  t.throws(() => dsp.createResampler(24000, 24000), RangeError);
  t.throws(() => dsp.createResampler(1000, 8000), RangeError);
  t.throws(() => dsp.createResampler(44101, 8000), RangeError);
  t.throws(() => dsp.createResampler(24000.5, 8000), TypeError);
  t.throws(() => ref.createResampler(44101, 8000), RangeError);
  const r = dsp.createResampler(24000, 8000);
  t.throws(() => r.push(new Float32Array(4) as unknown as Int16Array), TypeError);
  t.throws(() => r.pushBytes(new Int16Array(4) as unknown as Uint8Array), TypeError);
  t.equal(r.push(new Int16Array(0)).length, 0);
});
