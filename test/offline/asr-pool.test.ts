import t from 'tap';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrStream } from '../../src/providers/asr/types.js';
import { testDsp } from './helpers.js';

// The recogniser's decoders live in several soundswallower instances, each with its own WebAssembly memory (which
// only grows): an instance must go once its calls have ended and no decoder of it is kept for reuse, or the memory
// of the busiest moment is held for ever (test/acceptance/soak.test.ts measures that on the whole server).

const { dsp, note } = testDsp();
if (note) t.comment(note);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open = (asr: OfflineAsr, n: number) =>
  Promise.all(Array.from({ length: n }, () => asr.open({ onEvent: () => undefined })));
const closeAll = (streams: AsrStream[]) => Promise.all(streams.map((s) => s.close()));

t.test('instances fill up to decodersPerInstance; unused ones go, the kept ones after decoderIdleMs', async (t) => {
  const asr = new OfflineAsr({ dsp, decodersPerInstance: 2, maxIdleDecoders: 2, decoderIdleMs: 300 });
  t.teardown(() => asr.close());
  const streams = await open(asr, 5);
  t.equal(asr.instances, 3, '5 simultaneous streams, 2 decoders per instance: 3 instances');

  await closeAll(streams);
  t.equal(asr.instances, 1, 'after the calls: one instance kept with 2 idle decoders, the others dropped');

  const again = await open(asr, 2);
  t.equal(asr.instances, 1, 'the next 2 calls reuse the kept decoders');
  await closeAll(again);

  await sleep(600);
  t.equal(asr.instances, 0, 'unused for decoderIdleMs: the last instance is dropped too');
  const late = await open(asr, 1);
  t.equal(asr.instances, 1, 'a later call starts a new instance');
  await closeAll(late);
});

t.test('maxIdleDecoders 0 keeps nothing; close() drops what is unused', async (t) => {
  const none = new OfflineAsr({ dsp, maxIdleDecoders: 0 });
  await closeAll(await open(none, 2));
  t.equal(none.instances, 0, 'nothing kept');

  const asr = new OfflineAsr({ dsp, decodersPerInstance: 1 });
  const [a, b] = await open(asr, 2);
  await a?.close();
  asr.close();
  t.equal(asr.instances, 1, 'close(): the instance of the open stream stays');
  await b?.close();
  asr.close();
  t.equal(asr.instances, 0, 'and goes with the pool once its stream closed');
});
