import t from 'tap';
import { addonCandidates, energyDbfs, loadAddonFrom, loadDsp, log10Det } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { equalArrays, noise, tone } from '../../bench/dsp-signals.js';
import { speechBandTaps } from '../../src/dsp/reference/design.js';
import { joinPcm } from '../../src/audio/pcm.js';

const dsp = loadDsp();
const ref = createReferenceDsp();

const sameBytes = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Random and extreme inputs for the SIMD kernels: lengths chosen so that no frame size divides them. */
function vectors(): Array<[string, Int16Array]> {
  const n = 160 * 21 + 7;
  const fill = (f: (i: number) => number): Int16Array => Int16Array.from({ length: n }, (_, i) => f(i));
  const taps = speechBandTaps();
  return [
    ['noise', noise(n, 5, 32767)],
    ['quiet noise', noise(n, 6, 300)],
    ['speech-like', joinPcm([tone(440, 8000, n >> 1, 9000), noise(n - (n >> 1), 7, 12000)])],
    ['all -32768', fill(() => -32768)],
    ['all 32767', fill(() => 32767)],
    ['silence', fill(() => 0)],
    ['alternating extremes', fill((i) => (i % 2 ? -32768 : 32767))],
    ['pairs of extremes', fill((i) => (i % 4 < 2 ? -32768 : 32767))],
    // Full scale following the signs of the band-pass taps: the filter output reaches its bound (|y| = 61673).
    ['filter worst case', fill((i) => (taps[i % 31]! >= 0 === (i / 500) % 2 < 1 ? 32767 : -32768))],
    ['-1 0 1', fill((i) => (i % 3) - 1)],
  ];
}

t.test('energy, speech-band share and zero-crossing rate of known signals (8 kHz, 20 ms frames)', async (t) => {
  const F = 160;
  const x = joinPcm([
    new Int16Array(F), // silence
    tone(1000, 8000, F, 32767), // full-scale 1 kHz sine: -3.01 dBFS
    tone(1000, 8000, F, 327.67), // -40 dB below that
    tone(100, 8000, F * 2, 16000).subarray(F), // hum: outside the speech band
    tone(3800, 8000, F, 16000), // hiss-like tone above 3.4 kHz
  ]);
  const f = dsp.frameFeatures(x, F);
  t.equal(f.length, 15);
  t.equal(f[0], -120, 'silence at the floor');
  t.equal(f[1], 0);
  t.equal(f[2], 0);
  t.ok(Math.abs(f[3]! + 3.01) < 0.05, `full-scale sine ${f[3]} dBFS`);
  t.ok(f[4]! > 0.95, `1 kHz is speech band (${f[4]})`);
  t.ok(Math.abs(f[5]! - 0.25) < 0.01, `1 kHz at 8 kHz crosses zero 2000 times/s (${f[5]})`);
  t.ok(Math.abs(f[6]! - (f[3]! - 40)) < 0.1, `-40 dB tone ${f[6]}`);
  t.ok(f[10]! < 0.05, `100 Hz hum mostly outside the band (${f[10]})`);
  t.ok(f[13]! < 0.1, `3.8 kHz tone mostly outside the band (${f[13]})`);
  t.ok(f[14]! > 0.9, 'high tone crosses often');
});

t.test('addon and TS reference agree; frames are independent of how audio is split', async (t) => {
  const x = joinPcm([noise(8000, 11, 3000), tone(440, 8000, 800)]);
  for (const F of [80, 160]) {
    const a = dsp.frameFeatures(x, F);
    const b = ref.frameFeatures(x, F);
    t.ok(sameBytes(a, b), `addon == TS reference, every float bit (frame ${F})`);
    const firstHalf = dsp.frameFeatures(x.subarray(0, F * 10), F);
    t.ok(equalArrays(firstHalf, a.subarray(0, 30)), 'same frames from a shorter call');
  }
  t.equal(dsp.frameFeatures(new Int16Array(100), 160).length, 0, 'partial frame ignored');
});

t.test('SIMD kernels == forced scalar == TS reference, bit for bit, on random and extreme input', async (t) => {
  t.teardown(() => dsp.setForceScalar(false));
  const best = dsp.kernels();
  for (const [name, x] of vectors()) {
    for (const F of [80, 160, 320, 2, 31, 32, 33, 47, 161]) {
      dsp.setForceScalar(false);
      const simd = dsp.frameFeatures(x, F);
      dsp.setForceScalar(true);
      const scalar = dsp.frameFeatures(x, F);
      const want = ref.frameFeatures(x, F);
      if (simd.length !== Math.floor(x.length / F) * 3 || !sameBytes(simd, scalar) || !sameBytes(scalar, want)) {
        t.fail(`${name}, frame ${F}: ${best} / scalar / TS reference differ`);
        return;
      }
    }
    t.pass(`${name}: ${best} == scalar == TS reference (frames 80/160/320 and odd sizes)`);
  }
  dsp.setForceScalar(false);
  t.equal(dsp.kernels(), best, 'force-scalar switched back');
});

t.test('energyDbfs gives the addon energy float; log10Det is within 2 ulp of Math.log10', async (t) => {
  let worst = 0;
  for (let v = 1 / 48000 / 2 ** 30; v <= 1; v *= 1.0173) {
    const want = Math.log10(v);
    worst = Math.max(worst, Math.abs(log10Det(v) - want) / Math.abs(want || 1) / Number.EPSILON);
  }
  t.ok(worst <= 2, `worst relative error ${worst.toFixed(2)} ε`);
  t.equal(log10Det(1), 0);
  for (const [name, x] of vectors()) {
    const f = dsp.frameFeatures(x, 160);
    let same = true;
    for (let o = 0, k = 0; o + 160 <= x.length; o += 160, k += 3) {
      let e = 0;
      for (let i = o; i < o + 160; i++) e += x[i]! * x[i]!;
      same &&= energyDbfs(e, 160) === f[k];
    }
    t.ok(same, `${name}: energyDbfs == addon, every frame`);
  }
});

t.test('pooled feature outputs never overlap and survive later calls', async (t) => {
  const x = noise(160 * 5, 9);
  const outs = Array.from({ length: 3000 }, (_, i) => dsp.frameFeatures(x.subarray(i % 160), 160));
  const want = outs.map((_, i) => ref.frameFeatures(x.subarray(i % 160), 160));
  t.ok(
    outs.every((o, i) => sameBytes(o, want[i]!)),
    'every result intact after 3000 calls (several slabs)',
  );
  const big = noise(160 * 700, 10); // 8400 bytes of features: more than the slab hands out per call
  t.ok(sameBytes(dsp.frameFeatures(big, 160), ref.frameFeatures(big, 160)), 'large outputs (own array) correct');
});

t.test('raw addon: explicit output array and offset', async (t) => {
  const { addon } = loadAddonFrom(addonCandidates());
  const x = noise(480, 12);
  const out = new Float32Array(20).fill(7);
  t.equal(addon.frameFeatures(x, 160, out, 5), 9, 'returns the number of floats written');
  t.ok(sameBytes(out.subarray(5, 14), ref.frameFeatures(x, 160)), 'written at the offset');
  t.ok(out[4] === 7 && out[14] === 7, 'nothing outside');
  const small = new Float32Array(10).fill(7);
  t.throws(() => addon.frameFeatures(x, 160, small, 2), RangeError, 'too small: RangeError');
  t.throws(() => addon.frameFeatures(x, 160, new Int16Array(9) as unknown as Float32Array, 0), TypeError);
  t.ok(
    small.every((v) => v === 7),
    'a call that throws writes nothing',
  );
});

t.test('bad arguments', async (t) => {
  t.throws(() => dsp.frameFeatures(new Int16Array(160), 1), RangeError);
  t.throws(() => dsp.frameFeatures(new Int16Array(160), 1.5), TypeError);
  t.throws(() => dsp.frameFeatures(new Float32Array(160) as unknown as Int16Array, 160), TypeError);
  t.throws(() => ref.frameFeatures(new Int16Array(160), 1), RangeError);
});
