// The small synthesiser the background beds are made with (src/sim/noise/): a seeded PRNG, RBJ biquads, band-
// limited wavetables, envelopes and a timeline that sounds of any length are scheduled into. Everything runs at
// the phone line's 8 kHz, so every oscillator is band-limited below 4 kHz by construction (wavetables hold only
// the harmonics that fit), never by filtering aliases away afterwards.

export const RATE = 8000;
export const NYQUIST = RATE / 2;

/** Seeded PRNG (mulberry32): the same seed gives the same bed on every machine. */
export class Prng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo + 1) * this.next());
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  /** White noise in [-1, 1). */
  noise(): number {
    return 2 * this.next() - 1;
  }
  /** An independent stream for one part of a bed, so a change in one part does not reshuffle the others. */
  fork(salt: number): Prng {
    return new Prng(Math.imul((this.next() * 4294967296) >>> 0, 2654435761) ^ salt);
  }
}

export type FilterKind = 'lowpass' | 'highpass' | 'bandpass';

/** RBJ cookbook biquad, transposed direct form II. bandpass has 0 dB gain at the centre. */
export class Biquad {
  #b0 = 1;
  #b1 = 0;
  #b2 = 0;
  #a1 = 0;
  #a2 = 0;
  #z1 = 0;
  #z2 = 0;
  constructor(kind: FilterKind, hz: number, q = Math.SQRT1_2) {
    this.set(kind, hz, q);
  }
  set(kind: FilterKind, hz: number, q = Math.SQRT1_2): void {
    const w = (2 * Math.PI * Math.min(Math.max(hz, 5), NYQUIST * 0.98)) / RATE;
    const cos = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const a0 = 1 + alpha;
    let b0: number, b1: number, b2: number;
    if (kind === 'lowpass') [b0, b1, b2] = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
    else if (kind === 'highpass') [b0, b1, b2] = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
    else [b0, b1, b2] = [alpha, 0, -alpha];
    this.#b0 = b0 / a0;
    this.#b1 = b1 / a0;
    this.#b2 = b2 / a0;
    this.#a1 = (-2 * cos) / a0;
    this.#a2 = (1 - alpha) / a0;
  }
  process(x: number): number {
    const y = this.#b0 * x + this.#z1;
    this.#z1 = this.#b1 * x - this.#a1 * y + this.#z2;
    this.#z2 = this.#b2 * x - this.#a2 * y;
    return y;
  }
  /** Filters `buf` in place. */
  run(buf: Float32Array): Float32Array {
    for (let i = 0; i < buf.length; i++) buf[i] = this.process(buf[i] as number);
    return buf;
  }
}

const TABLE = 2048;

/**
 * One cycle of a harmonic waveform. `at(phase, hz)` leaves out the harmonics above Nyquist for that pitch by
 * using a table built with fewer of them (one table per harmonic count actually needed, made on first use).
 */
export class Wavetable {
  readonly #amps: readonly number[];
  readonly #tables = new Map<number, Float32Array>();
  constructor(amps: readonly number[]) {
    this.#amps = amps;
  }
  /** Harmonic k has amplitude k^-tilt (tilt 1 = sawtooth-like, 2 = soft, like a glottal source), up to `count`. */
  static tilted(count: number, tilt: number, oddOnly = false): Wavetable {
    return new Wavetable(
      Array.from({ length: count }, (_, i) => (oddOnly && (i + 1) % 2 === 0 ? 0 : (i + 1) ** -tilt)),
    );
  }
  #table(n: number): Float32Array {
    let t = this.#tables.get(n);
    if (t === undefined) {
      t = new Float32Array(TABLE + 1);
      let peak = 0;
      for (let i = 0; i <= TABLE; i++) {
        let s = 0;
        for (let k = 1; k <= n; k++) s += (this.#amps[k - 1] as number) * Math.sin((2 * Math.PI * k * i) / TABLE);
        t[i] = s;
        peak = Math.max(peak, Math.abs(s));
      }
      if (peak > 0) for (let i = 0; i <= TABLE; i++) t[i] = (t[i] as number) / peak;
      this.#tables.set(n, t);
    }
    return t;
  }
  /** phase in cycles (any real number). */
  at(phase: number, hz: number): number {
    const n = Math.max(1, Math.min(this.#amps.length, Math.floor((NYQUIST * 0.95) / Math.max(hz, 1))));
    const t = this.#table(n);
    const p = (phase - Math.floor(phase)) * TABLE;
    const i = Math.floor(p);
    const a = t[i] as number;
    return a + ((t[i + 1] as number) - a) * (p - i);
  }
}

/** Linear attack, then exponential decay with time constant `tau` (seconds). */
export const attackDecay = (t: number, attack: number, tau: number): number =>
  t < attack ? t / attack : Math.exp(-(t - attack) / tau);

/** A note gate: linear attack, hold until `length`, linear release after it (all seconds). */
export const gate = (t: number, attack: number, length: number, release: number): number =>
  t < attack ? t / attack : t < length ? 1 : Math.max(0, 1 - (t - length) / release);

export const midiHz = (note: number): number => 440 * 2 ** ((note - 69) / 12);
export const dbToGain = (db: number): number => 10 ** (db / 20);

export function rms(x: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (x[i] as number) ** 2;
  return Math.sqrt(e / Math.max(1, x.length));
}

/** Pink-ish noise (Paul Kellet's economy filter): HVAC and crowd air have a falling spectrum, not white hiss. */
export class PinkNoise {
  #b0 = 0;
  #b1 = 0;
  #b2 = 0;
  constructor(readonly prng: Prng) {}
  next(): number {
    const w = this.prng.noise();
    this.#b0 = 0.99765 * this.#b0 + w * 0.099046;
    this.#b1 = 0.963 * this.#b1 + w * 0.2965164;
    this.#b2 = 0.57 * this.#b2 + w * 1.0526913;
    return (this.#b0 + this.#b1 + this.#b2 + w * 0.1848) * 0.2;
  }
}

/**
 * Sounds scheduled at absolute sample positions and summed; `take` hands out the finished start of the line.
 * A sound may run past the point taken so far (a note's release, a passing car): it is kept until its turn.
 */
export class Timeline {
  #buf = new Float32Array(RATE * 4);
  /** Absolute sample index of #buf[0]. */
  #start = 0;

  /** Adds `x * gain` at absolute sample `at` (never before what was already taken). */
  add(at: number, x: Float32Array, gain = 1): void {
    const off = Math.round(at) - this.#start;
    if (off < 0) throw new Error('timeline: sound scheduled in the past');
    this.#ensure(off + x.length);
    for (let i = 0; i < x.length; i++) this.#buf[off + i] = (this.#buf[off + i] as number) + (x[i] as number) * gain;
  }

  take(n: number): Float32Array {
    this.#ensure(n);
    const out = this.#buf.slice(0, n);
    this.#buf.copyWithin(0, n);
    this.#buf.fill(0, this.#buf.length - n);
    this.#start += n;
    return out;
  }

  #ensure(len: number): void {
    if (len <= this.#buf.length) return;
    const next = new Float32Array(Math.max(len, this.#buf.length * 2));
    next.set(this.#buf);
    this.#buf = next;
  }
}

/** A background bed: consecutive samples at 8 kHz, nominally within ±1, forever. */
export interface Bed {
  read(n: number): Float32Array;
}

/**
 * A bed whose `schedule(tl, until)` adds every sound that starts before absolute sample `until` (it keeps its
 * own cursor); reading n samples schedules up to the end of them first.
 */
export function timelineBed(schedule: (tl: Timeline, until: number) => void): Bed {
  const tl = new Timeline();
  let pos = 0;
  return {
    read(n) {
      schedule(tl, pos + n);
      pos += n;
      return tl.take(n);
    },
  };
}
