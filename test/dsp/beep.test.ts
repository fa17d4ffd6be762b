// The steady-tone (voicemail beep) detector: what it must hear, what it must not (sung notes, vibrato, decaying
// notes, sweeps, dual tones), and zero false beeps or keys over minutes of the simulator's music, sung music and
// chatter beds.
import t from 'tap';
import { loadDsp, toneHz, type ToneDetection } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { DBM0_MEAN_SQUARE } from '../../src/dsp/reference/tones.js';
import { createBed, type BackgroundKind } from '../../src/sim/noise/index.js';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { FliteTts, FLITE_VOICES } from '../../src/providers/tts/flite.js';

const dsp = loadDsp();
const ref = createReferenceDsp();
const amp = (dbm0: number): number => Math.sqrt(2 * DBM0_MEAN_SQUARE) * 10 ** (dbm0 / 20);

/** PCM through μ-law, as a call carries it; `f(i)` gives sample i as a float. */
function line(n: number, f: (i: number) => number): Int16Array {
  const x = Int16Array.from({ length: n }, (_, i) => Math.max(-32768, Math.min(32767, Math.round(f(i)))));
  return dsp.ulawDecode(dsp.ulawEncode(x));
}
const sine = (hz: number, dbm0: number, from: number, ms: number) => (i: number) =>
  i >= from && i < from + ms * 8 ? amp(dbm0) * Math.sin((2 * Math.PI * hz * (i - from)) / 8000) : 0;

function detect(x: Int16Array, which = { dtmf: false, beep: true }, d = dsp): ToneDetection[] {
  const det = d.createToneDetector(which);
  const out: ToneDetection[] = [];
  for (let i = 0; i < x.length; i += 160) out.push(...(det.push(x.subarray(i, i + 160)) ?? []));
  out.push(...(det.push(new Int16Array(800)) ?? []));
  return out;
}

t.test('a steady tone of 400-2,000 Hz lasting 150 ms or more is one beep: start, frequency, length', async (t) => {
  for (const hz of [400, 440, 850, 1000, 1400, 2000]) {
    for (const ms of [150, 300, 1000]) {
      const ev = detect(line(8000 + ms * 8, sine(hz, -12, 2000, ms)));
      t.equal(ev.length, 1, `${hz} Hz ${ms} ms: one beep`);
      const e = ev[0]!;
      if (e.kind !== 'tone') continue;
      t.ok(Math.abs(toneHz(e.cosine) - hz) <= 1, `${hz} Hz measured ${toneHz(e.cosine)}`);
      t.ok(e.startSample / 8 >= 250 && e.startSample / 8 <= 270, `starts at ${e.startSample / 8} ms (250)`);
      t.ok(e.samples / 8 >= ms - 20 && e.samples / 8 <= ms, `lasts ${e.samples / 8} ms (${ms})`);
    }
  }
  for (const level of [-33, -20, -3])
    t.equal(detect(line(6000, sine(1000, level, 800, 300))).length, 1, `at ${level} dBm0`);
  const noisy = line(6000, (i) => sine(1000, -12, 800, 300)(i) + amp(-50) * Math.sin(i * 2.1) * Math.sin(i * 0.7));
  t.equal(detect(noisy).length, 1, 'under line noise 38 dB down');
  const ramped = line(6000, (i) => sine(1000, -12, 800, 400)(i) * Math.min(1, (i - 800) / 160));
  t.equal(detect(ramped).length, 1, 'with a 20 ms fade-in');
});

t.test('not beeps: short, out of band, quiet, dual, sweeping, vibrato, decaying, harmonic', async (t) => {
  const none = (what: string, x: Int16Array) => t.same(detect(x), [], what);
  none('100 ms tone', line(4000, sine(1000, -12, 800, 100)));
  none('2,500 Hz', line(6000, sine(2500, -12, 800, 400)));
  none('300 Hz', line(6000, sine(300, -12, 800, 400)));
  none('-40 dBm0', line(6000, sine(1000, -40, 800, 400)));
  none(
    'DTMF pair',
    line(6000, (i) => sine(770, -9, 800, 400)(i) + sine(1336, -7, 800, 400)(i)),
  );
  none(
    'busy tone (480 + 620 Hz)',
    line(6000, (i) => sine(480, -12, 800, 500)(i) + sine(620, -12, 800, 500)(i)),
  );
  none(
    'sweep 800 → 1,200 Hz over 400 ms',
    line(6000, (i) =>
      i < 3200 ? amp(-12) * Math.sin(2 * Math.PI * (800 * (i / 8000) + (400 * (i / 8000) ** 2) / 0.8)) : 0,
    ),
  );
  none(
    '600 Hz with 5.5 Hz vibrato of ±1 %',
    line(
      8000,
      (i) =>
        amp(-12) * Math.sin(2 * Math.PI * (600 * (i / 8000)) + (6 / 5.5) * Math.sin(2 * Math.PI * 5.5 * (i / 8000))),
    ),
  );
  none(
    'decaying note (τ = 150 ms)',
    line(8000, (i) => amp(-6) * Math.exp(-i / 1200) * Math.sin((2 * Math.PI * 880 * i) / 8000)),
  );
  none(
    'sung vowel: 220 Hz with harmonics',
    line(8000, (i) =>
      [1, 2, 3, 4, 5].reduce((s, h) => s + (amp(-12) / h) * Math.sin((2 * Math.PI * 220 * h * i) / 8000), 0),
    ),
  );
});

t.test('addon = TS reference on beeps and near-misses', async (t) => {
  const x = line(24000, (i) =>
    i < 8000
      ? sine(1000, -12, 800, 300)(i)
      : i < 16000
        ? amp(-6) * Math.exp(-(i - 8000) / 1200) * Math.sin(i * 0.7)
        : sine(523.25, -20, 16800, 180)(i) + amp(-55) * Math.sin(i * 2.9),
  );
  const both = { dtmf: true, beep: true };
  t.same(detect(x, both, dsp), detect(x, both, ref));
  t.equal(detect(x, both).length, 2, 'the 1 kHz beep and the 523 Hz one');
});

t.test('zero false beeps and keys over minutes of music, sung music and chatter', async (t) => {
  const minutes = 2;
  for (const kind of ['music', 'music-vocals', 'chatter'] as BackgroundKind[]) {
    const f = createBed(kind, 1).read(minutes * 60 * 8000);
    let peak = 0;
    for (const v of f) peak = Math.max(peak, Math.abs(v));
    for (const headroomDb of [3]) {
      const g = (32767 / peak) * 10 ** (-headroomDb / 20);
      const ev = detect(
        line(f.length, (i) => f[i]! * g),
        { dtmf: true, beep: true },
      );
      t.same(ev, [], `${kind}, ${minutes} min, peak -${headroomDb} dBFS: nothing`);
    }
  }
});

t.test('speech is neither keys nor beeps: both flite voices, sentences a receptionist says', async (t) => {
  const lines = [
    'Thanks for calling Iron Temple, this is Maria, how can I help you?',
    'We open at five a.m. Monday through Friday and close at eleven p.m.',
    'A monthly membership is forty nine ninety nine, or four ninety nine a year.',
    'Please hold while I transfer you. Hmm, mm-hmm, okay, sure, one two three four five six.',
    'Please leave a message after the tone.',
  ];
  let seconds = 0;
  for (const voice of FLITE_VOICES) {
    const tts = new FliteTts({ voice, mode: 'inline' });
    for (const text of lines) {
      const { pcm } = await synthesizePhoneAudio(tts, dsp, text);
      seconds += pcm.length / 8000;
      t.same(detect(pcm, { dtmf: true, beep: true }), [], `${voice}: "${text.slice(0, 32)}…"`);
    }
  }
  t.ok(seconds > 30, `${seconds.toFixed(0)} s of speech`);
});
