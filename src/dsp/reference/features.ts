// Mirror of native/src/features.cc.
import { energyDbfs } from '../level.js';
import { speechBandTaps } from './design.js';

let taps: Int16Array | undefined;

export function frameFeatures(pcm: Int16Array, frameSamples: number): Float32Array {
  if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array');
  if (!Number.isInteger(frameSamples)) throw new TypeError('frameSamples must be an integer');
  if (frameSamples < 2 || frameSamples > 48000) throw new RangeError('frameSamples must be in 2..48000');
  taps ??= speechBandTaps();
  const T = taps.length;
  const frames = Math.floor(pcm.length / frameSamples);
  const out = new Float32Array(frames * 3);
  for (let f = 0; f < frames; f++) {
    const o = f * frameSamples;
    let energy = 0;
    let crossings = 0;
    for (let i = 0; i < frameSamples; i++) energy += pcm[o + i]! * pcm[o + i]!;
    for (let i = 1; i < frameSamples; i++) if (pcm[o + i - 1]! < 0 !== pcm[o + i]! < 0) crossings++;
    let band = 0;
    let same = 0;
    for (let i = T - 1; i < frameSamples; i++) {
      let acc = 0;
      for (let j = 0; j < T; j++) acc += taps[j]! * pcm[o + i - j]!;
      const y = Math.floor(acc / 32768);
      band += y * y;
      same += pcm[o + i]! * pcm[o + i]!;
    }
    out[3 * f] = energyDbfs(energy, frameSamples);
    out[3 * f + 1] = same === 0 ? 0 : Math.min(1, band / same);
    out[3 * f + 2] = frameSamples > 1 ? crossings / (frameSamples - 1) : 0;
  }
  return out;
}
