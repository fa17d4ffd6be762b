import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import * as patched from 'xstate';
import { rng } from './harness.js';

// Second differential test of patches/xstate+5.33.3.patch (see xstate-patch-differential.test.ts for the first;
// the differences found in review are single cases in xstate-patch.test.ts).
// The fuzz here drives several actors of ONE machine (and of two `.provide()` copies of it) interleaved, so the
// caches the patch shares across actors and keys by machine (configurations, microstep plans, node action lists,
// stateIn targets) are really shared; it restores actors from persisted snapshots mid-run and records the
// inspection stream. The machine covers what the first one does not: initial-transition actions against deep
// targets, an invoked child machine with onSnapshot/onDone, a sendTo in the entry of the state that invokes its
// target (deferredActorIds), targetless transitions in several regions on one event, re-entry of a parallel
// state, transitions to an ancestor, to a descendant and across regions, `always` on a compound state, final
// states in regions, and an action that throws.

type XState = typeof patched;
const require = createRequire(import.meta.url);
const reference = require(join(dirname(require.resolve('xstate')), 'xstate.development.cjs.js')) as XState;

function echoMachine(xs: XState) {
  return xs.createMachine({
    types: {} as { context: { k: number } },
    context: { k: 0 },
    initial: 'open',
    states: {
      open: { on: { HI: { actions: xs.assign({ k: ({ context }) => context.k + 1 }) }, BYE: 'closed' } },
      closed: { type: 'final' },
    },
  });
}

function fuzzMachine(xs: XState, log: string[]) {
  const note = (what: string) => () => void log.push(what);
  const region = (name: string) => ({ entry: note(name), exit: note(`~${name}`) });
  const inc = xs.assign({ n: ({ context }: { context: { n: number } }) => context.n + 1 });
  return xs.createMachine({
    id: 'g',
    options: { maxIterations: 100 }, // a mutation that loops fails instead of hanging
    types: {} as { context: { n: number } },
    context: { n: 0 },
    initial: 'run',
    on: { HALT: '.halt', RERUN: { target: '.run', reenter: true, actions: note('RERUN') } },
    states: {
      halt: {
        ...region('halt'),
        on: { GO: '#g.run.p.p2.y', GO2: { target: ['#g.run.p.p2.y', '#g.run.q.q2.qb'], actions: note('GO2') } },
      },
      run: {
        type: 'parallel',
        ...region('run'),
        onDone: { target: 'halt', actions: note('run done') },
        on: { ENTER: { target: 'run', reenter: true }, DESC: '.q.q2', BOOM: { actions: 'boom' } },
        states: {
          p: {
            ...region('p'),
            initial: { target: 'p1', actions: note('p initial') },
            states: {
              p1: { ...region('p1'), tags: ['p1'], on: { A: 'p2', B: { actions: [note('B@p1'), inc] } } },
              p2: {
                ...region('p2'),
                // on the compound p2, so the chain of its atomic children x and y must include their parent
                always: { guard: 'big', target: '#g.run.p.p3', actions: note('always→p3') },
                tags: ['p2'],
                initial: { target: 'x', actions: note('p2 initial') },
                invoke: {
                  src: 'echo',
                  id: 'echo',
                  onSnapshot: { actions: note('echo snapshot') },
                  onDone: { target: 'p1', actions: note('echo done') },
                },
                entry: xs.sendTo('echo', { type: 'HI' }),
                on: {
                  B: { actions: [note('B@p2'), inc] },
                  PING: { actions: xs.sendTo('echo', { type: 'HI' }) },
                  BYE: { actions: xs.sendTo('echo', { type: 'BYE' }) },
                  UP: { target: '#g.run', actions: note('UP') },
                  A: { target: 'p1', guard: xs.stateIn('#g.run.q.q2') },
                },
                states: {
                  x: { ...region('x'), on: { C: 'y' } },
                  // re-enters itself once per macrostep while n is odd: the configuration and context are unchanged,
                  // so the microstep must return the same snapshot (or the eventless loop would never end)
                  y: {
                    ...region('y'),
                    on: { C: 'x' },
                    always: { guard: 'odd', target: 'y', reenter: true, actions: note('y again') },
                  },
                },
              },
              p3: { ...region('p3'), type: 'final' },
            },
          },
          q: {
            ...region('q'),
            initial: 'q1',
            on: { FIN: '.q3' },
            states: {
              q1: {
                ...region('q1'),
                tags: ['q1'],
                // on A, p1 → p2 is the first transition; the second depends on the context: one plan each
                on: {
                  A: [{ target: 'q2', guard: ({ context }) => context.n % 2 === 0 }, { actions: note('A@q1') }],
                  B: { actions: note('B@q1') },
                },
              },
              q2: {
                ...region('q2'),
                initial: { target: 'qa', actions: note('q2 initial') },
                on: { A: 'q1', CROSS: '#g.run.p.p2.y', S: { actions: xs.spawnChild('echo', { id: 'spawned' }) } },
                states: { qa: { on: { C: 'qb' } }, qb: { ...region('qb'), after: { 30: 'qa' }, on: { B: 'qa' } } },
              },
              q3: { ...region('q3'), type: 'final' },
            },
          },
        },
      },
    },
  });
}

// The same config behind two `.provide()` copies: the guard differs, every other cache must stay per machine.
function machines(xs: XState, log: string[]) {
  const base = fuzzMachine(xs, log);
  const actors = { echo: echoMachine(xs) };
  const boom = () => {
    throw new Error('boom');
  };
  return [1, 3].map((limit) =>
    base.provide({
      actors,
      actions: { boom },
      guards: { big: ({ context }) => context.n > limit, odd: ({ context }) => context.n % 2 === 1 },
    }),
  );
}

const EVENTS = [
  'A',
  'A',
  'B',
  'B',
  'C',
  'FIN',
  'PING',
  'BYE',
  'UP',
  'CROSS',
  'DESC',
  'S',
  'ENTER',
  'RERUN',
  'GO',
  '+40ms',
];
const RARE = ['GO2', 'HALT', 'BOOM', 'RESTORE'];

function run(xs: XState, seed: number, steps: number): string[] {
  const log: string[] = [];
  const clock = new xs.SimulatedClock();
  const ms = machines(xs, log);
  const roots = new Set<unknown>();
  const inspect = (e: { type: string; actorRef: unknown; _transitions?: unknown[]; action?: { type: string } }) => {
    if (!roots.has(e.actorRef)) return;
    if (e.type === '@xstate.microstep') log.push(`µ${e._transitions!.length}`);
    if (e.type === '@xstate.action') log.push(`!${e.action!.type}`);
  };
  const start = (i: number, snapshot?: unknown) => {
    const actor = xs.createActor(ms[i % 2]!, { clock, inspect, ...(snapshot ? { snapshot: snapshot as never } : {}) });
    roots.add(actor);
    actor.subscribe({ error: (e) => void log.push(`error ${(e as Error).message}`) });
    return actor.start();
  };
  const actors = [0, 1, 2].map((i) => start(i));
  const random = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < steps; i++) {
    const k = Math.floor(random() * actors.length);
    const e =
      random() < 0.1 ? RARE[Math.floor(random() * RARE.length)]! : EVENTS[Math.floor(random() * EVENTS.length)]!;
    if (actors[k]!.getSnapshot().status !== 'active') {
      log.push('new actor'); // an actor that failed (BOOM) gets no more events: a fresh one takes its place
      actors[k] = start(k);
    } else if (e === 'RESTORE') {
      // a JSON round trip, as a store would do; the restored actor's first configuration is a fresh array
      const persisted = JSON.parse(JSON.stringify(actors[k]!.getPersistedSnapshot())) as unknown;
      actors[k]!.stop();
      actors[k] = start(k, persisted);
    } else if (e.startsWith('+')) clock.increment(Number(e.slice(1, -2)));
    else actors[k]!.send({ type: e });
    const s = actors[k]!.getSnapshot();
    const echo = s.children.echo?.getSnapshot() as { context?: unknown } | undefined;
    out.push(
      `${k} ${e} ${JSON.stringify(s.value)} ${JSON.stringify(s.context)} ${s.status} [${[...s.tags].sort().join()}] ` +
        `[${Object.keys(s.children).sort().join()}] ${JSON.stringify(echo?.context)} ${log.splice(0).join('|')}`,
    );
  }
  actors.forEach((a) => a.stop());
  return out;
}

const MARKS = ['run done', 'echo done', 'error boom', 'always→p3', 'p2 initial', '~qb', 'y again', 'GO2'];

t.test('several actors of one machine (and of a provided copy) agree with reference XState step by step', async (t) => {
  let steps = 0;
  const seen = new Set<string>();
  for (let seed = 1; seed <= 60; seed++) {
    const want = run(reference, seed, 50);
    const got = run(patched, seed, 50);
    const at = want.findIndex((w, i) => got[i] !== w);
    if (at >= 0) {
      t.fail(`seed ${seed} diverges at step ${at}`, { found: got[at], wanted: want[at] });
      return;
    }
    steps += want.length;
    for (const w of want) for (const m of MARKS) if (w.includes(m)) seen.add(m);
  }
  t.equal(steps, 3000);
  t.same([...seen].sort(), [...MARKS].sort(), 'every risky path ran at least once');
});
