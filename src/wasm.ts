// The project compiles without the DOM lib, which is where TypeScript declares WebAssembly: the few members the
// WASM-backed providers use (flite, soundswallower), declared once.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** A compiled module (opaque: only handed back to the API). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
}

export const webAssembly = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
