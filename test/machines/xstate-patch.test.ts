import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import * as patched from 'xstate';
import { assign, createActor, createMachine } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';

// patches/xstate+5.33.3.patch (applied by patch-package on install) makes XState derive a snapshot's state value
// and tags once per state configuration (shared by the machine's actors), clone snapshots without a merged copy,
// run targetless transitions without exit/entry sets, find each state's eventless transitions once and keep
// state-node memos on the node. These tests fail if the patch is not applied (a fresh install that skipped it) and
// check that the behaviour the patch touches is unchanged. At the end: the differences from published XState found in
// review, as `todo` cases until the patch is fixed.

const machine = createMachine({
  types: {} as { context: { n: number } },
  context: { n: 0 },
  type: 'parallel',
  states: {
    a: {
      initial: 'x',
      states: {
        x: { tags: ['busy'], on: { GO: 'y' }, always: { guard: ({ context }) => context.n >= 3, target: 'y' } },
        y: { on: { GO: 'x' } },
      },
    },
    b: { initial: 'p', states: { p: {} } },
  },
  on: { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

t.test('the patch is applied: an assign-only step reuses the state value and tags of its configuration', async (t) => {
  const actor = createActor(machine).start();
  const before = actor.getSnapshot();
  actor.send({ type: 'INC' });
  const after = actor.getSnapshot();
  t.not(after, before, 'a new snapshot (the context changed)');
  t.equal(after.context.n, 1);
  t.equal(after.value, before.value, 'same configuration: the same state value object');
  t.equal(after.tags, before.tags, 'and the same tags set');
  t.same(after.value, { a: 'x', b: 'p' });
  const other = createActor(machine).start();
  t.equal(other.getSnapshot().value, after.value, 'another actor in the same configuration shares the value');
  other.stop();
  actor.stop();
});

t.test(
  'state changes still give fresh values; eventless transitions still fire when their guard turns true',
  async (t) => {
    const actor = createActor(machine).start();
    actor.send({ type: 'GO' });
    t.same(actor.getSnapshot().value, { a: 'y', b: 'p' });
    t.notOk(actor.getSnapshot().hasTag('busy'));
    actor.send({ type: 'GO' });
    t.same(actor.getSnapshot().value, { a: 'x', b: 'p' });
    t.ok(actor.getSnapshot().hasTag('busy'));
    actor.send({ type: 'INC' });
    actor.send({ type: 'INC' });
    t.same(actor.getSnapshot().value, { a: 'x', b: 'p' }, 'guard false: no eventless step');
    actor.send({ type: 'INC' });
    t.same(actor.getSnapshot().value, { a: 'y', b: 'p' }, 'n = 3: the always transition is taken');
    actor.stop();
  },
);

// The patch keys shared configurations (and their state value and tags) by the state nodes' `order`. XState gives
// two nodes the same order when two of them have the same id (an explicit `id` repeated, or a key with a dot that
// spells another node's id): the patched build then confuses configurations (see the review case in
// xstate-patch-differential-2.test.ts). Until the patch keys by node identity, the call machine must not do that.
t.test('every state node of the call machine has its own id and order', async (t) => {
  const nodes: { id: string; order: number; states: Record<string, unknown> }[] = [];
  const walk = (n: { id: string; order: number; states: Record<string, unknown> }) => {
    nodes.push(n);
    for (const child of Object.values(n.states)) walk(child as typeof n);
  };
  walk(callMachine.root as unknown as (typeof nodes)[number]);
  t.ok(nodes.length > 10, `${nodes.length} state nodes`);
  t.equal(new Set(nodes.map((n) => n.id)).size, nodes.length, 'ids unique');
  t.equal(new Set(nodes.map((n) => n.order)).size, nodes.length, 'orders unique');
});

type XState = typeof patched;
const require = createRequire(import.meta.url);
const reference = require(join(dirname(require.resolve('xstate')), 'xstate.development.cjs.js')) as XState;

// Differences from published XState found in review (2026-11-26), fixed in the patch since. Each case runs one
// scenario on the patched build and on XState's unpatched development build (as xstate-patch-differential*.test.ts
// do) and compares.
const both = <T>(f: (xs: XState) => T) => ({ want: f(reference), got: f(patched) });

t.test('two states with the same explicit id (XState accepts it)', async (t) => {
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
});

t.test("state value key order and tag order follow each snapshot's own _nodes", async (t) => {
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
});

t.test('a context with an own "__proto__" key (from JSON.parse) after an assign', async (t) => {
  const { want, got } = both((xs) => {
    const m = xs.createMachine({
      types: {} as { context: Record<string, unknown> },
      context: ({ input }) => input as Record<string, unknown>,
      on: { INC: { actions: xs.assign({ n: ({ context }) => Number(context.n) + 1 }) } },
    });
    const actor = xs.createActor(m, { input: JSON.parse('{"__proto__": {"admin": true}, "n": 0}') as unknown }).start();
    const first = actor.getSnapshot().context;
    actor.send({ type: 'INC' });
    const after = actor.getSnapshot().context;
    return [JSON.stringify(first), first.admin, JSON.stringify(after), Object.keys(after)];
  });
  t.same(got, want, 'Object.assign({}, …) sets the prototype; spread makes an own property');
});

t.test('the pure transition API on a snapshot that is already done', async (t) => {
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
});

t.test('entering a compound state whose initial state does not exist', async (t) => {
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
});

t.test('editing one persisted snapshot leaves the other actors alone', async (t) => {
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
});

t.test('a snapshot deep-frozen by its holder (StateNodes included)', async (t) => {
  const freeze = (o: unknown, seen = new Set<unknown>()): void => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
    seen.add(o);
    Object.freeze(o);
    for (const k of Reflect.ownKeys(o)) freeze(Object.getOwnPropertyDescriptor(o, k)?.value, seen);
  };
  const { want, got } = both((xs) => {
    const m = xs.createMachine({ initial: 'a', states: { a: { on: { GO: 'b' } }, b: { on: { GO: 'a' } } } });
    const actor = xs.createActor(m);
    const errors: string[] = [];
    actor.subscribe({ error: (e) => void errors.push((e as Error).message) });
    freeze(actor.start().getSnapshot()); // e.g. a store that deep-freezes what it holds in development
    actor.send({ type: 'GO' });
    return [actor.getSnapshot().status, actor.getSnapshot().value, errors];
  });
  t.same(got, want, 'the patched StateNode.next defines its candidates map on the node when first called: TypeError');
});
