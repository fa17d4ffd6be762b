import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { concat, equalArrays, noise, tone } from '../../bench/dsp-signals.js';

const dsp = loadDsp();
const ref = createReferenceDsp();

t.test('energy, speech-band share and zero-crossing rate of known signals (8 kHz, 20 ms frames)', async (t) => {
  const F = 160;
  const x = concat([
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
  const x = concat([noise(8000, 11, 3000), tone(440, 8000, 800)]);
  for (const F of [80, 160]) {
    const a = dsp.frameFeatures(x, F);
    const b = ref.frameFeatures(x, F);
    t.equal(a.length, b.length);
    let maxDb = 0;
    for (let i = 0; i < a.length; i += 3) maxDb = Math.max(maxDb, Math.abs(a[i]! - b[i]!));
    t.ok(maxDb <= 1e-4, `energy within 1e-4 dB (${maxDb})`);
    const rest = (v: Float32Array): number[] => Array.from(v).filter((_, i) => i % 3 !== 0);
    t.ok(equalArrays(rest(a), rest(b)), `band share and ZCR identical (frame ${F})`);
    const firstHalf = dsp.frameFeatures(x.subarray(0, F * 10), F);
    t.ok(equalArrays(firstHalf, a.subarray(0, 30)), 'same frames from a shorter call');
  }
  t.equal(dsp.frameFeatures(new Int16Array(100), 160).length, 0, 'partial frame ignored');
});

t.test('bad arguments', async (t) => {
  t.throws(() => dsp.frameFeatures(new Int16Array(160), 1), RangeError);
  t.throws(() => dsp.frameFeatures(new Int16Array(160), 1.5), TypeError);
  t.throws(() => dsp.frameFeatures(new Float32Array(160) as unknown as Int16Array, 160), TypeError);
  t.throws(() => ref.frameFeatures(new Int16Array(160), 1), RangeError);
});
