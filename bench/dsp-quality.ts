// Resampler quality figures, measured (not computed from the design): passband flatness 300-3400 Hz,
// worst stopband (decimators: total output power for tones ≥ 4.6 kHz; interpolators: the image of each
// in-band tone), and group delay from an impulse. Used by the benchmark and asserted by test/dsp.
import { amplitudeAt, DB, rms, tone } from './dsp-signals.js';
import { joinPcm } from '../src/audio/pcm.js';

/** Anything that streams int16 at fromHz to int16 at toHz (the addon, the TS reference, speex-wasm). */
export type PushFn = (pcm: Int16Array) => Int16Array;

export interface Quality {
  passbandMinDb: number;
  passbandMaxDb: number;
  worstStopbandDb: number;
  worstStopbandHz: number;
  groupDelayMs: number;
}

function runAll(make: () => PushFn, from: number, x: Int16Array): Int16Array {
  const push = make();
  return joinPcm([push(x), push(new Int16Array(Math.round(from / 20)))]); // 50 ms of zeros drains any filter
}

export function measureQuality(make: () => PushFn, from: number, to: number): Quality {
  const n = Math.round(from * 0.5);
  const start = Math.round(to * 0.1);
  const len = Math.round(to * 0.25); // whole cycles of every integer-Hz tone in 4 Hz steps
  const out = (f: number): Int16Array => runAll(make, from, tone(f, from, n));
  const a1k = amplitudeAt(out(1000), start, len, 1000, to);
  let passbandMinDb = Infinity;
  let passbandMaxDb = -Infinity;
  for (let f = 300; f <= 3400; f += 100) {
    const g = DB(amplitudeAt(out(f), start, len, f, to) / a1k);
    passbandMinDb = Math.min(passbandMinDb, g);
    passbandMaxDb = Math.max(passbandMaxDb, g);
  }
  let worstStopbandDb = -Infinity;
  let worstStopbandHz = 0;
  if (to < from) {
    const ref = rms(out(1000), start, len);
    for (let f = 4600; f < from / 2; f += 4 * Math.round(from / 8000) * 37) {
      const g = DB(rms(out(f), start, len) / ref);
      if (g > worstStopbandDb) [worstStopbandDb, worstStopbandHz] = [g, f];
    }
  } else {
    for (let f = 300; f <= 3400; f += 100) {
      const g = DB(amplitudeAt(out(f), start, len, from - f, to) / a1k);
      if (g > worstStopbandDb) [worstStopbandDb, worstStopbandHz] = [g, from - f];
    }
  }
  const imp = new Int16Array(Math.round(from / 10));
  const at = Math.round(from / 100);
  imp[at] = 30000;
  const y = runAll(make, from, imp);
  let peak = 0;
  for (let i = 1; i < y.length; i++) if (Math.abs(y[i]!) > Math.abs(y[peak]!)) peak = i;
  return {
    passbandMinDb,
    passbandMaxDb,
    worstStopbandDb,
    worstStopbandHz,
    groupDelayMs: (peak / to - at / from) * 1000,
  };
}
