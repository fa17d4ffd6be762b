import { parentPort, workerData } from 'node:worker_threads';
import { loadDsp, type LoadDspOptions } from '../../dsp/index.js';
import { sharedMoonshine, transcribeLine, type Transcript } from './moonshine.js';

// The process's Moonshine thread (moonshine-thread.ts): one model for every call's noisy-line finals.
// Transcriptions are served one at a time, oldest first: a transcription runs its decoder steps back to back instead of between the
// frames a decoding thread's live streams keep bringing (there an 11 s answer took 1.8 s instead of 0.3 s).

export type ToMoonshine = { id: number; op: 'load' } | { id: number; op: 'transcribe'; pcm: Int16Array };

export type FromMoonshine =
  { id: number; ok: true; transcript?: Transcript } | { id: number; ok: false; message: string };

const port = parentPort;
if (port) {
  const dsp = loadDsp(workerData as LoadDspOptions);
  let queue: Promise<void> = Promise.resolve();
  const serve = async (m: ToMoonshine): Promise<FromMoonshine> => {
    try {
      if (m.op === 'load') {
        await sharedMoonshine();
        return { id: m.id, ok: true };
      }
      return { id: m.id, ok: true, transcript: await transcribeLine(dsp, m.pcm) };
    } catch (e) {
      return { id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  };
  port.on('message', (m: ToMoonshine) => {
    // A load is answered as soon as the model is there, not after the transcriptions queued before it: a new
    // stream waits for it (ASR_OFFLINE_MOONSHINE=always) and must not wait for other calls' words.
    if (m.op === 'load') void serve(m).then((r) => port.postMessage(r));
    else queue = queue.then(async () => port.postMessage(await serve(m)));
  });
}
