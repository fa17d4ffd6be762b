// Mirror of native/src/tones.cc, operation for operation: DTMF generation, the DTMF receiver and the steady-tone
// (beep) detector. Integers stay below 2^53 (exact in doubles); the few float steps are the addon's, in its order.
import type { ToneDetection, ToneDetector } from '../types.js';
import { sinpiDet } from './design.js';
import { ulawEncode } from './ulaw.js';

export const DTMF_LOW_HZ = [697, 770, 852, 941] as const;
export const DTMF_HIGH_HZ = [1209, 1336, 1477, 1633] as const;
export const DTMF_KEYS = '123A456B789C*0#D';
export const DTMF_HIGH_AMP = 10118;
export const DTMF_LOW_AMP = 8037;
export const DTMF_MIN_MS = 70;
export const DTMF_MAX_MS = 2000;
export const DTMF_WAIT_MS = 500;
export const DTMF_MAX_KEYS = 64;
/** G.711's digital milliwatt (0 dBm0) as a mean square in our PCM scale (its RMS is 16,017). */
export const DBM0_MEAN_SQUARE = 256537592.0;

const SINE_BITS = 10;
const RAMP = 16;
let sine: Int16Array | undefined;

function sineTable(): Int16Array {
  if (sine) return sine;
  const n = 1 << SINE_BITS;
  sine = new Int16Array(n + 1);
  for (let i = 0; i <= n; i++) sine[i] = Math.floor(32767.0 * sinpiDet((2.0 * i) / n) + 0.5);
  return sine;
}

const phaseStep = (hz: number): number => Math.floor((hz * 4294967296 + 4000) / 8000) >>> 0;

function sineAt(t: Int16Array, phase: number): number {
  const idx = phase >>> (32 - SINE_BITS);
  const frac = (phase >>> 6) & 0xffff;
  const t0 = t[idx]!;
  const d = t[idx + 1]! - t0;
  return t0 + ((d * frac + 32768) >> 16);
}

function renderTone(key: number, n: number, out: Int16Array, at: number): void {
  const t = sineTable();
  const stepLow = phaseStep(DTMF_LOW_HZ[key >> 2]!);
  const stepHigh = phaseStep(DTMF_HIGH_HZ[key & 3]!);
  let pl = 0;
  let ph = 0;
  for (let i = 0; i < n; i++) {
    let s = ((sineAt(t, pl) * DTMF_LOW_AMP + 16384) >> 15) + ((sineAt(t, ph) * DTMF_HIGH_AMP + 16384) >> 15);
    const edge = Math.min(i, n - 1 - i);
    if (edge < RAMP) {
      const gain = Math.trunc(((edge + 1) * 4096) / (RAMP + 1));
      s = (s * gain + 2048) >> 12;
    }
    out[at + i] = s;
    pl = (pl + stepLow) >>> 0;
    ph = (ph + stepHigh) >>> 0;
  }
}

/** Samples of dtmfRenderPcm's output; RangeError for a bad key, duration or length (the addon's messages). */
export function dtmfLength(keys: string, toneMs: number, gapMs: number): number {
  if (typeof keys !== 'string') throw new TypeError('keys must be a string');
  for (const [v, what] of [
    [toneMs, 'toneMs'],
    [gapMs, 'gapMs'],
  ] as const)
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer`);
  if (toneMs < DTMF_MIN_MS || toneMs > DTMF_MAX_MS || gapMs < DTMF_MIN_MS || gapMs > DTMF_MAX_MS)
    throw new RangeError(`tone and gap must each be ${DTMF_MIN_MS}..${DTMF_MAX_MS} ms`);
  const bad = new RangeError(`keys must be 1..${DTMF_MAX_KEYS} of 0-9 * # A-D w`);
  if (keys.length === 0 || keys.length > DTMF_MAX_KEYS) throw bad;
  let n = 0;
  for (const c of keys) {
    if (c === 'w') n += DTMF_WAIT_MS * 8;
    else if (DTMF_KEYS.includes(c)) n += (toneMs + gapMs) * 8;
    else throw bad;
  }
  return n;
}

/** Each key a tone of toneMs then gapMs of silence ('w': half a second of silence), 16-bit PCM at 8 kHz. */
export function dtmfRenderPcm(keys: string, toneMs: number, gapMs: number): Int16Array {
  const out = new Int16Array(dtmfLength(keys, toneMs, gapMs));
  let at = 0;
  for (const c of keys) {
    if (c === 'w') {
      at += DTMF_WAIT_MS * 8;
      continue;
    }
    renderTone(DTMF_KEYS.indexOf(c), toneMs * 8, out, at);
    at += (toneMs + gapMs) * 8;
  }
  return out;
}

export function dtmfRender(keys: string, toneMs: number, gapMs: number): Uint8Array {
  return ulawEncode(dtmfRenderPcm(keys, toneMs, gapMs));
}

// ---- DTMF receiver (constants: native/src/tones.cc says why each is what it is) ------------------------------------

export const DTMF_WINDOW = 205;
export const DTMF_HOP = 102;
const MIN_TONE_MS = DBM0_MEAN_SQUARE * 0.001;
const MAX_HIGH_OVER_LOW = 2.51188643150958;
const MIN_HIGH_OVER_LOW = 0.158489319246111;
const GROUP_MARGIN = 4.0;
const MIN_SHARE = 0.8;
const MAX_HARMONIC = 0.158489319246111;

const OFFSETS = [-0.015, 0.0, 0.015] as const;
const goertzelCoef = (hz: number): number => Math.floor(2.0 * sinpiDet(0.5 - (2.0 * hz) / 8000.0) * 16384.0 + 0.5);
let coefs: { tone: number[][]; harmonic: number[][] } | undefined;

function dtmfCoefs(): { tone: number[][]; harmonic: number[][] } {
  if (coefs) return coefs;
  const freqs = [...DTMF_LOW_HZ, ...DTMF_HIGH_HZ];
  coefs = {
    tone: freqs.map((f) => OFFSETS.map((o) => goertzelCoef(f * (1.0 + o)))),
    harmonic: freqs.map((f) => OFFSETS.map((o) => goertzelCoef(2.0 * (f * (1.0 + o))))),
  };
  return coefs;
}

function goertzel(w: Int16Array, n: number, coef: number): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s = w[i]! + Math.floor((coef * s1) / 16384) - s2;
    s2 = s1;
    s1 = s;
  }
  const cd = coef / 16384.0;
  const power = s1 * s1 + s2 * s2 - cd * s1 * s2;
  return (2.0 * power) / (n * n);
}

function strongest(m: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < 4; i++) if (m[i]! > m[best]!) best = i;
  return best;
}

const standsOut = (m: readonly number[], best: number): boolean =>
  m.every((v, i) => i === best || !(v * GROUP_MARGIN > m[best]!));

/** The key (0..15 into DTMF_KEYS) one 205-sample window holds, or -1. */
export function classifyDtmfWindow(w: Int16Array): number {
  let energy = 0;
  for (let i = 0; i < DTMF_WINDOW; i++) energy += w[i]! * w[i]!;
  const meanSquare = energy / DTMF_WINDOW;
  if (meanSquare < 2.0 * MIN_TONE_MS) return -1;
  const k = dtmfCoefs();
  const level: number[] = [];
  const offset: number[] = [];
  for (let i = 0; i < 8; i++) {
    level.push(-1);
    offset.push(1);
    for (let j = 0; j < OFFSETS.length; j++) {
      const m = goertzel(w, DTMF_WINDOW, k.tone[i]![j]!);
      if (m > level[i]!) {
        level[i] = m;
        offset[i] = j;
      }
    }
  }
  const low = level.slice(0, 4);
  const high = level.slice(4);
  const r = strongest(low);
  const c = strongest(high);
  const lr = low[r]!;
  const hc = high[c]!;
  if (lr < MIN_TONE_MS || hc < MIN_TONE_MS) return -1;
  if (hc > lr * MAX_HIGH_OVER_LOW || hc < lr * MIN_HIGH_OVER_LOW) return -1;
  if (!standsOut(low, r) || !standsOut(high, c)) return -1;
  if (lr + hc < MIN_SHARE * meanSquare) return -1;
  if (goertzel(w, DTMF_WINDOW, k.harmonic[r]![offset[r]!]!) > MAX_HARMONIC * lr) return -1;
  if (goertzel(w, DTMF_WINDOW, k.harmonic[4 + c]![offset[4 + c]!]!) > MAX_HARMONIC * hc) return -1;
  return r * 4 + c;
}

class DtmfReceiver {
  readonly #buf = new Int16Array(DTMF_WINDOW + DTMF_HOP);
  #fill = 0;
  #windowStart = 0;
  #key = -1;
  #hits = 0;
  #misses = 0;
  #start = 0;
  #end = 0;

  push(x: Int16Array, out: ToneDetection[]): void {
    for (let i = 0; i < x.length; i++) {
      this.#buf[this.#fill++] = x[i]!;
      if (this.#fill < DTMF_WINDOW) continue;
      this.#windowResult(classifyDtmfWindow(this.#buf), out);
      this.#buf.copyWithin(0, DTMF_HOP, DTMF_WINDOW);
      this.#fill = DTMF_WINDOW - DTMF_HOP;
      this.#windowStart += DTMF_HOP;
    }
  }

  #windowResult(key: number, out: ToneDetection[]): void {
    if (key >= 0 && key === this.#key) {
      this.#hits++;
      this.#misses = 0;
      this.#end = this.#windowStart + DTMF_WINDOW;
      return;
    }
    if (this.#key >= 0 && key < 0 && ++this.#misses < 3) return;
    if (this.#key >= 0 && this.#hits >= 2)
      out.push({
        kind: 'dtmf',
        digit: DTMF_KEYS[this.#key]!,
        startSample: this.#start,
        samples: this.#end - this.#start,
      });
    this.#key = key;
    this.#hits = key >= 0 ? 1 : 0;
    this.#misses = 0;
    this.#start = this.#windowStart;
    this.#end = this.#windowStart + DTMF_WINDOW;
  }
}

// ---- steady tones -------------------------------------------------------------------------------------------------

export const BEEP_BLOCK = 80;
export const BEEP_MIN_BLOCKS = 12;
const BEEP_MIN_MS = DBM0_MEAN_SQUARE * 0.000316227766016838;
const MAX_RESIDUAL = 0.01;
const FREQ_TOL = 2.0 * ((2.0 * 3.141592653589793 * 5.0) / 8000.0);
const MIN_LEVEL = 0.707945784384138;
const MAX_LEVEL = 1.41253754462275;
const MAX_ENVELOPE_SPREAD = 1.25;
const twoCos = (hz: number): number => 2.0 * sinpiDet(0.5 - (2.0 * hz) / 8000.0);

class BeepDetector {
  #prev1 = 0;
  #prev2 = 0;
  #pos = 0;
  #sample = 0;
  #a = 0;
  #b = 0;
  #c = 0;
  #e = 0;
  readonly #envelope = [0, 0, 0, 0];
  #runBlocks = 0;
  #runStart = 0;
  #runCosSum = 0;
  #runEnergySum = 0;
  static #cosLo = twoCos(2040.0);
  static #cosHi = twoCos(392.0);

  push(x: Int16Array, out: ToneDetection[]): void {
    for (let i = 0; i < x.length; i++) {
      const s = x[i]!;
      const a = s + this.#prev2;
      const b = this.#prev1;
      this.#a += a * a;
      this.#b += b * a;
      this.#c += b * b;
      this.#e += s * s;
      const q = Math.trunc(this.#pos / (BEEP_BLOCK / 4));
      this.#envelope[q] = this.#envelope[q]! + (b * b - s * this.#prev2);
      this.#prev2 = this.#prev1;
      this.#prev1 = s;
      this.#sample++;
      if (++this.#pos === BEEP_BLOCK) this.#blockDone(out);
    }
  }

  #blockDone(out: ToneDetection[]): void {
    const energy = this.#e;
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const env = this.#envelope;
    const envMin = Math.min(...env);
    const envMax = Math.max(...env);
    this.#a = this.#b = this.#c = this.#e = 0;
    env.fill(0);
    this.#pos = 0;
    let tonal = energy >= BEEP_MIN_MS * BEEP_BLOCK && c > 0 && envMin > 0 && envMax <= MAX_ENVELOPE_SPREAD * envMin;
    let k = 0;
    if (tonal) {
      k = b / c;
      const residual = a - (b * b) / c;
      tonal = k >= BeepDetector.#cosLo && k <= BeepDetector.#cosHi && residual <= MAX_RESIDUAL * energy;
    }
    if (!tonal) return this.#endRun(out);
    if (this.#runBlocks > 0) {
      const meanCos = this.#runCosSum / this.#runBlocks;
      const meanEnergy = this.#runEnergySum / this.#runBlocks;
      const sinW = Math.sqrt(1.0 - (meanCos * meanCos) / 4.0);
      const dc = k - meanCos;
      const steady =
        (dc < 0 ? -dc : dc) <= FREQ_TOL * sinW && energy >= MIN_LEVEL * meanEnergy && energy <= MAX_LEVEL * meanEnergy;
      if (!steady) this.#endRun(out);
    }
    if (this.#runBlocks === 0) this.#runStart = this.#sample - BEEP_BLOCK;
    this.#runBlocks++;
    this.#runCosSum += k;
    this.#runEnergySum += energy;
  }

  #endRun(out: ToneDetection[]): void {
    if (this.#runBlocks >= BEEP_MIN_BLOCKS)
      out.push({
        kind: 'tone',
        cosine: this.#runCosSum / this.#runBlocks / 2.0,
        startSample: this.#runStart,
        samples: this.#runBlocks * BEEP_BLOCK,
      });
    this.#runBlocks = 0;
    this.#runCosSum = 0;
    this.#runEnergySum = 0;
  }
}

export class ReferenceToneDetector implements ToneDetector {
  readonly #dtmf: DtmfReceiver | undefined;
  readonly #beep: BeepDetector | undefined;
  constructor(opts: { dtmf: boolean; beep: boolean }) {
    this.#dtmf = opts.dtmf ? new DtmfReceiver() : undefined;
    this.#beep = opts.beep ? new BeepDetector() : undefined;
  }
  push(pcm: Int16Array): ToneDetection[] | null {
    if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array');
    const out: ToneDetection[] = [];
    this.#dtmf?.push(pcm, out);
    this.#beep?.push(pcm, out);
    return out.length === 0 ? null : out;
  }
}
