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

t.test(
  'with a frame listener, every classified frame reports its speech probability on the stream clock',
  async (t) => {
    const port = vadPortFactory(loadDsp(), { kind: 'energy' })();
    t.teardown(() => port.close());
    // A tone loud in the speech band after silence: the energy classifier's probability rises over 0.5 with it.
    const tone = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
    );
    const heard: [number, number, boolean][] = [];
    const onFrame = (atMs: number, p: number, speech: boolean): number => heard.push([atMs, p, speech]);
    // The first pushes arrive before the classifier has loaded: they are buffered and told later, in order.
    for (let i = 0; i < 10; i++) port.push(frame, 1000 + i * 20, onFrame);
    await new Promise(setImmediate);
    for (let i = 10; i < 20; i++) port.push(tone, 1000 + i * 20, onFrame);
    t.equal(heard.length, 20, 'one report per frame');
    t.same(
      heard.map(([at]) => at),
      Array.from({ length: 20 }, (_, i) => 1000 + i * 20),
      'frame start times on the stream clock',
    );
    t.ok(
      heard.every(([, p, s]) => p >= 0 && p <= 1 && s === p > 0.5),
      'probabilities in 0..1; speech exactly above 0.5',
    );
    t.ok(
      heard.slice(0, 10).every(([, p]) => p < 0.5),
      'silence is not speech',
    );
    t.ok(
      heard.slice(10).every(([, p]) => p > 0.9),
      'the loud tone is (energy alone cannot tell a tone from a voice)',
    );
  },
);
