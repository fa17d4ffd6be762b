import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import type { WasmModule } from '../../wasm.js';
import { compileFlite, synthesizeLevelled } from './flite-wasi.js';
import { serveSyntheses } from './synthesis-worker.js';

// Worker side of FliteTts: synthesis is synchronous WASM (tens to hundreds of milliseconds per sentence), so it
// runs here, off the event loop that paces every call's audio (synthesis-worker.ts serialises the requests, which
// the flite program needs: it is not reentrant).

export interface FliteRequest {
  args: string[];
  /** Active-speech level to bring the utterance to (dBFS), or null for flite's own. */
  levelDbfs: number | null;
}

const { wasmPath } = (workerData ?? {}) as { wasmPath: string };
let module: WasmModule | undefined;
serveSyntheses<FliteRequest>((req) => {
  module ??= compileFlite(readFileSync(wasmPath));
  return synthesizeLevelled(module, req.args, req.levelDbfs);
});
