import { parentPort, workerData } from 'node:worker_threads';
import { loadDsp, type LoadDspOptions } from '../../dsp/index.js';
import { OfflineAsr, type OfflineAsrOptions } from './offline.js';
import type { AsrContext, AsrStream, AsrStreamEvent } from './types.js';

// Worker side of OfflineAsrWorkers (offline-workers.ts): the offline recogniser's streams, decoding here, off the
// event loop that paces every call's audio and runs its statechart. Decoding is synchronous WASM, and a dialogue
// step's new grammar costs ≈ 0.4 s of CPU to compile: on the event loop that stalled every call of the process
// (docs/benchmarks/asr-workers.md). Messages of one port arrive in order, so a stream's audio, finalize() and
// context keep theirs.

export interface OfflineWorkerData {
  readonly dsp: LoadDspOptions;
  readonly asr: Omit<OfflineAsrOptions, 'dsp'>;
}

export type ToWorker =
  | { type: 'open'; id: number }
  | { type: 'push'; id: number; mulaw: Uint8Array }
  | { type: 'finalize'; id: number }
  | { type: 'context'; id: number; context: AsrContext }
  | { type: 'hurry'; id: number }
  | { type: 'close'; id: number };

/** A stream event as it crosses the thread: an error travels as its message. */
export type WireEvent = Exclude<AsrStreamEvent, { type: 'error' }> | { type: 'error'; message: string; fatal: boolean };

export type FromWorker =
  | { type: 'opened'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'event'; id: number; event: WireEvent };

const port = parentPort;
if (port) {
  const data = workerData as OfflineWorkerData;
  const asr = new OfflineAsr({ ...data.asr, dsp: loadDsp(data.dsp) });
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
