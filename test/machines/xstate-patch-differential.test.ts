import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import * as patched from 'xstate';
import { rng } from './harness.js';

// Differential test of patches/xstate+5.33.3.patch: the same machines, built with the patched production build
// and with XState's development build (same algorithm, never patched), receive the same seeded random event
// sequences; after every step the two must agree on state value, context, status, children and the order in which
// every entry, exit, transition and invoked-actor action ran. One machine has no history state, so the patched
// build runs it through its cached microstep plans; the other has one, so it takes XState's general path.

type XState = typeof patched;
const require = createRequire(import.meta.url);
const reference = require(join(dirname(require.resolve('xstate')), 'xstate.development.cjs.js')) as XState;

function fuzzMachine(xs: XState, log: string[], withHistory: boolean) {
  const note = (what: string) => () => void log.push(what);
  const region = (name: string) => ({ entry: note(name), exit: note(`~${name}`) });
  return xs
    .createMachine({
      id: 'f',
      types: {} as { context: { n: number; words: string } },
      context: { n: 0, words: '' },
      initial: 'live',
      states: {
        live: {
          type: 'parallel',
          ...region('live'),
          onDone: { actions: note('live done') },
          on: {
            END: 'over',
            INC: { actions: xs.assign({ n: ({ context }) => context.n + 1 }) },
            WORD: { actions: [xs.assign({ words: ({ context }) => `${context.words}w` }), note('word')] },
          },
          states: {
            a: {
              initial: 'a1',
              ...region('a'),
              states: {
                a1: {
                  ...region('a1'),
                  on: {
                    X: { target: 'a2', actions: note('X:a1→a2') },
                    R: {
                      target: 'a1',
                      reenter: true,
                      actions: [note('R:reenter a1'), xs.assign({ words: ({ context }) => `${context.words}y` })],
                    },
                    Z: { target: '#f.live.b.b2.deep', actions: note('Z:→deep') },
                  },
                },
                a2: {
                  ...region('a2'),
                  initial: 'p',
                  invoke: { src: 'ticker', id: 'tick' },
                  always: { guard: ({ context }) => context.n > 6, target: 'a3', actions: note('always→a3') },
                  on: {
                    X: { target: 'a1', guard: xs.stateIn('#f.live.b.b1'), actions: note('X:a2→a1') },
                    W: { target: '.q', actions: xs.raise({ type: 'INC' }) },
                    PING: { actions: xs.sendTo('tick', { type: 'PING' }) },
                    TICK: { actions: [note('tick'), xs.assign({ n: ({ context }) => context.n + 2 })] },
                  },
                  states: {
                    p: { ...region('p'), on: { X: 'q' } },
                    q: { ...region('q'), after: { 50: { target: 'p', actions: note('after 50') } } },
                    ...(withHistory ? { h: { type: 'history' as const } } : {}),
                  },
                },
                a3: {
                  ...region('a3'),
                  on: { X: { target: 'a1', actions: xs.assign({ n: 0 }) } },
                },
              },
            },
            b: {
              initial: 'b1',
              ...region('b'),
              states: {
                b1: {
                  ...region('b1'),
                  on: {
                    X: { target: 'b2', guard: xs.not(xs.stateIn('#f.live.a.a1')) },
                    Y: { target: 'b2', actions: xs.raise({ type: 'WORD' }, { delay: 30, id: 'later' }) },
                  },
                },
                b2: {
                  ...region('b2'),
                  initial: 'shallow',
                  on: {
                    Y: { target: 'b1', actions: xs.cancel('later') },
                    W: withHistory ? { target: '#f.live.a.a2.h' } : { target: 'b1' },
                  },
                  states: { shallow: { ...region('shallow'), on: { Z: 'deep' } }, deep: { ...region('deep') } },
                },
              },
            },
            c: {
              initial: 'idle',
              states: {
                idle: { on: { INC: { target: 'busy', guard: xs.and([xs.stateIn('#f.live.a.a2'), 'even']) } } },
                busy: {
                  ...region('busy'),
                  after: { 20: 'idle' },
                  on: { END: { actions: note('END seen by c') }, WORD: { target: 'finished', guard: 'even' } },
                },
                finished: { ...region('finished'), type: 'final' as const },
              },
            },
          },
        },
        over: { type: 'final', ...region('over') },
      },
    })
    .provide({
      guards: { even: ({ context }) => context.n % 2 === 0 },
      actors: {
        ticker: xs.fromCallback(({ sendBack, receive }) => {
          log.push('ticker started');
          receive(() => sendBack({ type: 'TICK' }));
          return () => void log.push('ticker stopped');
        }),
      },
    });
}

// END is rare (1 in 64) so that most runs go deep before the machine finishes.
const EVENTS = ['R', 'X', 'Y', 'Z', 'W', 'INC', 'WORD', 'PING', '+10ms', '+40ms'];

function run(xs: XState, seed: number, steps: number, withHistory: boolean): string[] {
  const log: string[] = [];
  const clock = new xs.SimulatedClock();
  const actor = xs.createActor(fuzzMachine(xs, log, withHistory), { clock });
  const states: string[] = [];
  actor.subscribe({ error: (e) => void log.push(`error ${String(e)}`) });
  actor.start();
  const random = rng(seed);
  for (let i = 0; i < steps; i++) {
    const e = random() < 1 / 64 ? 'END' : EVENTS[Math.floor(random() * EVENTS.length)]!;
    if (e.startsWith('+')) clock.increment(Number(e.slice(1, -2)));
    else actor.send({ type: e });
    const snap = actor.getSnapshot();
    states.push(
      `${e} ${JSON.stringify(snap.value)} ${JSON.stringify(snap.context)} ${snap.status} ` +
        `[${Object.keys(snap.children).sort().join(',')}] ${log.splice(0).join('|')}`,
    );
    if (snap.status !== 'active') break;
  }
  actor.stop();
  return states;
}

for (const withHistory of [false, true]) {
  t.test(
    `patched and reference XState agree step by step (${withHistory ? 'with' : 'no'} history state)`,
    async (t) => {
      let steps = 0;
      let ended = 0;
      for (let seed = 1; seed <= 150; seed++) {
        const want = run(reference, seed, 60, withHistory);
        const got = run(patched, seed, 60, withHistory);
        const at = want.findIndex((w, i) => got[i] !== w);
        if (at >= 0 || got.length !== want.length) {
          t.fail(`seed ${seed} diverges at step ${at}`, { found: got[at], wanted: want[at] });
          return;
        }
        steps += want.length;
        if (want.at(-1)!.includes(' done ')) ended++;
      }
      t.ok(steps > 3000, `${steps} steps compared`);
      t.ok(ended > 10, `${ended} runs reached the final state`);
    },
  );
}

t.test(
  'the reference build really is unpatched (otherwise this test would compare the patch with itself)',
  async (t) => {
    const m = reference.createMachine({ initial: 'a', states: { a: { on: { GO: 'b' } }, b: { on: { GO: 'a' } } } });
    const one = reference.createActor(m).start();
    const two = reference.createActor(m).start();
    one.send({ type: 'GO' });
    two.send({ type: 'GO' });
    t.not(one.getSnapshot()._nodes, two.getSnapshot()._nodes, 'each actor builds its own configuration');
    const p = patched.createMachine({ initial: 'a', states: { a: { on: { GO: 'b' } }, b: { on: { GO: 'a' } } } });
    const three = patched.createActor(p).start();
    const four = patched.createActor(p).start();
    three.send({ type: 'GO' });
    four.send({ type: 'GO' });
    t.equal(three.getSnapshot()._nodes, four.getSnapshot()._nodes, 'patched: one shared configuration');
  },
);
