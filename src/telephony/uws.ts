import { createRequire } from 'node:module';
import type * as UwsTypes from 'uWebSockets.js';
import { AppError } from '../errors.js';

export type Uws = typeof UwsTypes;

// The trufflesuite build (src/uws.js) requires binaries/uws_<platform>_<arch>_<abi>.node and, if that throws
// or UWS_USE_FALLBACK is set, silently returns a pure-JS shim built on `ws` (dist/index.js). The shim exports only
// {_cfg, us_listen_socket_close, us_socket_local_port, App, default}; the native addon has SSLApp, getParts and
// the compressor constants and no `default`. That is the signal we check.

export function isNativeUws(mod: unknown): boolean {
  if (typeof mod !== 'object' || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return typeof m.SSLApp === 'function' && typeof m.getParts === 'function' && !('default' in m);
}

export interface LoadUwsOptions {
  /** Config UWS_USE_FALLBACK is set (the package reads it itself; here it only explains the refusal). */
  readonly fallbackRequested?: boolean | undefined;
}

/** Loads uWebSockets.js and refuses the ws fallback. No import-time side effects: call it at start-up. */
export function loadUws(opts: LoadUwsOptions = {}): Uws {
  const require = createRequire(import.meta.url);
  const mod: unknown = require('uWebSockets.js');
  if (!isNativeUws(mod)) {
    const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
    const why = opts.fallbackRequested
      ? 'UWS_USE_FALLBACK is set'
      : `its native binary ${binary} did not load (unsupported platform or Node ABI)`;
    throw new AppError(
      'UWS_NATIVE_MISSING',
      `uWebSockets.js fell back to its slow ws shim because ${why}. Refusing to start: run on Node 20 ` +
        `(ABI 115) on linux x64/arm64, unset UWS_USE_FALLBACK, and reinstall dependencies if the binary is missing.`,
    );
  }
  return mod as Uws;
}
