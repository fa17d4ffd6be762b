// Mirror of native/src/design.cc, operation for operation, so the quantised coefficients are identical
// (only IEEE + - * / sqrt floor, same order; JS never fuses multiply-adds).

export const COEF_SHIFT = 21;
const PI = 3.141592653589793;
const STOPBAND_DB = 105.0;
const MAX_L = 1024;

export interface PolyphaseDesign {
  L: number;
  M: number;
  K: number;
  proto: Int32Array;
  hi: Int16Array;
  lo: Int16Array;
  groupDelayMs: number;
}

export function sinpiDet(x: number): number {
  const k = Math.floor(x + 0.5);
  const r = x - k;
  const t = r * PI;
  const t2 = t * t;
  let s = 1.0;
  for (let i = 27; i >= 3; i -= 2) s = 1.0 - (s * t2) / ((i - 1) * i);
  s = s * t;
  return k % 2 !== 0 ? -s : s;
}

export function besselI0Det(x: number): number {
  let sum = 1.0;
  let term = 1.0;
  for (let k = 1; k <= 50; k++) {
    const q = x / (2 * k);
    term = term * q * q;
    sum = sum + term;
  }
  return sum;
}

function sincDet(x: number): number {
  if (x === 0) return 1.0;
  return sinpiDet(x) / (PI * x);
}

function kaiserDet(n: number, N: number, beta: number, i0beta: number): number {
  const r = (2.0 * n) / (N - 1) - 1.0;
  const arg = beta * Math.sqrt(1.0 - r * r);
  return besselI0Det(arg) / i0beta;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Throws RangeError for unsupported rates (same rules as the addon). */
export function designResampler(fromHz: number, toHz: number): PolyphaseDesign {
  if (!Number.isInteger(fromHz) || !Number.isInteger(toHz)) throw new TypeError('sample rates must be integers');
  if (fromHz < 4000 || fromHz > 192000 || toHz < 4000 || toHz > 192000) {
    throw new RangeError(`sample rates must be between 4000 and 192000 Hz (got ${fromHz} -> ${toHz})`);
  }
  if (fromHz === toHz) throw new RangeError('fromHz and toHz are equal: nothing to resample');
  const g = gcd(fromHz, toHz);
  const L = toHz / g;
  const M = fromHz / g;
  if (L > MAX_L) throw new RangeError(`rate ratio ${fromHz}/${toHz} needs ${L} phases (max ${MAX_L})`);
  const minRate = Math.min(fromHz, toHz);
  const fpass = 0.425 * minRate;
  const fstop = 0.575 * minRate;
  const fc = 0.5 * minRate;
  const dw = (2.0 * PI * (fstop - fpass)) / fromHz;
  const kNeeded = Math.trunc(Math.ceil((STOPBAND_DB - 7.95) / (2.285 * dw))) + 1;
  const K = Math.trunc((kNeeded + 15) / 16) * 16;
  const N = K * L;
  const F = fromHz * L;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const i0beta = besselI0Det(beta);
  const bw = (2.0 * fc) / F;
  const c = (N - 1) / 2.0;
  const gain = L;
  const proto = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const h = gain * bw * sincDet(bw * (n - c)) * kaiserDet(n, N, beta, i0beta);
    proto[n] = Math.floor(h * 2097152.0 + 0.5);
  }
  for (let p = 0; p < L; p++) {
    let sum = 0;
    let best = p;
    for (let k = 0; k < K; k++) {
      const idx = p + k * L;
      sum += proto[idx]!;
      if (Math.abs(proto[idx]!) > Math.abs(proto[best]!)) best = idx;
    }
    const fix = 2 ** COEF_SHIFT - sum;
    const mirror = N - 1 - best;
    if (L === 1 && mirror !== best) {
      // Plain decimator: the fix-up is split over the tap and its mirror so the filter stays symmetric.
      const half = Math.floor(fix / 2);
      proto[best]! += half;
      proto[mirror]! += fix - half;
    } else {
      proto[best]! += fix;
    }
  }
  const hi = new Int16Array(L * K);
  const lo = new Int16Array(L * K);
  for (let p = 0; p < L; p++) {
    for (let j = 0; j < K; j++) {
      const cq = proto[p + (K - 1 - j) * L]!;
      const h = (cq + 64) >> 7;
      hi[p * K + j] = h;
      lo[p * K + j] = cq - h * 128;
    }
  }
  return { L, M, K, proto, hi, lo, groupDelayMs: ((N - 1) / 2.0 / F) * 1000.0 };
}

/** 31-tap 300-3400 Hz band-pass at 8 kHz, Q15 (mirror of speech_band_taps). */
export function speechBandTaps(): Int16Array {
  const N = 31;
  const beta = 5.0;
  const i0beta = besselI0Det(beta);
  const c = (N - 1) / 2.0;
  const bHi = (2.0 * 3400.0) / 8000.0;
  const bLo = (2.0 * 300.0) / 8000.0;
  const t = new Int16Array(N);
  for (let n = 0; n < N; n++) {
    const x = n - c;
    const h = (bHi * sincDet(bHi * x) - bLo * sincDet(bLo * x)) * kaiserDet(n, N, beta, i0beta);
    t[n] = Math.floor(h * 32768.0 + 0.5);
  }
  return t;
}
