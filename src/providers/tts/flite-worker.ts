import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WasmModule } from '../../wasm.js';
import { compileFlite, synthesizeLevelled } from './flite-wasi.js';

// Worker side of FliteTts: synthesis is synchronous WASM (tens to hundreds of milliseconds per sentence), so it
// runs here, off the event loop that paces every call's audio. Requests are handled one at a time in arrival
// order, which also serialises the flite program (it is not reentrant).

export interface FliteRequest {
  id: number;
  args: string[];
  /** Active-speech level to bring the utterance to (dBFS), or null for flite's own. */
  levelDbfs: number | null;
}
export type FliteResponse =
  { id: number; ok: true; sampleRate: number; pcm: Uint8Array } | { id: number; ok: false; error: string };

const port = parentPort;
if (port) {
  const { wasmPath } = workerData as { wasmPath: string };
  let module: WasmModule | undefined;
  port.on('message', (req: FliteRequest) => {
    let res: FliteResponse;
    try {
      module ??= compileFlite(readFileSync(wasmPath));
      const { sampleRate, pcm } = synthesizeLevelled(module, req.args, req.levelDbfs);
      res = { id: req.id, ok: true, sampleRate, pcm };
    } catch (e) {
      res = { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(res, res.ok ? [res.pcm.buffer as ArrayBuffer] : []);
  });
}
