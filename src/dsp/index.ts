// Loader for the native DSP addon. It never falls back to the TS reference silently: a missing or broken
// build is a deployment error, and it says what was tried and how to fix it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Dsp, Resampler, ResamplerInfo } from './types.js';

export type { Dsp, Resampler, ResamplerInfo } from './types.js';
export { SUPPORTED_RATES } from './types.js';

export interface LoadDspOptions {
  /** Explicit path to a gym_dsp.node file (tried first). */
  path?: string;
  /** Force the scalar kernels (config DSP_FORCE_SCALAR). */
  forceScalar?: boolean;
  /** Overrides the environment lookup of DSP_ADDON_PATH (tests). */
  env?: Record<string, string | undefined>;
}

// Producing calls take an optional output array and element offset; with them they write there and return the count.
interface NativeResampler {
  push(pcm: Int16Array): Int16Array;
  push(pcm: Int16Array, out: Int16Array, offset: number): number;
  pushBytes(b: Uint8Array): Int16Array;
  pushBytes(b: Uint8Array, out: Int16Array, offset: number): number;
  pushUlaw(pcm: Int16Array): Uint8Array;
  pushUlaw(pcm: Int16Array, out: Uint8Array, offset: number): number;
  flush(): Int16Array;
  info(): ResamplerInfo;
}

export interface NativeAddon {
  ulawEncode(pcm: Int16Array): Uint8Array;
  ulawEncode(pcm: Int16Array, out: Uint8Array, offset: number): number;
  ulawDecode(mulaw: Uint8Array): Int16Array;
  ulawDecode(mulaw: Uint8Array, out: Int16Array, offset: number): number;
  frameFeatures(pcm: Int16Array, frameSamples: number): Float32Array;
  setForceScalar(on: boolean): void;
  kernels(): string;
  bestKernels(): string;
  designTaps(fromHz: number, toHz: number): Int32Array;
  Resampler: new (fromHz: number, toHz: number) => NativeResampler;
}

const ADDON_FILE = 'gym_dsp.node';

/** The package root: the nearest ancestor holding binding.gyp (works from src/ and from dist/src/). */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    dir = up;
  }
}

/** Candidate addon paths in the order they are tried. */
export function addonCandidates(opts: LoadDspOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const root = packageRoot();
  const list: string[] = [];
  if (opts.path) list.push(opts.path);
  if (env.DSP_ADDON_PATH) list.push(env.DSP_ADDON_PATH);
  list.push(
    join(root, 'build', 'Release', ADDON_FILE), // node-gyp (npm install) and cmake-js default
    join(root, 'build', 'Debug', ADDON_FILE),
    join(root, 'build-cmake', 'Release', ADDON_FILE), // cmake-js --out build-cmake
    join(root, 'build-cmake', ADDON_FILE),
  );
  return list;
}

let cached: { path: string; addon: NativeAddon } | undefined;

function loadNative(opts: LoadDspOptions): NativeAddon {
  if (cached && (!opts.path || cached.path === opts.path)) return cached.addon;
  const { path, addon } = loadAddonFrom(addonCandidates(opts));
  cached = { path, addon };
  return addon;
}

/** Tries each candidate in order; throws one AppError listing every attempt and the fix. */
export function loadAddonFrom(candidates: string[]): { path: string; addon: NativeAddon } {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const p of candidates) {
    if (!existsSync(p)) {
      tried.push(`${p} (not found)`);
      continue;
    }
    try {
      const addon = require(p) as NativeAddon;
      if (typeof addon.Resampler !== 'function' || typeof addon.ulawEncode !== 'function') {
        tried.push(`${p} (loaded, but it is not the gym DSP addon)`);
        continue;
      }
      return { path: p, addon };
    } catch (e) {
      tried.push(`${p} (failed to load: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  throw new AppError(
    'ADDON_LOAD_FAILED',
    `native DSP addon ${ADDON_FILE} could not be loaded. Tried:\n  ${tried.join('\n  ')}\n` +
      `Fix: run 'npm install' (or 'npx node-gyp rebuild') in ${packageRoot()} to build it (needs g++, make, python3 ` +
      `and Node's headers), or set DSP_ADDON_PATH to a built ${ADDON_FILE} for this platform (${process.platform}-${process.arch}, ` +
      `Node ${process.versions.node}).`,
  );
}

const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_BYTES = SLAB_BYTES / 8;

/**
 * Chunk outputs are carved from 64 kB slabs (like Buffer.allocUnsafe's pool): a V8 ArrayBuffer allocation per
 * 20 ms chunk costs more than the DSP itself. Returned arrays never overlap; a slab lives while any view does.
 */
class Slab {
  private buf = new ArrayBuffer(SLAB_BYTES);
  private i16 = new Int16Array(this.buf);
  private u8 = new Uint8Array(this.buf);
  private off = 0;

  /** `fill(slab, elementOffset)` writes at most maxLen samples and returns the count; returns a view of them. */
  int16(maxLen: number, fill: (out: Int16Array, offset: number) => number): Int16Array {
    const start = this.reserve(maxLen * 2);
    const buf = this.buf;
    const n = fill(this.i16, start >> 1);
    this.off = start + ((n * 2 + 7) & ~7);
    return new Int16Array(buf, start, n);
  }

  uint8(maxLen: number, fill: (out: Uint8Array, offset: number) => number): Uint8Array {
    const start = this.reserve(maxLen);
    const buf = this.buf;
    const n = fill(this.u8, start);
    this.off = start + ((n + 7) & ~7);
    return new Uint8Array(buf, start, n);
  }

  private reserve(bytes: number): number {
    if (this.off + bytes > SLAB_BYTES) {
      this.buf = new ArrayBuffer(SLAB_BYTES);
      this.i16 = new Int16Array(this.buf);
      this.u8 = new Uint8Array(this.buf);
      this.off = 0;
    }
    return this.off;
  }
}

class NativeResamplerAdapter implements Resampler {
  private readonly r: NativeResampler;
  private readonly L: number;
  private readonly M: number;
  constructor(
    Ctor: NativeAddon['Resampler'],
    readonly fromHz: number,
    readonly toHz: number,
    private readonly slab: Slab,
  ) {
    this.r = new Ctor(fromHz, toHz);
    const i = this.r.info();
    this.L = i.phases;
    this.M = i.decimation;
  }
  /** Upper bound of outputs for n more input samples (the addon checks the exact count). */
  private bound(n: number): number {
    return Math.ceil((n * this.L) / this.M) + 1;
  }
  push(pcm: Int16Array): Int16Array {
    const max = this.bound(pcm.length);
    if (!(pcm instanceof Int16Array) || max * 2 > SLAB_MAX_BYTES) return this.r.push(pcm);
    return this.slab.int16(max, (out, at) => this.r.push(pcm, out, at));
  }
  pushBytes(s16le: Uint8Array): Int16Array {
    const max = this.bound((s16le.length >> 1) + 1);
    if (!(s16le instanceof Uint8Array) || max * 2 > SLAB_MAX_BYTES) return this.r.pushBytes(s16le);
    return this.slab.int16(max, (out, at) => this.r.pushBytes(s16le, out, at));
  }
  pushUlaw(pcm: Int16Array): Uint8Array {
    const max = this.bound(pcm.length);
    if (!(pcm instanceof Int16Array) || max > SLAB_MAX_BYTES) return this.r.pushUlaw(pcm);
    return this.slab.uint8(max, (out, at) => this.r.pushUlaw(pcm, out, at));
  }
  flush(): Int16Array {
    return this.r.flush();
  }
  info(): ResamplerInfo {
    return this.r.info();
  }
}

/** Loads the native addon (once per process) and returns the DSP API. Throws AppError ADDON_LOAD_FAILED. */
export function loadDsp(opts: LoadDspOptions = {}): Dsp {
  const n = loadNative(opts);
  if (opts.forceScalar !== undefined) n.setForceScalar(opts.forceScalar);
  const slab = new Slab();
  return {
    ulawEncode: (pcm) =>
      pcm instanceof Int16Array && pcm.length <= SLAB_MAX_BYTES
        ? slab.uint8(pcm.length, (out, at) => n.ulawEncode(pcm, out, at))
        : n.ulawEncode(pcm),
    ulawDecode: (mulaw) =>
      mulaw instanceof Uint8Array && mulaw.length * 2 <= SLAB_MAX_BYTES
        ? slab.int16(mulaw.length, (out, at) => n.ulawDecode(mulaw, out, at))
        : n.ulawDecode(mulaw),
    createResampler: (fromHz, toHz) => new NativeResamplerAdapter(n.Resampler, fromHz, toHz, slab),
    frameFeatures: (pcm, frameSamples) => n.frameFeatures(pcm, frameSamples),
    setForceScalar: (on) => n.setForceScalar(on),
    kernels: () => n.kernels(),
    designTaps: (fromHz, toHz) => n.designTaps(fromHz, toHz),
  };
}
