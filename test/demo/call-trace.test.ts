import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createActor, createMachine, fromCallback } from 'xstate';
import { CallTrace, type TraceLine } from '../../src/demo/call-trace.js';

// scenarios --trace: the call machines' own events and state changes as JSON lines; their invoked actors'
// events are left out, and a snapshot that did not change the state is not written again.

t.test("a machine's events and state changes, not its children's", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gym-trace-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'trace.jsonl');
  const trace = new CallTrace(path);
  const machine = createMachine({
    initial: 'waiting',
    invoke: { src: fromCallback(({ sendBack }) => sendBack({ type: 'FROM.CHILD' })) },
    states: {
      waiting: { on: { 'ASR.FINAL': 'hearing', 'FROM.CHILD': {} } },
      hearing: { on: { NOISE: {} } },
    },
  });
  const actor = createActor(machine, { inspect: trace.inspect }).start();
  actor.send({ type: 'ASR.FINAL', text: 'we open at six' });
  actor.send({ type: 'NOISE' });
  actor.stop();
  await trace.close();
  const lines = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceLine);
  const events = lines.flatMap((l) => (l.event === undefined ? [] : [(l.event as { type: string }).type]));
  const states = lines.flatMap((l) => (l.state === undefined ? [] : [l.state]));
  t.same(states, ['waiting', 'hearing'], 'each state once, when it changed');
  t.ok(events.includes('ASR.FINAL') && events.includes('NOISE'));
  t.ok(events.includes('FROM.CHILD'), "a child's event sent to the machine is the machine's");
  t.notOk(
    lines.some((l) => l.call !== lines[0]?.call),
    'one call: every line has its session',
  );
  t.same(lines.find((l) => (l.event as { type?: string } | undefined)?.type === 'ASR.FINAL')?.event, {
    type: 'ASR.FINAL',
    text: 'we open at six',
  });
});

t.test('a trace that cannot be written never throws into the call; close() says so', async (t) => {
  const trace = new CallTrace(join(tmpdir(), 'no-such-dir-for-gym-trace', 'trace.jsonl'));
  const actor = createActor(createMachine({ on: { PING: {} } }), { inspect: trace.inspect }).start();
  actor.send({ type: 'PING' });
  actor.stop();
  await t.rejects(trace.close(), /ENOENT/);
});
