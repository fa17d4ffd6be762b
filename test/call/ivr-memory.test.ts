import t from 'tap';
import type { IvrStep } from '../../machines/outcomes.js';
import type { IvrRememberedEvent } from '../../machines/events.js';
import { IvrMemory } from '../../src/call/ivr-memory.js';
import type { IvrPathStore } from '../../src/call/ports.js';
import { createLogger } from '../../src/log.js';

const PATH: IvrStep[] = [{ digits: '2', fingerprint: 'for membership press two' }];
const log = createLogger('silent');
const settle = () => new Promise((r) => setImmediate(r));

function store(path: IvrStep[] | undefined, fail?: Error): IvrPathStore & { saved: unknown[] } {
  const saved: unknown[] = [];
  return {
    saved,
    get: () => (fail ? Promise.reject(fail) : Promise.resolve(path)),
    save: (phone, steps, callId) => {
      saved.push({ phone, steps, callId });
      return fail ? Promise.reject(fail) : Promise.resolve();
    },
  };
}

t.test('a learnt path goes to the machine; none, an empty one or a call already over sends nothing', async (t) => {
  const sent: IvrRememberedEvent[] = [];
  new IvrMemory(store(PATH), '+12015550100', 'c1', log).recall(
    (e) => sent.push(e),
    () => false,
  );
  new IvrMemory(store(undefined), '+12015550100', 'c2', log).recall(
    (e) => sent.push(e),
    () => false,
  );
  new IvrMemory(store([]), '+12015550100', 'c3', log).recall(
    (e) => sent.push(e),
    () => false,
  );
  new IvrMemory(store(PATH), '+12015550100', 'c4', log).recall(
    (e) => sent.push(e),
    () => true,
  );
  new IvrMemory(store(PATH), undefined, 'c5', log).recall(
    (e) => sent.push(e),
    () => false,
  );
  await settle();
  t.same(sent, [{ type: 'IVR.REMEMBERED', path: PATH }]);
});

t.test("only the machine's path record is saved, under the number and the call", async (t) => {
  const s = store(undefined);
  const memory = new IvrMemory(s, '+12015550100', 'c1', log);
  memory.emitted({ type: 'call.warning', callId: 'c1', message: 'x' } as never);
  memory.emitted({ type: 'call.ivrPath', callId: 'c1', path: PATH });
  new IvrMemory(s, undefined, 'c2', log).emitted({ type: 'call.ivrPath', callId: 'c2', path: PATH });
  t.same(s.saved, [{ phone: '+12015550100', steps: PATH, callId: 'c1' }]);
});

t.test("a store's failure is logged, never thrown into the call", async (t) => {
  const lines: string[] = [];
  const warned = createLogger('warn', { write: (l: string) => void lines.push(l) });
  const sent: IvrRememberedEvent[] = [];
  const memory = new IvrMemory(store(PATH, new Error('db down')), '+12015550100', 'c1', warned);
  memory.recall(
    (e) => sent.push(e),
    () => false,
  );
  memory.emitted({ type: 'call.ivrPath', callId: 'c1', path: PATH });
  await settle();
  t.same(sent, []);
  t.same(
    lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['phone-tree path not saved', 'phone-tree path lookup failed'],
  );
});
