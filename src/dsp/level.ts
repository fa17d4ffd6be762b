// The one floating-point step of the VAD energy feature, in TypeScript, bit-identical to the addon
// (native/src/features.cc with log10_det in design.cc): code that computes a frame's level itself (e.g. to
// skip the band filter on quiet frames) gets exactly the float the addon's frameFeatures reports.

const FLOOR_DB = -120;
const FULL_SCALE_SQ = 32768 * 32768;
const f64 = new DataView(new ArrayBuffer(8));

/**
 * log10 of a positive normal number from IEEE + - * / only (frexp from the bits, then an atanh series), the
 * same operations in the same order as native log10_det: Math.log10 and libm's log10 may differ in the last bit.
 */
export function log10Det(v: number): number {
  f64.setFloat64(0, v);
  const hi = f64.getUint32(0);
  let e = ((hi >>> 20) & 0x7ff) - 1022;
  f64.setUint32(0, (hi & 0x800fffff) | (1022 << 20));
  let m = f64.getFloat64(0); // v = m * 2^e, m in [0.5, 1)
  if (m < 0.7071067811865476) {
    m = m * 2.0;
    e = e - 1;
  }
  const s = (m - 1.0) / (m + 1.0);
  const s2 = s * s;
  let sum = 1.0 / 25.0;
  for (let k = 11; k >= 0; k--) sum = sum * s2 + 1.0 / (2 * k + 1);
  const ln = e * 0.6931471805599453 + 2.0 * s * sum;
  return ln / 2.302585092994046;
}

/** Energy in dBFS (float32, floor -120) of a frame whose sum of squared samples is `energy` (an exact integer). */
export function energyDbfs(energy: number, frameSamples: number): number {
  if (energy === 0) return FLOOR_DB;
  return Math.fround(Math.max(FLOOR_DB, 10 * log10Det(energy / frameSamples / FULL_SCALE_SQ)));
}
