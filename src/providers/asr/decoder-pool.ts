import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { webAssembly, type WasmModule } from '../../wasm.js';

// Decoders of the offline recogniser, spread over several soundswallower (pocketsphinx in WASM) instances so that
// memory comes back when calls end. A WebAssembly memory can only grow, and a decoder that has decoded a couple of
// answers has grown it by 40-75 MB (search state): with every decoder in one instance, its memory grew to what the
// busiest moment needed and stayed there for the life of the process (six decoders: 498 MB, all of it still held
// after they were closed), and with ~27 decoders decoding at once the module's 2 GB limit is reached. Here an
// instance holds at most `perInstance` decoders (a few hundred calls stay within a few dozen memories), new
// decoders go to the oldest instance with room (so the newer ones empty first), and an instance whose decoders
// have all been released lingers `idleMs` with them ready for the next calls (creating one costs ~150 ms of CPU,
// unseen: audio is buffered meanwhile), then is dropped and V8 frees its memory when it collects it. The WASM is
// compiled once and shared, so a new instance costs a few milliseconds and ~50 KB of heap.

export interface SsDecoder {
  initialize(): Promise<unknown>;
  start(): void;
  stop(): void;
  process_audio(pcm: Float32Array, noSearch?: boolean, fullUtt?: boolean): number;
  get_text(): string;
  get_alignment(opts?: { start?: number; align_level?: number }): { p: number };
  lookup_word(word: string): string | null;
  add_words(...words: [string, string][]): void;
  reinitialize_audio(): Promise<void>;
  set_grammar(jsgf: string, toprule?: string): void;
  set_config(key: string, val: string | number): boolean;
  get_config(key: string): string | number;
  delete(): void;
}

/**
 * The search's limits, narrower than pocketsphinx's defaults: grammars are small, and this keeps decoding well
 * under real time.
 */
export const SEARCH_DEFAULTS = { beam: 1e-30, pbeam: 1e-30, wbeam: 1e-20, maxhmmpf: 5000 } as const;

/**
 * The search limit where Moonshine writes the finals (offline-stream.ts): 30 s of her answers under music at 10 dB
 * took 652 ms of CPU per second with the default, 357 with this, chatter 582 and 385 (medians of 3; the partials
 * came as often and were as garbled either way).
 */
export const NOISY_MAX_HMMPF = 500;

export interface SsModule {
  Decoder: new (config: Record<string, string | number | boolean>) => SsDecoder;
}

/** A decoder handed to one stream: give it back with release(), or discard() one that is in a bad state. */
export interface DecoderLease {
  readonly decoder: SsDecoder;
  release(): void;
  discard(): void;
}

type Factory = (opts: Record<string, unknown>) => Promise<SsModule>;

/** soundswallower's "node" export is soundswallower.node.js; its model directory and WASM sit next to it. */
export function soundSwallowerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('soundswallower'));
}

let shared: Promise<{ factory: Factory; wasm: WasmModule }> | undefined;

async function loadShared(): Promise<{ factory: Factory; wasm: WasmModule }> {
  const root = soundSwallowerDir();
  const glue = (await import(pathToFileURL(join(root, 'soundswallower.node.js')).href)) as { default: Factory };
  const api = webAssembly();
  return { factory: glue.default, wasm: await api.compile(await readFile(join(root, 'soundswallower.node.wasm'))) };
}

/** A new soundswallower instance with its own memory, on the shared compiled WASM. */
async function loadInstance(): Promise<SsModule> {
  shared ??= loadShared().catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  const { factory, wasm } = await shared;
  const api = webAssembly();
  const before = new Set(process.listeners('uncaughtException'));
  const ready = factory({
    modelBase: `${join(soundSwallowerDir(), 'model')}/`,
    // The WASM prints search warnings ("final result does not match the grammar") on stderr; they are expected
    // for off-grammar speech and would only pollute the service's logs.
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports: object, receive: (instance: object, module: object) => void): object {
      const instance = new api.Instance(wasm, imports);
      receive(instance, wasm);
      return instance.exports;
    },
  });
  // Emscripten's Node glue adds an uncaughtException listener per instance (it only rethrows) whose closure holds
  // the instance and its memory: left in place, no instance could ever be collected. Added synchronously above.
  for (const l of process.listeners('uncaughtException')) if (!before.has(l)) process.off('uncaughtException', l);
  return ready;
}

class Instance {
  /** Decoders handed out, or being created or reset for a stream. */
  live = 0;
  readonly idle: SsDecoder[] = [];
  readonly module = loadInstance();
  /** Set while the instance lingers unused. */
  dropTimer: NodeJS.Timeout | undefined;

  get used(): number {
    return this.live + this.idle.length;
  }
}

export interface DecoderPoolOptions {
  /** A ready decoder on the given instance (config, dictionary, checks). */
  create(ss: SsModule): Promise<SsDecoder>;
  perInstance: number;
  /** Idle decoders kept, in all unused instances together. */
  maxIdle: number;
  /** How long an unused instance is kept for reuse before it is dropped. */
  idleMs: number;
}

export class DecoderPool {
  /** In creation order; new decoders go to the first instance with room, so the later ones empty first. */
  private readonly instances: Instance[] = [];

  constructor(private readonly o: DecoderPoolOptions) {
    if (!(Number.isInteger(o.perInstance) && o.perInstance >= 1)) throw new RangeError('perInstance must be >= 1');
  }

  /** Instances alive now, each with its own WebAssembly memory (tests, benchmarks). */
  get instanceCount(): number {
    return this.instances.length;
  }

  async acquire(): Promise<DecoderLease> {
    for (const inst of [...this.instances]) {
      for (let d = inst.idle.pop(); d !== undefined; d = inst.idle.pop()) {
        inst.live++;
        clearTimeout(inst.dropTimer);
        inst.dropTimer = undefined;
        try {
          // pocketsphinx adapts its cepstral mean (live CMN) to what it hears; without this reset the next call
          // starts from the previous caller's line and recognises differently. The model, dictionary and grammar
          // stay loaded, which is what makes reuse worth it.
          await d.reinitialize_audio();
          return this.lease(inst, d);
        } catch {
          // Not reusable: dropped, and the next pooled one (or a fresh decoder) is used instead.
          d.delete();
          inst.live--;
          this.settle(inst);
        }
      }
    }
    const inst = this.instances.find((i) => i.used < this.o.perInstance) ?? this.grow();
    inst.live++;
    clearTimeout(inst.dropTimer);
    inst.dropTimer = undefined;
    try {
      return this.lease(inst, await this.o.create(await inst.module));
    } catch (e) {
      inst.live--;
      // An instance that failed to load is never used again; one that failed to make a decoder goes when unused.
      await inst.module.catch(() => this.drop(inst));
      this.settle(inst);
      throw e;
    }
  }

  /** Frees the idle decoders and every instance without a live decoder (open streams keep theirs). */
  close(): void {
    for (const inst of [...this.instances]) {
      for (const d of inst.idle.splice(0)) d.delete();
      if (inst.live === 0) this.drop(inst);
    }
  }

  private grow(): Instance {
    const inst = new Instance();
    // A load failure is reported by acquire(); this only keeps it from being an unhandled rejection meanwhile.
    inst.module.catch(() => undefined);
    this.instances.push(inst);
    return inst;
  }

  private lease(inst: Instance, decoder: SsDecoder): DecoderLease {
    let done = false;
    const end = (keep: boolean) => {
      if (done) return;
      done = true;
      inst.live--;
      if (keep) inst.idle.push(decoder);
      else decoder.delete();
      this.settle(inst);
    };
    return { decoder, release: () => end(true), discard: () => end(false) };
  }

  /**
   * Once an instance has no live decoder it keeps as many idle decoders as fit in maxIdle next to those of the
   * other unused instances, and lingers idleMs with them; with none it is dropped at once. While it has live
   * decoders its idle ones stay: they cost nothing more, its memory has grown for them already.
   */
  private settle(inst: Instance): void {
    if (inst.live > 0 || !this.instances.includes(inst)) return;
    const spare = this.instances.reduce((n, i) => (i !== inst && i.live === 0 ? n + i.idle.length : n), 0);
    for (const d of inst.idle.splice(Math.max(0, this.o.maxIdle - spare))) d.delete();
    if (inst.idle.length === 0 || this.o.idleMs <= 0) return this.drop(inst);
    inst.dropTimer ??= setTimeout(() => {
      inst.dropTimer = undefined;
      if (inst.live === 0) this.drop(inst);
    }, this.o.idleMs).unref();
  }

  private drop(inst: Instance): void {
    clearTimeout(inst.dropTimer);
    inst.dropTimer = undefined;
    for (const d of inst.idle.splice(0)) d.delete();
    const i = this.instances.indexOf(inst);
    if (i >= 0) this.instances.splice(i, 1);
  }
}
