import t from 'tap';
import { waitFor, within } from './wait.js';

t.test('waitFor resolves once the predicate holds, sync or async', async (t) => {
  let n = 0;
  await waitFor(() => ++n >= 3, { intervalMs: 1 });
  t.equal(n, 3, 'polled until it held, not once more');
  let m = 0;
  await waitFor(async () => ++m >= 2, { intervalMs: 0 });
  t.equal(m, 2, 'an async predicate, polled on setImmediate');
});

t.test('waitFor gives up after timeoutMs and says what it waited for', async (t) => {
  const t0 = performance.now();
  await t.rejects(
    waitFor(() => false, { timeoutMs: 50, what: 'the moon' }),
    {
      message: 'timed out after 50 ms waiting for the moon',
    },
  );
  t.ok(performance.now() - t0 >= 50, 'not before the timeout');
});

t.test('a predicate that throws ends the wait with its error', async (t) => {
  await t.rejects(
    waitFor(() => {
      throw new Error('server exited');
    }),
    { message: 'server exited' },
  );
});

t.test('within: the value if it comes in time, else the stand-in; no timer left behind either way', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  t.equal(await within(Promise.resolve('exited'), 60_000, 'timeout'), 'exited');
  t.equal(timers(), before, 'the 60 s timer is gone once the promise won');
  t.equal(await within(new Promise(() => undefined), 10, 'timeout'), 'timeout');
  t.equal(timers(), before);
  await t.rejects(within(Promise.reject(new Error('crashed')), 60_000, 'timeout'), { message: 'crashed' });
  t.equal(timers(), before, 'nor when it rejected');
});
