import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import * as patched from 'xstate';
import { rng } from './harness.js';

// Second differential test of patches/xstate+5.33.3.patch (see xstate-patch-differential.test.ts for the first).
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

// Differences found in review (2026-11-26). Each case runs one scenario on both builds and compares; they are
// `todo` until the patch is fixed (the fix for each is in the review report): drop `known(…)` with the fix.
// XSTATE_PATCH_STRICT=1 makes them fail like any other test (to check a fix).
const known = (why: string) => (process.env.XSTATE_PATCH_STRICT ? {} : { todo: why });
const both = <T>(f: (xs: XState) => T) => ({ want: f(reference), got: f(patched) });

t.test(
  'two states with the same explicit id (XState accepts it)',
  known('caches keyed by order and idMap'),
  async (t) => {
    const { want, got } = both((xs) => {
      const m = xs.createMachine({
        initial: 'a',
        states: { a: { id: 'x', on: { GO: 'b' } }, b: { id: 'x', on: { GO: 'c' } }, c: { on: { GO: 'b' } } },
      });
      const actor = xs.createActor(m).start();
      return [1, 2, 3].map(() => (actor.send({ type: 'GO' }), actor.getSnapshot().value));
    });
    t.same(got, want, 'b → c → b (patched stays in b: b and c get the same order, sharedNodes returns b for c)');
    const history = both((xs) => {
      const m = xs.createMachine({
        id: 'm',
        initial: 'a',
        states: {
          a: {
            initial: 'a1',
            on: { OUT: 'b' },
            states: { a1: { on: { N: 'a2' } }, a2: {}, h: { type: 'history', id: 'last' } },
          },
          b: { id: 'last', on: { BACK: '#m.a.h' } },
        },
      });
      const actor = xs.createActor(m).start();
      return ['N', 'OUT', 'BACK'].map((type) => (actor.send({ type }), actor.getSnapshot().value));
    });
    t.same(
      history.got,
      history.want,
      'history restores a2 (patched: b hides the history node from idMap, no plan bypass)',
    );
  },
);

t.test(
  "state value key order and tag order follow each snapshot's own _nodes",
  known('derived by sorted key'),
  async (t) => {
    const { want, got } = both((xs) => {
      const regions = {
        p: { initial: 'p1', states: { p1: { on: { A: 'p2' } }, p2: { tags: ['P2'] } } },
        q: { initial: 'q1', states: { q1: { tags: ['Q1'] } } },
      };
      const m = xs.createMachine({
        id: 'g',
        initial: 'on',
        states: { off: { on: { ON: '#g.on.p.p2' } }, on: { type: 'parallel', on: { OFF: 'off' }, states: regions } },
      });
      const one = xs.createActor(m).start();
      one.send({ type: 'A' }); // _nodes [g, on, p, q, q1, p2]: tags Q1, P2
      const two = xs.createActor(m).start();
      two.send({ type: 'OFF' });
      two.send({ type: 'ON' }); // _nodes [g, on, p, p2, q, q1]: tags P2, Q1
      // a persisted snapshot whose value keys a store reordered (PostgreSQL jsonb does)
      const persisted = {
        ...(JSON.parse(JSON.stringify(one.getPersistedSnapshot())) as object),
        value: { on: { q: 'q1', p: 'p1' } },
      };
      const restored = xs.createActor(m, { snapshot: persisted as never }).start();
      const other = xs.createMachine(m.config); // restored first, then a fresh actor in the same configuration
      xs.createActor(other, { snapshot: persisted as never }).start();
      const fresh = xs.createActor(other).start();
      return {
        tags: [[...one.getSnapshot().tags], [...two.getSnapshot().tags]],
        restored: JSON.stringify(restored.getSnapshot().value),
        resolved: JSON.stringify(m.resolveState({ value: { on: { q: 'q1', p: 'p2' } } }).value),
        fresh: JSON.stringify(fresh.getSnapshot().value),
      };
    });
    t.same(got, want);
  },
);

t.test(
  'a context with an own "__proto__" key (from JSON.parse) after an assign',
  known('resolveAssign spread'),
  async (t) => {
    const { want, got } = both((xs) => {
      const m = xs.createMachine({
        types: {} as { context: Record<string, unknown> },
        context: ({ input }) => input as Record<string, unknown>,
        on: { INC: { actions: xs.assign({ n: ({ context }) => Number(context.n) + 1 }) } },
      });
      const actor = xs
        .createActor(m, { input: JSON.parse('{"__proto__": {"admin": true}, "n": 0}') as unknown })
        .start();
      const first = actor.getSnapshot().context;
      actor.send({ type: 'INC' });
      const after = actor.getSnapshot().context;
      return [JSON.stringify(first), first.admin, JSON.stringify(after), Object.keys(after)];
    });
    t.same(got, want, 'Object.assign({}, …) sets the prototype; spread makes an own property');
  },
);

t.test(
  'the pure transition API on a snapshot that is already done',
  known('fast paths skip the done block'),
  async (t) => {
    const { want, got } = both((xs) => {
      const m = xs.createMachine({
        initial: 'a',
        on: { RESET: '.a', LOG: { actions: xs.log('log') } },
        states: { a: { on: { END: 'z' }, exit: xs.log('exit a') }, z: { type: 'final' } },
      });
      const done = xs.getNextSnapshot(m, xs.getInitialSnapshot(m), { type: 'END' });
      const [reset, resetActions] = xs.transition(m, done, { type: 'RESET' });
      const [, logActions] = xs.transition(m, done, { type: 'LOG' });
      return [reset.status, reset.value, resetActions.map((a) => a.type), logActions.map((a) => a.type)];
    });
    t.same(got, want, 'XState runs the exit actions of every active state again when the snapshot is done');
  },
);

t.test(
  'entering a compound state whose initial state does not exist',
  known('plan computed before actions'),
  async (t) => {
    const { want, got } = both((xs) => {
      const log: string[] = [];
      const m = xs.createMachine({
        initial: 'a',
        states: {
          a: { exit: () => void log.push('exit a'), on: { GO: { target: 'b', actions: () => void log.push('GO') } } },
          b: { initial: 'nope', states: { x: {} } },
        },
      });
      const actor = xs.createActor(m);
      actor.subscribe({ error: (e) => void log.push(`error: ${(e as Error).message}`) });
      actor.start().send({ type: 'GO' });
      return log;
    });
    t.same(got, want, 'XState runs the exit and transition actions before it finds the bad initial state');
  },
);

t.test(
  'editing one persisted snapshot leaves the other actors alone',
  known('state value shared, not frozen'),
  async (t) => {
    const { want, got } = both((xs) => {
      const m = xs.createMachine({
        type: 'parallel',
        states: { p: { initial: 'p1', states: { p1: {}, p2: {} } }, q: { initial: 'q1', states: { q1: {} } } },
      });
      const [one, two] = [xs.createActor(m).start(), xs.createActor(m).start()];
      const persisted = one.getPersistedSnapshot() as unknown as { value: Record<string, string> };
      persisted.value.p = 'p2'; // e.g. a migration rewriting the object before it is stored
      return [
        two.getSnapshot().value,
        two.getSnapshot().matches({ p: 'p2' }),
        xs.createActor(m).start().getSnapshot().value,
      ];
    });
    t.same(got, want, 'the patched build shares one value object per configuration across all actors');
  },
);
