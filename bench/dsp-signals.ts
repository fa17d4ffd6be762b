// Test signals and measurements shared by the DSP tests and the benchmark's quality figures (bench/ compiles to dist).

export function tone(freqHz: number, rateHz: number, n: number, amp = 0.9 * 32767): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amp * Math.sin((2 * Math.PI * freqHz * i) / rateHz));
  return x;
}

/** Deterministic pseudo-random int16 noise (xorshift), so failures reproduce. */
export function noise(n: number, seed = 12345, amp = 20000): Int16Array {
  let s = seed >>> 0 || 1;
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    x[i] = Math.round(((s / 0xffffffff) * 2 - 1) * amp);
  }
  return x;
}

/** Amplitude of the component at freqHz over the window (single DFT bin; exact bin when the window holds whole cycles). */
export function amplitudeAt(y: Int16Array, start: number, len: number, freqHz: number, rateHz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < len; i++) {
    const w = (2 * Math.PI * freqHz * i) / rateHz;
    re += y[start + i]! * Math.cos(w);
    im -= y[start + i]! * Math.sin(w);
  }
  return (2 * Math.hypot(re, im)) / len;
}

export function rms(y: Int16Array, start = 0, len = y.length - start): number {
  let s = 0;
  for (let i = start; i < start + len; i++) s += y[i]! * y[i]!;
  return Math.sqrt(s / Math.max(1, len));
}

export function equalArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const DB = (ratio: number): number => 20 * Math.log10(ratio);
