import { Biquad, type Bed, PinkNoise, Prng, RATE, timelineBed } from './synth.js';

// Air conditioning and machines: mains hum (50 or 60 Hz, from the seed, with its harmonics: transformers and
// motors hum at twice the mains frequency most), a fan's broadband rush with its blade-pass tone, and slow
// drifts in level. Steady, low and broadband: the kind of noise a noise floor tracker should learn and ignore.

export interface HvacBed extends Bed {
  readonly mainsHz: 50 | 60;
}

export function hvacBed(seed: number): HvacBed {
  const prng = new Prng(seed);
  const mainsHz = prng.chance(0.5) ? 50 : 60;
  // Harmonic levels: the 2nd (magnetostriction) strongest, odd ones from non-linear loads.
  const hum = [0.5, 1, 0.45, 0.3, 0.2, 0.1].map((a, k) => ({
    hz: mainsHz * (k + 1),
    amp: a * prng.range(0.7, 1.2),
    phase: prng.next(),
  }));
  const air = new PinkNoise(prng.fork(1));
  const rush = [new Biquad('lowpass', prng.range(900, 1600)), new Biquad('highpass', 60)];
  const bladeHz = prng.range(70, 140);
  const blade = new Biquad('bandpass', bladeHz, 8);
  const drift = prng.range(0.03, 0.1);
  let at = 0;
  const bed = timelineBed((tl, until) => {
    const out = new Float32Array(until - at);
    for (let i = 0; i < out.length; i++) {
      const t = (at + i) / RATE;
      let h = 0;
      for (const x of hum) h += x.amp * Math.sin(2 * Math.PI * (x.hz * t + x.phase));
      const w = air.next();
      const fan = (rush[1] as Biquad).process((rush[0] as Biquad).process(w)) + 3 * blade.process(w);
      out[i] = (0.12 * h + 0.9 * fan) * (1 + 0.15 * Math.sin(2 * Math.PI * drift * t));
    }
    tl.add(at, out);
    at = until;
  });
  return { mainsHz, read: (n) => bed.read(n) };
}
