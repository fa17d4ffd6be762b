import { parentPort, workerData } from 'node:worker_threads';
import { loadDsp, type LoadDspOptions } from '../../dsp/index.js';
import type { LineTranscriber, Transcript } from './moonshine.js';
import { WaitingRequests, type FromMoonshine, type ToMoonshine } from './moonshine-requests.js';
import { OfflineAsr, type OfflineAsrOptions } from './offline.js';
import type { AsrContext, AsrStream, AsrStreamEvent } from './types.js';

// Worker side of OfflineAsrWorkers (offline-workers.ts): the offline recogniser's streams, decoding here, off the
// event loop that paces every call's audio and runs its statechart. Decoding is synchronous WASM, and a dialogue
// step's new grammar costs ≈ 0.4 s of CPU to compile: on the event loop that stalled every call of the process
// (docs/benchmarks/asr-workers.md). Messages of one port arrive in order, so a stream's audio, finalize() and
// context keep theirs. Moonshine's transcriptions go to the process's Moonshine thread, through the parent
// (moonshine-thread.ts): here they would wait between decoder steps behind this thread's live streams.

export interface OfflineWorkerData {
  readonly dsp: LoadDspOptions;
  readonly asr: Omit<OfflineAsrOptions, 'dsp' | 'transcriber'>;
  /** Moonshine through the parent on the process's Moonshine thread, or on this thread (offline-workers.ts). */
  readonly moonshineOn: 'own-thread' | 'decoding-threads';
}

export type ToWorker =
  | { type: 'open'; id: number }
  | { type: 'push'; id: number; mulaw: Uint8Array }
  | { type: 'finalize'; id: number }
  | { type: 'context'; id: number; context: AsrContext }
  | { type: 'hurry'; id: number }
  | { type: 'close'; id: number }
  | { type: 'moonshine'; reply: FromMoonshine };

/** A stream event as it crosses the thread: an error travels as its message. */
export type WireEvent = Exclude<AsrStreamEvent, { type: 'error' }> | { type: 'error'; message: string; fatal: boolean };

export type FromWorker =
  | { type: 'opened'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'event'; id: number; event: WireEvent }
  | { type: 'moonshine'; request: ToMoonshine };

/** Moonshine through the parent, which hands the requests to the process's Moonshine thread and the answers back. */
class ParentTranscriber implements LineTranscriber {
  readonly #waiting = new WaitingRequests();

  constructor(private readonly post: (m: FromWorker, transfer: ArrayBuffer[]) => void) {}

  async load(): Promise<void> {
    await this.#ask({ id: 0, op: 'load' });
  }

  async transcribe(pcm: Int16Array, context?: AsrContext): Promise<Transcript> {
    const copy = pcm.slice();
    const asked = await this.#ask({ id: 0, op: 'transcribe', pcm: copy, context }, [copy.buffer]);
    return asked ?? { text: '', confidence: 0 };
  }

  answer(r: FromMoonshine): void {
    this.#waiting.settle(r);
  }

  #ask(request: ToMoonshine, transfer: ArrayBuffer[] = []): Promise<Transcript | undefined> {
    const { id, answer } = this.#waiting.add();
    this.post({ type: 'moonshine', request: { ...request, id } }, transfer);
    return answer;
  }
}

const port = parentPort;
if (port) {
  const data = workerData as OfflineWorkerData;
  const moonshine = new ParentTranscriber((m, transfer) => port.postMessage(m, transfer));
  const asr = new OfflineAsr({
    ...data.asr,
    dsp: loadDsp(data.dsp),
    ...(data.moonshineOn === 'own-thread' ? { transcriber: moonshine } : {}),
  });
  const streams = new Map<number, AsrStream>();
  /** Closed before their open finished (the other side gave up waiting): closed as soon as they open. */
  const abandoned = new Set<number>();
  const send = (m: FromWorker): void => port.postMessage(m);
  const onEvent =
    (id: number) =>
    (e: AsrStreamEvent): void =>
      send({
        type: 'event',
        id,
        event: e.type === 'error' ? { type: 'error', message: e.error.message, fatal: e.fatal } : e,
      });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'moonshine') {
      moonshine.answer(m.reply);
      return;
    }
    if (m.type === 'open') {
      asr.open({ onEvent: onEvent(m.id) }).then(
        (s) => {
          if (abandoned.delete(m.id)) return void s.close();
          streams.set(m.id, s);
          send({ type: 'opened', id: m.id });
        },
        (e: unknown) => send({ type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) }),
      );
      return;
    }
    const s = streams.get(m.id);
    if (s === undefined) {
      if (m.type === 'close') abandoned.add(m.id);
      return;
    }
    if (m.type === 'push') s.push(m.mulaw);
    else if (m.type === 'finalize') s.finalize();
    else if (m.type === 'context') s.setContext?.(m.context);
    else if (m.type === 'hurry') s.hurry?.();
    else {
      streams.delete(m.id);
      void s.close();
    }
  });
}
