// Pure-TypeScript reference of the DSP contract: bit-identical to the addon, used by parity tests and the
// benchmark. Not a production fallback (the loader never selects it).
import type { Dsp } from '../types.js';
import { designResampler } from './design.js';
import { frameFeatures } from './features.js';
import { ReferenceResampler } from './resampler.js';
import { dtmfRender, ReferenceToneDetector } from './tones.js';
import { ulawDecode, ulawEncode } from './ulaw.js';

export { ReferenceResampler } from './resampler.js';
export { designResampler, speechBandTaps } from './design.js';
export { ulawDecode, ulawEncode, ulawEncodeSample, ulawDecodeSample } from './ulaw.js';
export { frameFeatures } from './features.js';
export { dtmfRender, dtmfRenderPcm, ReferenceToneDetector } from './tones.js';

export function createReferenceDsp(): Dsp {
  return {
    ulawEncode: (pcm) => {
      if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array');
      return ulawEncode(pcm);
    },
    ulawDecode: (mulaw) => {
      if (!(mulaw instanceof Uint8Array)) throw new TypeError('mulaw must be a Uint8Array (or Buffer)');
      return ulawDecode(mulaw);
    },
    createResampler: (fromHz, toHz) => new ReferenceResampler(fromHz, toHz),
    frameFeatures,
    setForceScalar: () => {},
    kernels: () => 'ts-reference',
    designTaps: (fromHz, toHz) => designResampler(fromHz, toHz).proto,
    dtmfRender,
    createToneDetector: (opts) => new ReferenceToneDetector(opts),
  };
}
