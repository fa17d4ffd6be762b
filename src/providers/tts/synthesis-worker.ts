import { parentPort, Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';

// One worker thread that runs an offline synthesiser (flite, espeak-ng) off the event loop that paces every call's
// 20 ms frames. Requests are handled one at a time in arrival order (neither engine is reentrant); a synthesis over
// the deadline means the worker is stuck, so it is replaced and what it held fails; a crashed worker fails its
// pending requests and the next request starts a new one. Referenced only while work is outstanding, so an idle
// provider never keeps the process alive.

export interface Synthesised {
  readonly sampleRate: number;
  /** s16le mono. */
  readonly pcm: Uint8Array;
}

type Request<R> = R & { id: number };
type Response = ({ ok: true } & Synthesised & { id: number }) | { id: number; ok: false; error: string };

interface Pending {
  resolve(r: Synthesised): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface SynthesisWorkerOptions {
  /** The engine's name in errors ("flite", "espeak-ng"). */
  readonly engine: string;
  /** The worker module (a sibling of the caller: `new URL('./x-worker.js', import.meta.url)`). */
  readonly url: URL;
  readonly workerData: unknown;
  readonly timeoutMs: number;
}

/** Under a TypeScript loader (tests) a module is a .ts file and so is its worker: `./name${workerExt(url)}`. */
export const workerExt = (moduleUrl: string): string => (moduleUrl.endsWith('.ts') ? '.ts' : '.js');

export class SynthesisWorker<R extends object> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly o: SynthesisWorkerOptions) {}

  run(req: R, signal: AbortSignal): Promise<Synthesised> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const p = this.pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('PROVIDER_TIMEOUT', `${this.o.engine} took longer than ${this.o.timeoutMs} ms`));
        this.restart();
      }, this.o.timeoutMs);
      this.pending.set(id, {
        resolve: (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
        timer,
      });
      signal.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      worker.postMessage({ ...req, id } satisfies Request<R>);
    });
  }

  /** Stops the worker; pending syntheses fail. Usable afterwards (a new worker starts). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new AppError('PROVIDER_FAILED', `${this.o.engine} provider closed`));
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.o.url, { workerData: this.o.workerData });
    w.unref();
    w.on('message', (res: Response) => {
      const p = this.pending.get(res.id);
      if (this.pending.size <= 1) w.unref();
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (res.ok) p.resolve({ sampleRate: res.sampleRate, pcm: res.pcm });
      else
        p.reject(
          new AppError('PROVIDER_FAILED', `${this.o.engine} synthesis failed: ${res.error}`, { retryable: false }),
        );
    });
    w.on('error', (e) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new AppError('PROVIDER_FAILED', `${this.o.engine} worker crashed`, { cause: e }));
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new AppError('PROVIDER_FAILED', `${this.o.engine} worker exited`));
    });
    this.worker = w;
    return w;
  }

  private restart(): void {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new AppError('PROVIDER_TIMEOUT', `${this.o.engine} worker restarted after a timeout`));
    if (w) void w.terminate();
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
  }
}

/**
 * The worker's side: answer each request with `synthesise`, strictly one after the other (an engine that loads
 * asynchronously still sees one request at a time), the PCM transferred, not copied.
 */
export function serveSyntheses<R extends object>(synthesise: (req: R) => Synthesised | Promise<Synthesised>): void {
  const port = parentPort;
  if (!port) return;
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: Request<R>) => {
    queue = queue.then(async () => {
      let res: Response;
      try {
        const { sampleRate, pcm } = await synthesise(req);
        res = { id: req.id, ok: true, sampleRate, pcm };
      } catch (e) {
        res = { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      port.postMessage(res, res.ok ? [res.pcm.buffer as ArrayBuffer] : []);
    });
  });
}

const MAX_TEXT = 2000;

/** What an offline engine is given to say: whitespace collapsed; empty or over 2000 characters is BAD_ARGUMENT. */
export function speakableText(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) throw new AppError('BAD_ARGUMENT', 'nothing to synthesize: text is empty');
  if (clean.length > MAX_TEXT) throw new AppError('BAD_ARGUMENT', `text longer than ${MAX_TEXT} characters`);
  return clean;
}

/** A whole synthesis handed downstream in chunks of `chunkBytes`, stopping when the request is aborted. */
export async function* pcmChunks(pcm: Uint8Array, chunkBytes: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
  for (let o = 0; o < pcm.length; o += chunkBytes) {
    if (signal.aborted) return;
    yield pcm.subarray(o, Math.min(pcm.length, o + chunkBytes));
  }
}
