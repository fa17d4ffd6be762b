import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { embeddedDataDir, startEmbedded } from '../src/db/embedded.js';
import { createLogger } from '../src/log.js';
import { startServer } from '../src/main.js';
import { createMetrics } from '../src/ops/metrics.js';

// The server process of the memory soak (bench/soak-run.ts): the whole app with the offline stack (soundswallower,
// flite in its worker, the VAD, embedded PGlite), started from the settings the driver passes, answering
// {kind:'mem'} over IPC with process.memoryUsage() after an optional quiet period and full GCs (run with
// --expose-gc), and exiting on {kind:'stop'}. With --census, every WebAssembly memory the main isolate creates is
// counted while alive (a FinalizationRegistry), to tell retained WASM memories from other external memory.

export interface SoakServerSettings {
  port: number;
  twilioUrl: string;
  accountSid: string;
  authToken: string;
  census: boolean;
}

export interface MemSample {
  rss: number;
  external: number;
  arrayBuffers: number;
  heapUsed: number;
  /** Calls the server still counts as live. */
  activeCalls: number;
  /** --census only: live WebAssembly memories of the main isolate and their total size. */
  wasmMemories?: number;
  wasmBytes?: number;
  /** Their bytes by the package that created them. */
  wasmByPackage?: Record<string, number>;
}

export type SoakMsg =
  { kind: 'ready'; port: number } | { kind: 'mem'; sample: MemSample } | { kind: 'error'; message: string };

interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
}
interface WasmInstanceLike {
  readonly exports: Record<string, unknown>;
}
interface WasmNamespace {
  Instance: new (...args: unknown[]) => WasmInstanceLike;
  instantiate: (...args: unknown[]) => Promise<unknown>;
  Memory: new (...args: unknown[]) => WasmMemoryLike;
}

/** Counts live WebAssembly memories (exported by instances or created directly) in this isolate. */
function wasmCensus(): () => { memories: number; bytes: number; byPackage: Record<string, number> } {
  const wa = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;
  const live = new Map<WeakRef<WasmMemoryLike>, string>();
  const registry = new FinalizationRegistry<WeakRef<WasmMemoryLike>>((ref) => live.delete(ref));
  const seen = new WeakSet<object>();
  const track = (m: unknown): void => {
    if (typeof m !== 'object' || m === null || seen.has(m) || !('buffer' in m)) return;
    seen.add(m);
    const ref = new WeakRef(m as WasmMemoryLike);
    // Which package made it: the first node_modules frame of the stack (the WASM glue code).
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(new Error().stack ?? '')?.[1] ?? 'other';
    live.set(ref, pkg);
    registry.register(m, ref);
  };
  const fromInstance = (i: unknown): void => {
    const exports = (i as WasmInstanceLike | undefined)?.exports ?? {};
    for (const v of Object.values(exports)) track(v);
  };
  const Instance = wa.Instance;
  wa.Instance = new Proxy(Instance, {
    construct(target, args) {
      const i = Reflect.construct(target, args) as WasmInstanceLike;
      fromInstance(i);
      return i;
    },
  });
  const instantiate = wa.instantiate.bind(wa);
  wa.instantiate = async (...args: unknown[]) => {
    const r = await instantiate(...args);
    fromInstance((r as { instance?: unknown }).instance ?? r);
    return r;
  };
  const Memory = wa.Memory;
  wa.Memory = new Proxy(Memory, {
    construct(target, args) {
      const m = Reflect.construct(target, args) as WasmMemoryLike;
      track(m);
      return m;
    },
  });
  return () => {
    let bytes = 0;
    let memories = 0;
    const byPackage: Record<string, number> = {};
    for (const [ref, pkg] of live) {
      const m = ref.deref();
      if (m === undefined) continue;
      memories++;
      bytes += m.buffer.byteLength;
      byPackage[pkg] = (byPackage[pkg] ?? 0) + m.buffer.byteLength;
    }
    return { memories, bytes, byPackage };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full GCs with turns of the loop between them, so finalizers run and what they free is collected too. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the soak server needs --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
}

export async function soakServerMain(s: SoakServerSettings): Promise<void> {
  const census = s.census ? wasmCensus() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-soak-'));
  // The embedded database is created (initdb) and closed first, as a server restarted on its data finds it: PGlite
  // creating a database grows its WASM memory to ~630 MB, which the server would otherwise carry all along and which
  // has nothing to do with calls.
  await (await startEmbedded({ dataDir: embeddedDataDir(dataDir) })).stop();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(s.port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${s.port}`,
    TWILIO_ACCOUNT_SID: s.accountSid,
    TWILIO_AUTH_TOKEN: s.authToken,
    TWILIO_PHONE_NUMBER: '+15005550006',
    TWILIO_API_BASE_URL: s.twilioUrl,
    ASR_PROVIDER: 'offline',
    LLM_PROVIDER: 'offline',
    TTS_PROVIDERS: 'flite',
    // Every call of a wave starts at once on a shared 2-core machine: no deadline may turn a slow moment into a
    // failed call (the soak is about memory, not latency).
    TTS_FIRST_BYTE_TIMEOUT_MS: '30000',
    MAX_CONCURRENT_CALLS: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
  });
  const server = await startServer(config, {
    log: createLogger('error'),
    metrics: createMetrics({ processMetrics: false }),
  });
  process.on('message', (m: { kind: string; quietMs?: number; gc?: boolean }) => {
    if (m.kind === 'mem') {
      void (async () => {
        await sleep(m.quietMs ?? 0);
        if (m.gc) await collect();
        const u = process.memoryUsage();
        const c = census?.();
        const sample: MemSample = {
          rss: u.rss,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
          heapUsed: u.heapUsed,
          activeCalls: server.capacity.active,
          ...(c ? { wasmMemories: c.memories, wasmBytes: c.bytes, wasmByPackage: c.byPackage } : {}),
        };
        process.send?.({ kind: 'mem', sample } satisfies SoakMsg);
      })();
    } else if (m.kind === 'stop') {
      void server
        .close()
        .then(() => rm(dataDir, { recursive: true, force: true }))
        .finally(() => process.exit(0));
    }
  });
  process.send?.({ kind: 'ready', port: server.port } satisfies SoakMsg);
}

const settings = process.argv[2];
if (settings !== undefined) {
  soakServerMain(JSON.parse(settings) as SoakServerSettings).catch((e: unknown) => {
    process.send?.({ kind: 'error', message: (e as Error).stack ?? String(e) } satisfies SoakMsg);
    process.exit(1);
  });
}
