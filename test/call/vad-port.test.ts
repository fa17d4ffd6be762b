import t from 'tap';
import { fvadHeapBytes } from '../../src/audio/vad.js';
import { vadPortFactory } from '../../src/call/vad-port.js';
import { loadDsp } from '../../src/dsp/index.js';
import { waitFor } from '../support/wait.js';

// Every call's fvad state lives in one WASM heap shared by all calls, and a WASM heap never shrinks: a call that
// does not free its detector at the end of its stream grows the process for good.

const frame = new Int16Array(160);

t.test('a closed VAD port frees its detector: 20,000 calls leave the fvad heap as it was', async (t) => {
  const newPort = vadPortFactory(loadDsp(), { kind: 'fvad' });
  const oneCall = async (): Promise<void> => {
    const port = newPort();
    port.push(frame, 0);
    // The classifier loads asynchronously (at once, after the first call): let it arrive and classify.
    await waitFor(() => (port.push(frame, 20), port.push(frame, 40).length === 0), { intervalMs: 0 });
    await new Promise(setImmediate);
    port.push(frame, 60);
    port.close();
  };
  for (let i = 0; i < 100; i++) await oneCall();
  const before = await fvadHeapBytes();
  for (let i = 0; i < 20_000; i++) await oneCall();
  t.equal(await fvadHeapBytes(), before, 'no growth of the shared heap');
});

t.test('a port closed before its detector loaded frees it when it arrives, and edges stop', async (t) => {
  const port = vadPortFactory(loadDsp(), { kind: 'fvad' })();
  port.close();
  t.same(port.push(frame, 0), [], 'a closed port hears nothing');
  const before = await fvadHeapBytes();
  for (let i = 0; i < 5000; i++) vadPortFactory(loadDsp(), { kind: 'fvad' })().close();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(await fvadHeapBytes(), before);
});
