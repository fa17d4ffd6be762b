// Loader for the native DSP addon. It never falls back to the TS reference silently: a missing or broken
// build is a deployment error, and it says what was tried and how to fix it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Dsp, Resampler, ResamplerInfo, ToneDetector } from './types.js';

export type { Dsp, Resampler, ResamplerInfo, ToneDetection, ToneDetector } from './types.js';
export { SUPPORTED_RATES } from './types.js';
export { energyDbfs, log10Det } from './level.js';
export { toneHz } from './tones.js';

export interface LoadDspOptions {
  /** A gym_dsp.node file tried first (config DSP_ADDON_PATH). */
  path?: string | undefined;
  /** Force the scalar kernels (config DSP_FORCE_SCALAR). */
  forceScalar?: boolean | undefined;
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
  frameFeatures(pcm: Int16Array, frameSamples: number, out: Float32Array, offset: number): number;
  setForceScalar(on: boolean): void;
  kernels(): string;
  bestKernels(): string;
  designTaps(fromHz: number, toHz: number): Int32Array;
  Resampler: new (fromHz: number, toHz: number) => NativeResampler;
  dtmfRender(keys: string, toneMs: number, gapMs: number): Uint8Array;
  ToneDetector: new (dtmf: boolean, beep: boolean) => ToneDetector;
  trimMemory(): boolean;
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
  const root = packageRoot();
  const list: string[] = [];
  if (opts.path) list.push(opts.path);
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
      if (typeof addon.ToneDetector !== 'function' || typeof addon.dtmfRender !== 'function') {
        tried.push(`${p} (loaded, but it is an older build without DTMF and tone detection: rebuild it)`);
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

/**
 * Gives the C heap's freed memory back to the system (the addon's trimMemory, glibc's malloc_trim): for the
 * moment after much was freed, a decoding thread stopped. False when nothing was returned, the C library keeps no
 * such memory (musl), or the addon is not built (the TS reference DSP) or older than this function.
 */
export function returnFreedMemory(opts: LoadDspOptions = {}): boolean {
  try {
    const addon = loadNative(opts);
    return typeof addon.trimMemory === 'function' && addon.trimMemory();
  } catch {
    return false;
  }
}

const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_BYTES = SLAB_BYTES / 8;

/**
 * Chunk outputs are carved from 64 kB slabs (like Buffer.allocUnsafe's pool): a V8 ArrayBuffer allocation per
 * 20 ms chunk costs more than the DSP itself. Returned arrays never overlap; a slab lives while any view does.
 * Callers `reserve` room, let the addon write at the returned offset (into `i16`/`u8`, read after reserving),
 * then `take` the written part; no closure or temporary is allocated per chunk.
 */
class Slab {
  buf = new ArrayBuffer(SLAB_BYTES);
  i16 = new Int16Array(this.buf);
  u8 = new Uint8Array(this.buf);
  f32 = new Float32Array(this.buf);
  private off = 0;

  /** Byte offset of `bytes` free bytes (8-aligned); starts a new slab when this one is full. */
  reserve(bytes: number): number {
    if (this.off + bytes > SLAB_BYTES) {
      this.buf = new ArrayBuffer(SLAB_BYTES);
      this.i16 = new Int16Array(this.buf);
      this.u8 = new Uint8Array(this.buf);
      this.f32 = new Float32Array(this.buf);
      this.off = 0;
    }
    return this.off;
  }

  takeInt16(start: number, n: number): Int16Array {
    this.off = start + ((n * 2 + 7) & ~7);
    return new Int16Array(this.buf, start, n);
  }

  takeUint8(start: number, n: number): Uint8Array {
    this.off = start + ((n + 7) & ~7);
    return new Uint8Array(this.buf, start, n);
  }

  takeFloat32(start: number, n: number): Float32Array {
    this.off = start + ((n * 4 + 7) & ~7);
    return new Float32Array(this.buf, start, n);
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
    const s = this.slab;
    const at = s.reserve(max * 2);
    return s.takeInt16(at, this.r.push(pcm, s.i16, at >> 1));
  }
  pushBytes(s16le: Uint8Array): Int16Array {
    const max = this.bound((s16le.length >> 1) + 1);
    if (!(s16le instanceof Uint8Array) || max * 2 > SLAB_MAX_BYTES) return this.r.pushBytes(s16le);
    const s = this.slab;
    const at = s.reserve(max * 2);
    return s.takeInt16(at, this.r.pushBytes(s16le, s.i16, at >> 1));
  }
  pushUlaw(pcm: Int16Array): Uint8Array {
    const max = this.bound(pcm.length);
    if (!(pcm instanceof Int16Array) || max > SLAB_MAX_BYTES) return this.r.pushUlaw(pcm);
    const s = this.slab;
    const at = s.reserve(max);
    return s.takeUint8(at, this.r.pushUlaw(pcm, s.u8, at));
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
    ulawEncode: (pcm) => {
      if (!(pcm instanceof Int16Array) || pcm.length > SLAB_MAX_BYTES) return n.ulawEncode(pcm);
      const at = slab.reserve(pcm.length);
      return slab.takeUint8(at, n.ulawEncode(pcm, slab.u8, at));
    },
    ulawDecode: (mulaw) => {
      if (!(mulaw instanceof Uint8Array) || mulaw.length * 2 > SLAB_MAX_BYTES) return n.ulawDecode(mulaw);
      const at = slab.reserve(mulaw.length * 2);
      return slab.takeInt16(at, n.ulawDecode(mulaw, slab.i16, at >> 1));
    },
    createResampler: (fromHz, toHz) => new NativeResamplerAdapter(n.Resampler, fromHz, toHz, slab),
    frameFeatures: (pcm, frameSamples) => {
      // Anything the slab route cannot size goes straight to the addon, which throws the precise error.
      if (!(pcm instanceof Int16Array) || !(frameSamples >= 2)) return n.frameFeatures(pcm, frameSamples);
      const bytes = Math.floor(pcm.length / frameSamples) * 12;
      if (bytes > SLAB_MAX_BYTES) return n.frameFeatures(pcm, frameSamples);
      const at = slab.reserve(bytes);
      return slab.takeFloat32(at, n.frameFeatures(pcm, frameSamples, slab.f32, at >> 2));
    },
    setForceScalar: (on) => n.setForceScalar(on),
    kernels: () => n.kernels(),
    designTaps: (fromHz, toHz) => n.designTaps(fromHz, toHz),
    dtmfRender: (keys, toneMs, gapMs) => n.dtmfRender(keys, toneMs, gapMs),
    createToneDetector: (opts) => new n.ToneDetector(opts.dtmf, opts.beep),
  };
}
