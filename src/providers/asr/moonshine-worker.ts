import { parentPort, workerData } from 'node:worker_threads';
import { loadDsp, type LoadDspOptions } from '../../dsp/index.js';
import { thisThreadTranscriber } from './moonshine.js';
import { answerRequest, type ToMoonshine } from './moonshine-requests.js';

// The process's Moonshine thread (moonshine-thread.ts): one model for every call's noisy-line finals. Transcriptions
// are served one at a time, oldest first: a transcription runs its decoder steps back to back instead of between
// the frames a decoding thread's live streams keep bringing (there an 11 s answer took 1.8 s instead of 0.3 s).

const port = parentPort;
if (port) {
  const model = thisThreadTranscriber(loadDsp(workerData as LoadDspOptions));
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ToMoonshine) => {
    // A load is answered as soon as the model is there, not after the transcriptions queued before it: a new
    // stream waits for it (ASR_OFFLINE_MOONSHINE=always) and must not wait for other calls' words.
    if (m.op === 'load') void answerRequest(m, model).then((r) => port.postMessage(r));
    else queue = queue.then(async () => port.postMessage(await answerRequest(m, model)));
  });
}
