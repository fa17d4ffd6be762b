import { Biquad, type Bed, gate, PinkNoise, Prng, RATE, timelineBed, Wavetable } from './synth.js';

// A street outside an open door: the low rumble of distant traffic, cars passing every few seconds (engine
// harmonics and tyre noise that swell as the car nears, with the Doppler drop in pitch as it goes by), and now
// and then a horn.

const SPEED_OF_SOUND = 343;
const ENGINE = Wavetable.tilted(24, 0.9);
const HORN = Wavetable.tilted(12, 0.7);

/** One car passing at `speed` m/s, closest (`closest` m) at the middle of the sound. */
function passingCar(prng: Prng, seconds: number): Float32Array {
  const n = Math.round(seconds * RATE);
  const out = new Float32Array(n);
  const speed = prng.range(8, 17);
  const closest = prng.range(4, 15);
  const engineHz = prng.range(28, 55);
  const tyres = new Biquad('bandpass', prng.range(600, 1100), 0.5);
  const tone = new Biquad('lowpass', 1000);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / RATE - seconds / 2;
    const x = speed * t;
    const distance = Math.hypot(closest, x);
    // Doppler: the radial speed is speed·x/distance, positive (receding) after the car has passed.
    const doppler = SPEED_OF_SOUND / (SPEED_OF_SOUND + (speed * x) / distance);
    const hz = engineHz * doppler;
    phase += hz / RATE;
    // Near cars are brighter: air and obstacles take the highs off far ones.
    if (i % 64 === 0) tone.set('lowpass', 400 + 3000 * (closest / distance) ** 2);
    const s = 0.6 * ENGINE.at(phase, hz) + 1.4 * tyres.process(prng.noise());
    const fade = gate(i / RATE, 0.3, seconds - 0.3, 0.3);
    out[i] = tone.process(s) * (closest / distance) * fade;
  }
  return out;
}

function horn(prng: Prng): Float32Array {
  const seconds = prng.range(0.25, 0.7);
  const n = Math.round(seconds * RATE);
  const out = new Float32Array(n);
  // Car horns are two notes a third or so apart.
  const hz = [prng.range(380, 440), prng.range(470, 530)];
  const phases = [0, 0];
  for (let i = 0; i < n; i++) {
    let s = 0;
    hz.forEach((f, k) => {
      phases[k] = (phases[k] as number) + f / RATE;
      s += HORN.at(phases[k] as number, f);
    });
    out[i] = 0.5 * s * gate(i / RATE, 0.01, seconds - 0.03, 0.03);
  }
  return out;
}

export function streetBed(seed: number): Bed {
  const prng = new Prng(seed);
  // Cars and horns draw from their own streams, so the sound does not depend on how it is read in pieces.
  const cars = prng.fork(1);
  const horns = prng.fork(3);
  const rumbleNoise = new PinkNoise(prng.fork(2));
  const rumble = [new Biquad('lowpass', 160), new Biquad('lowpass', 220)];
  const hiss = new Biquad('bandpass', 1200, 0.4);
  const wobble = prng.range(0.05, 0.12);
  let nextCar = Math.round(cars.range(0.5, 4) * RATE);
  let nextHorn = Math.round(horns.range(8, 30) * RATE);
  let rumbleAt = 0;
  return timelineBed((tl, until) => {
    while (nextCar < until) {
      tl.add(nextCar, passingCar(cars, cars.range(3, 7)), cars.range(0.5, 1));
      nextCar += Math.round(cars.range(2, 12) * RATE);
    }
    while (nextHorn < until) {
      tl.add(nextHorn, horn(horns), horns.range(0.25, 0.6));
      // Sometimes a second, shorter honk right after.
      if (horns.chance(0.4)) tl.add(nextHorn + Math.round(0.8 * RATE), horn(horns), 0.3);
      nextHorn += Math.round(horns.range(15, 60) * RATE);
    }
    const bed = new Float32Array(until - rumbleAt);
    for (let i = 0; i < bed.length; i++) {
      const t = (rumbleAt + i) / RATE;
      const w = rumbleNoise.next();
      const low = (rumble[1] as Biquad).process((rumble[0] as Biquad).process(w));
      bed[i] = (2.2 * low + 0.05 * hiss.process(w)) * (1 + 0.3 * Math.sin(2 * Math.PI * wobble * t));
    }
    tl.add(rumbleAt, bed);
    rumbleAt = until;
  });
}
