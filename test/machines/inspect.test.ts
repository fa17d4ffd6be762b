import t from 'tap';
import { WebSocket } from 'ws';
import { createActor } from 'xstate';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { inspectorFromConfig, startCallInspector } from '../../src/call/inspect.js';
import { createLogger } from '../../src/log.js';
import { inertMachine } from './harness.js';

t.test('a live call is visible through the inspector bridge, even to a browser that connects late', async (t) => {
  const inspector = await startCallInspector({ port: 0, log: createLogger('silent') });
  t.teardown(() => inspector.stop());
  const machine = inertMachine();
  const actor = createActor(machine, {
    input: { callId: 'c-insp', direction: 'inbound', gymName: 'Iron Temple', timing: DEFAULT_TIMING },
    inspect: inspector.inspect,
  });
  actor.subscribe({ error: () => {} });
  actor.start();
  actor.send({ type: 'MEDIA.START' });
  t.teardown(() => actor.stop());

  const page = await fetch(inspector.url);
  t.equal(page.status, 200);
  t.match(await page.text(), /stately\.ai\/inspect/);

  // The app's inspector connects asynchronously; a "browser" that connects afterwards gets the call replayed.
  const seen = await new Promise<Array<{ type: string; name?: string; snapshot?: { value?: unknown } }>>(
    (resolve, reject) => {
      const got: Array<{ type: string; name?: string; snapshot?: { value?: unknown } }> = [];
      const timer = setTimeout(
        () => reject(new Error(`timed out; got ${JSON.stringify(got.map((g) => g.type))}`)),
        10_000,
      );
      const tryConnect = () => {
        const ws = new WebSocket(inspector.url.replace('http', 'ws'));
        ws.on('message', (d) => {
          got.push(JSON.parse(d.toString()) as (typeof got)[number]);
          if (
            got.some((e) => e.type === '@xstate.actor' && e.name === 'call') &&
            got.some((e) => e.type === '@xstate.snapshot')
          ) {
            clearTimeout(timer);
            ws.close();
            resolve(got);
          }
        });
        ws.on('open', () =>
          setTimeout(() => {
            if (got.length === 0) {
              ws.close();
              setTimeout(tryConnect, 100);
            }
          }, 300),
        );
      };
      tryConnect();
    },
  );
  const snap = seen.find((e) => e.type === '@xstate.snapshot' && JSON.stringify(e.snapshot?.value).includes('turn'));
  t.ok(snap, 'the call machine snapshot (with its regions) reached the browser side');
});

t.test('the inspector is off unless INSPECT is set', async (t) => {
  const log = createLogger('silent');
  t.equal(await inspectorFromConfig({ INSPECT: false, INSPECT_PORT: 0, NODE_ENV: 'test' }, log), undefined);
  const on = await inspectorFromConfig({ INSPECT: true, INSPECT_PORT: 0, NODE_ENV: 'test' }, log);
  t.ok(on?.url.startsWith('http://localhost:'));
  await on?.stop();
});
