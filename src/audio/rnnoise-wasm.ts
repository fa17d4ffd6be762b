import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// RNNoise (Xiph's recurrent denoiser) as WebAssembly, from @echogarden/rnnoise-wasm: the module is loaded once per
// process and shared by every call (each call has its own state in its heap). 48 kHz, 480-sample frames, samples
// at int16's scale in float; process_frame returns the frame's voice probability.

export const RNNOISE_HZ = 48000;
export const RNNOISE_FRAME = 480;

export interface RnnoiseWasm {
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
  _malloc(n: number): number;
  _free(ptr: number): void;
  /** Take the view each time: the heap is replaced when another call's state makes it grow. */
  HEAPF32: Float32Array;
}

let wasm: Promise<RnnoiseWasm> | undefined;

export function rnnoiseWasm(): Promise<RnnoiseWasm> {
  wasm ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@echogarden/rnnoise-wasm');
    const mod = (await import(pathToFileURL(path).href)) as { default: () => Promise<RnnoiseWasm> };
    return mod.default();
  })();
  return wasm;
}
