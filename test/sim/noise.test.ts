import t from 'tap';
import { BACKGROUND_KINDS, createBed, LineBackground } from '../../src/sim/noise/index.js';
import { hvacBed } from '../../src/sim/noise/hvac.js';
import { musicVocalsBed } from '../../src/sim/noise/music-vocals.js';
import { musicBed } from '../../src/sim/noise/music.js';
import { Biquad, RATE, rms } from '../../src/sim/noise/synth.js';

// The generated backgrounds: same seed same sound, the level the SNR asks for, and spectra that have what the
// real thing has (a beat at the tempo, a singer in the speech band, babble that never stops, traffic low down,
// mains hum at its harmonics).

const db = (x: number) => 20 * Math.log10(x);
const seconds = (s: number) => Math.round(s * RATE);

/** Share of the energy between 300 and 3400 Hz (the telephone speech band), by fourth-order filters. */
function speechBandShare(x: Float32Array): number {
  const f = [new Biquad('highpass', 300), new Biquad('highpass', 300), new Biquad('lowpass', 3400)];
  const band = x.map((v) => f.reduce((s, q) => q.process(s), v));
  return (rms(band) / rms(x)) ** 2;
}

function lowBand(x: Float32Array, hz: number): Float32Array {
  const f = [new Biquad('lowpass', hz), new Biquad('lowpass', hz)];
  return x.map((v) => f.reduce((s, q) => q.process(s), v));
}

/** RMS per 10 ms frame. */
function envelope(x: Float32Array): number[] {
  const out: number[] = [];
  for (let o = 0; o + 80 <= x.length; o += 80) out.push(rms(x.subarray(o, o + 80)));
  return out;
}

/** Magnitude at `hz` (Goertzel), normalised by length. */
function goertzel(x: Float32Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / RATE);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return Math.sqrt(s1 * s1 + s2 * s2 - k * s1 * s2) / x.length;
}

t.test('every bed is the same sound for the same seed, a different one for another, whatever the read size', (t) => {
  for (const kind of BACKGROUND_KINDS) {
    const a = createBed(kind, 7).read(seconds(6));
    const b = createBed(kind, 7);
    const pieces = [b.read(1), b.read(159), b.read(seconds(2)), b.read(seconds(6) - 160 - seconds(2))];
    const joined = new Float32Array(a.length);
    let o = 0;
    for (const p of pieces) {
      joined.set(p, o);
      o += p.length;
    }
    // Equal up to float rounding: sounds overlapping in the timeline may be summed in another order.
    const worst = joined.reduce((m, v, i) => Math.max(m, Math.abs(v - (a[i] as number))), 0);
    t.ok(worst < 1e-6, `${kind}: same seed, same samples, read in pieces (largest difference ${worst})`);
    const c = createBed(kind, 8).read(seconds(6));
    t.ok(rms(a.map((v, i) => v - (c[i] as number))) > 0.3 * rms(a), `${kind}: another seed is another sound`);
    t.ok(
      a.every((v) => Number.isFinite(v)),
      `${kind}: finite samples`,
    );
  }
  t.end();
});

t.test('the line background sits snrDb under the speech level, measured over a minute', (t) => {
  for (const kind of BACKGROUND_KINDS)
    for (const snrDb of [15, 10]) {
      const line = new LineBackground({ kind, snrDb, seed: 3 }, -20);
      const pcm = new Int16Array(seconds(60));
      for (let o = 0; o < pcm.length; o += 160) line.addTo(pcm.subarray(o, o + 160));
      const level = db(rms(pcm) / 32768);
      t.ok(Math.abs(level - (-20 - snrDb)) < 1.5, `${kind} at ${snrDb} dB SNR: bed at ${level.toFixed(1)} dBFS`);
    }
  t.end();
});

t.test('music has a beat: low-frequency energy periodic at its tempo (120-128 BPM)', (t) => {
  for (const seed of [1, 2, 3]) {
    const bed = musicBed(seed);
    t.ok(bed.bpm >= 120 && bed.bpm <= 128, `tempo ${bed.bpm} BPM`);
    // Skip the intro; the kick is the energy under 150 Hz.
    bed.read(seconds(20));
    const env = envelope(lowBand(bed.read(seconds(30)), 150));
    const mean = env.reduce((s, v) => s + v, 0) / env.length;
    const centred = env.map((v) => v - mean);
    let best = { lag: 0, r: -Infinity };
    for (let lag = 30; lag <= 100; lag++) {
      let r = 0;
      for (let i = 0; i + lag < centred.length; i++) r += (centred[i] as number) * (centred[i + lag] as number);
      if (r > best.r) best = { lag, r };
    }
    const beatMs = 60_000 / bed.bpm;
    t.ok(
      Math.abs(best.lag * 10 - beatMs) <= 20,
      `seed ${seed}: low-band period ${best.lag * 10} ms, beat ${beatMs.toFixed(0)} ms`,
    );
  }
  t.end();
});

t.test('music-vocals is the same track plus a singer whose energy is in the speech band', (t) => {
  const music = musicBed(5).read(seconds(60));
  const withVocals = musicVocalsBed(5).read(seconds(60));
  const voice = withVocals.map((v, i) => v - (music[i] as number));
  // In a pop mix the voice is the loudest part of the midrange; the kick and bass carry most of the energy.
  t.ok(rms(voice) > 0.3 * rms(music), `the singer is audible (${db(rms(voice) / rms(music)).toFixed(1)} dB re music)`);
  const share = speechBandShare(voice);
  t.ok(share > 0.8, `singer energy in 300-3400 Hz: ${(share * 100).toFixed(0)} %`);
  t.ok(speechBandShare(music) < share, 'more speech-band share than the music alone');
  t.end();
});

/** How much the level moves from one 100 ms window to the next (standard deviation over mean). */
function levelVariation(x: Float32Array): number {
  const e: number[] = [];
  for (let o = 0; o + 800 <= x.length; o += 800) e.push(rms(x.subarray(o, o + 800)));
  const m = e.reduce((s, v) => s + v, 0) / e.length;
  return Math.sqrt(e.reduce((s, v) => s + (v - m) ** 2, 0) / e.length) / m;
}

t.test('chatter is babble: speech-band energy that moves like speech and never falls silent for long', (t) => {
  const x = createBed('chatter', 2).read(seconds(60));
  const share = speechBandShare(x);
  // Voices keep their fundamentals (100-230 Hz) in the room; the rest is in the telephone band.
  t.ok(share > 0.35, `chatter energy in 300-3400 Hz: ${(share * 100).toFixed(0)} %`);
  const moves = levelVariation(x);
  const steady = levelVariation(createBed('hvac', 2).read(seconds(60)));
  t.ok(
    moves > 0.4 && moves > 2 * steady,
    `syllables and turns: level variation ${moves.toFixed(2)} (hvac ${steady.toFixed(2)})`,
  );
  const env = envelope(x);
  const long = rms(x);
  let quiet = 0;
  let longestQuiet = 0;
  for (const v of env) {
    quiet = v < 0.1 * long ? quiet + 1 : 0;
    longestQuiet = Math.max(longestQuiet, quiet);
  }
  t.ok(longestQuiet * 10 <= 1500, `longest lull 20 dB down: ${longestQuiet * 10} ms`);
  t.end();
});

t.test('street noise is low-frequency rumble with cars that come and go', (t) => {
  const x = createBed('street', 4).read(seconds(60));
  const low = (rms(lowBand(x, 300)) / rms(x)) ** 2;
  t.ok(low > 0.5, `energy under 300 Hz: ${(low * 100).toFixed(0)} %`);
  const perSecond = Array.from({ length: 60 }, (_, s) => db(rms(x.subarray(seconds(s), seconds(s + 1)))));
  const swing = Math.max(...perSecond) - Math.min(...perSecond);
  t.ok(swing > 6, `level swings ${swing.toFixed(1)} dB from second to second (passing cars)`);
  t.end();
});

t.test('hvac hums at its mains frequency and harmonics', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const bed = hvacBed(seed);
    const x = bed.read(seconds(10));
    const hum = goertzel(x, 2 * bed.mainsHz);
    const beside = goertzel(x, 2 * bed.mainsHz + 17);
    t.ok(
      db(hum / beside) > 10,
      `seed ${seed}: ${2 * bed.mainsHz} Hz stands ${db(hum / beside).toFixed(0)} dB over its neighbour`,
    );
  }
  t.end();
});
