// DTMF generation (ITU-T Q.23 pairs, durations, level) and the DTMF receiver (twist, level, duration, talk-off),
// in the addon and in the TS reference, bit for bit. Measurements here use their own double-precision DFT, not the
// detector's integer Goertzel.
import t from 'tap';
import { loadDsp, type ToneDetection } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { DBM0_MEAN_SQUARE, DTMF_HIGH_HZ, DTMF_KEYS, DTMF_LOW_HZ } from '../../src/dsp/reference/tones.js';

const dsp = loadDsp();
const ref = createReferenceDsp();
const dbm0 = (meanSquare: number): number => 10 * Math.log10(meanSquare / DBM0_MEAN_SQUARE);

/** Least-squares fit of sines at the given frequencies: each one's mean square (A²/2) and what is left over. */
function fit(x: Int16Array, freqs: readonly number[]): { levels: number[]; residual: Float64Array } {
  const basis = freqs.flatMap((f) => [
    Float64Array.from(x, (_, i) => Math.cos((2 * Math.PI * f * i) / 8000)),
    Float64Array.from(x, (_, i) => Math.sin((2 * Math.PI * f * i) / 8000)),
  ]);
  const m = basis.length;
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  // Normal equations, Gauss-Jordan with partial pivoting.
  const g = basis.map((a) => [...basis.map((b) => dot(a, b)), dot(a, x)]);
  for (let c = 0; c < m; c++) {
    const p = g.reduce((best, row, r) => (r >= c && Math.abs(row[c]!) > Math.abs(g[best]![c]!) ? r : best), c);
    [g[c], g[p]] = [g[p]!, g[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const k = g[r]![c]! / g[c]![c]!;
      for (let j = c; j <= m; j++) g[r]![j]! -= k * g[c]![j]!;
    }
  }
  const coef = g.map((row, r) => row[m]! / row[r]!);
  const residual = Float64Array.from(x, (v, i) => v - basis.reduce((s, b, j) => s + coef[j]! * b[i]!, 0));
  const levels = freqs.map((_, k) => (coef[2 * k]! ** 2 + coef[2 * k + 1]! ** 2) / 2);
  return { levels, residual };
}
/** Mean square at hz through a 4-term Blackman-Harris window (sidelobes -92 dB: no leakage from the key's tones). */
function windowed(x: ArrayLike<number>, hz: number): number {
  const n = x.length;
  let re = 0;
  let im = 0;
  let gain = 0;
  for (let i = 0; i < n; i++) {
    const p = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(p) + 0.14128 * Math.cos(2 * p) - 0.01168 * Math.cos(3 * p);
    gain += w;
    re += w * x[i]! * Math.cos((2 * Math.PI * hz * i) / 8000);
    im -= w * x[i]! * Math.sin((2 * Math.PI * hz * i) / 8000);
  }
  return (2 * (re * re + im * im)) / (gain * gain);
}

function sine(hz: number, dbm0Level: number, ms: number): Float64Array {
  const a = Math.sqrt(2 * DBM0_MEAN_SQUARE) * 10 ** (dbm0Level / 20);
  return Float64Array.from({ length: ms * 8 }, (_, i) => a * Math.sin((2 * Math.PI * hz * i) / 8000 + 0.3));
}
function pcm(...parts: Float64Array[]): Int16Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Int16Array(n);
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = Math.max(-32768, Math.min(32767, Math.round(p[i]!)));
    at += p.length;
  }
  return out;
}
const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v + (b[i] ?? 0));
const silence = (ms: number): Float64Array => new Float64Array(ms * 8);
/** A key as a phone line would carry it: low and high tone at given levels and frequency errors. */
function key(k: string, ms: number, lowDbm0 = -9, highDbm0 = -7, freqError = 0): Float64Array {
  const i = DTMF_KEYS.indexOf(k);
  return add(
    sine(DTMF_LOW_HZ[i >> 2]! * (1 + freqError), lowDbm0, ms),
    sine(DTMF_HIGH_HZ[i & 3]! * (1 + freqError), highDbm0, ms),
  );
}
/** Through G.711 μ-law, as every call's audio is. */
const line = (x: Int16Array): Int16Array => dsp.ulawDecode(dsp.ulawEncode(x));

function detect(x: Int16Array, chunk = 160, which = { dtmf: true, beep: false }): ToneDetection[] {
  const d = dsp.createToneDetector(which);
  const out: ToneDetection[] = [];
  const padded = pcm(Float64Array.from(x), silence(100));
  for (let i = 0; i < padded.length; i += chunk) out.push(...(d.push(padded.subarray(i, i + chunk)) ?? []));
  return out;
}
const digits = (ev: ToneDetection[]): string => ev.map((e) => (e.kind === 'dtmf' ? e.digit : '~')).join('');

t.test(
  'generation: each key is its Q.23 pair at -9/-7 dBm0, nothing else, for exactly toneMs then gapMs',
  async (t) => {
    for (const [i, k] of [...DTMF_KEYS].entries()) {
      const mu = dsp.dtmfRender(k, 100, 80);
      t.equal(mu.length, 180 * 8, `${k}: 100 ms tone + 80 ms gap`);
      const x = dsp.ulawDecode(mu);
      const tone = x.subarray(16, 800 - 16); // inside the 2 ms ramps
      const low = DTMF_LOW_HZ[i >> 2]!;
      const high = DTMF_HIGH_HZ[i & 3]!;
      const { levels, residual } = fit(tone, [low, high]);
      const lowDb = dbm0(levels[0]!);
      const highDb = dbm0(levels[1]!);
      t.ok(Math.abs(lowDb + 9) < 0.2, `${k}: ${low} Hz at ${lowDb.toFixed(2)} dBm0`);
      t.ok(Math.abs(highDb + 7) < 0.2, `${k}: ${high} Hz at ${highDb.toFixed(2)} dBm0`);
      for (const f of [...DTMF_LOW_HZ, ...DTMF_HIGH_HZ].filter((f) => f !== low && f !== high))
        t.ok(dbm0(windowed(tone, f)) < -50, `${k}: no energy at ${f} Hz`);
      const rest = dbm0(residual.reduce((a, v) => a + v * v, 0) / residual.length);
      t.ok(rest < -35, `${k}: everything else (μ-law noise, distortion) ${rest.toFixed(1)} dBm0`);
      t.ok(
        mu.subarray(800).every((b) => b === 0xff),
        `${k}: 80 ms of digital silence after it`,
      );
      const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      t.ok(peak < 32124 * 0.6, `${k}: peak ${peak}, far from clipping`);
    }
    const seq = dsp.dtmfRender('1w2', 70, 70);
    t.equal(seq.length, (140 + 500 + 140) * 8, "'w' is half a second of silence");
  },
);

t.test('generation: bad arguments are RangeError/TypeError with the rule', async (t) => {
  t.throws(() => dsp.dtmfRender('1', 69, 100), RangeError, 'tone under 70 ms');
  t.throws(() => dsp.dtmfRender('1', 100, 69), RangeError, 'gap under 70 ms');
  t.throws(() => dsp.dtmfRender('1', 2001, 100), RangeError);
  t.throws(() => dsp.dtmfRender('x', 100, 100), { name: 'RangeError', message: /0-9 \* # A-D w/ });
  t.throws(() => dsp.dtmfRender('', 100, 100), RangeError);
  t.throws(() => dsp.dtmfRender('1'.repeat(65), 100, 100), RangeError);
  t.throws(() => dsp.dtmfRender(5 as unknown as string, 100, 100), TypeError);
  t.throws(() => dsp.dtmfRender('1', 100.5, 100), TypeError);
  for (const bad of [
    ['x', 100, 100],
    ['1', 69, 100],
    ['', 100, 100],
  ] as const)
    t.throws(() => ref.dtmfRender(bad[0], bad[1], bad[2]), RangeError, 'the reference refuses the same');
});

t.test('addon and TS reference: same bytes rendered, same detections', async (t) => {
  for (const [keys, tone, gap] of [
    ['0123456789*#ABCD', 100, 100],
    ['1w9#', 70, 70],
    ['5', 2000, 2000],
  ] as const) {
    const a = dsp.dtmfRender(keys, tone, gap);
    t.ok(Buffer.from(a).equals(Buffer.from(ref.dtmfRender(keys, tone, gap))), `${keys} ${tone}/${gap}`);
  }
  dsp.setForceScalar(true);
  const scalar = dsp.dtmfRender('0123456789*#ABCD', 90, 75);
  dsp.setForceScalar(false);
  t.ok(Buffer.from(scalar).equals(Buffer.from(dsp.dtmfRender('0123456789*#ABCD', 90, 75))), 'scalar = SIMD μ-law');
  // Keys, near-misses, a beep and noise: every detection and every rejection the same.
  const x = line(
    pcm(
      key('7', 90),
      silence(80),
      key('3', 60, -9, -3),
      silence(70),
      key('#', 120, -20, -27.5),
      silence(90),
      sine(1000, -12, 400),
      silence(50),
      key('D', 80, -30, -29, 0.015),
      Float64Array.from({ length: 8000 }, (_, i) => 3000 * Math.sin(i * 0.37) * Math.sin(i * 0.011)),
    ),
  );
  const all = { dtmf: true, beep: true };
  for (const chunk of [1, 77, 160, 4096]) {
    const n: ToneDetection[] = [];
    const r: ToneDetection[] = [];
    const dn = dsp.createToneDetector(all);
    const dr = ref.createToneDetector(all);
    for (let i = 0; i < x.length; i += chunk) {
      n.push(...(dn.push(x.subarray(i, i + chunk)) ?? []));
      r.push(...(dr.push(x.subarray(i, i + chunk)) ?? []));
    }
    t.same(n, r, `chunks of ${chunk}: ${digits(n)}`);
    t.same(n, detect(x, 160, all), 'independent of chunking');
  }
});

t.test('receiver: every key, at Q.23 levels, twist and frequency tolerances; 70 ms tones and gaps', async (t) => {
  t.equal(digits(detect(dsp.ulawDecode(dsp.dtmfRender(DTMF_KEYS, 70, 70)))), DTMF_KEYS, 'our own keys, 70/70 ms');
  t.equal(digits(detect(dsp.ulawDecode(dsp.dtmfRender('55w55', 70, 70)))), '5555', 'repeated keys stay apart');
  const cases: Array<[string, number, number, number, boolean]> = [
    ['nominal', -9, -7, 0, true],
    ['high 3 dB over low', -10, -7, 0, true],
    ['high 7 dB under low', -7, -14, 0, true],
    ['high 6 dB over low', -13, -7, 0, false],
    ['high 10 dB under low', -7, -17, 0, false],
    ['+1.5 % off', -9, -7, 0.015, true],
    ['-1.5 % off', -9, -7, -0.015, true],
    ['each tone -28 dBm0', -28, -28, 0, true],
    ['each tone -35 dBm0', -35, -35, 0, false],
    ['loud: -3 dBm0 each', -3, -3, 0, true],
  ];
  for (const [what, lo, hi, err, accepted] of cases) {
    let got = '';
    for (const k of DTMF_KEYS) got += digits(detect(line(pcm(silence(50), key(k, 80, lo, hi, err), silence(80)))));
    t.equal(got, accepted ? DTMF_KEYS : '', `${what}: ${accepted ? 'every key' : 'no key'} (${got})`);
  }
});

t.test('receiver: durations — reported lengths; short bursts are not keys', async (t) => {
  for (const ms of [70, 100, 250]) {
    const ev = detect(line(pcm(silence(37), key('8', ms), silence(70))));
    t.equal(ev.length, 1, `${ms} ms: one key`);
    const e = ev[0]!;
    const startMs = e.startSample / 8;
    const lenMs = e.samples / 8;
    t.ok(startMs >= 37 - 26 && startMs <= 37 + 13, `${ms} ms: starts at ${startMs} ms (tone at 37)`);
    t.ok(lenMs >= ms - 15 && lenMs <= ms + 26, `${ms} ms: lasts ${lenMs} ms`);
  }
  for (const ms of [15, 25]) t.equal(detect(line(pcm(key('8', ms), silence(100)))).length, 0, `${ms} ms burst ignored`);
  // A one-window dropout (a lost packet) inside a long key does not make two keys.
  const x = line(pcm(key('6', 150), silence(10), key('6', 150)));
  t.equal(digits(detect(x)), '6', '10 ms dropout bridged');
  const apart = line(pcm(key('6', 80), silence(40), key('6', 80)));
  t.equal(digits(detect(apart)), '66', 'a 40 ms pause separates two keys');
});

t.test('receiver: a key under speech-like noise is heard; vowel-like harmonics are not keys', async (t) => {
  const noisy = key('2', 100).map((v, i) => v + 800 * Math.sin(i * 1.9) * Math.sin(i * 0.013));
  t.equal(digits(detect(line(pcm(silence(40), noisy, silence(80))))), '2', 'key with a quieter babble under it');
  // A voiced sound at 232 Hz has harmonics at 697 (3rd) and 1393... and 1209 is not one: a vowel with strong 3rd
  // and 5th harmonics (697 / 1161) is rejected; one built to hit 697 + 1209 exactly still has its other harmonics.
  const f0 = 697 / 3;
  const vowel = Float64Array.from({ length: 2400 }, (_, i) => {
    let s = 0;
    for (let h = 1; h <= 12; h++)
      s += (h === 3 || h === 5 ? 6000 : 1500 / h) * Math.sin((2 * Math.PI * f0 * h * i) / 8000);
    return s;
  });
  t.equal(detect(line(pcm(vowel))).length, 0, 'harmonic vowel is not a key');
});
