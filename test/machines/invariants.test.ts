import t from 'tap';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { callMachine, type MachineEvent } from '../../machines/call.machine.js';
import type { CallInput } from '../../machines/events.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { eventsFor, type Snap } from './model.events.js';

// Context flags that mirror a region's state. The machine relies on them being exact: guards read the flag
// where XState guards cannot see other regions (VAD.SILENCE is handled by the turn region only while
// `callerSpeaking`; `replyActive` is set by requestReply together with the REPLY.REQUEST that starts the reply
// region). Seeded random walks over the model test's event sampler check them after every event.

const machine = callMachine.provide({
  actors: {
    asr: fromCallback(() => {}),
    speaker: fromCallback(() => {}),
    reply: fromCallback(() => {}),
    hangup: fromPromise(async () => {}),
  },
});

/** Deterministic PRNG (mulberry32) so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const endsCall = (e: MachineEvent) =>
  e.type === 'CALL.HANGUP' ||
  e.type === 'SPEAKER.ERROR' ||
  (e.type === 'ASR.ERROR' && e.fatal) ||
  e.type.startsWith('xstate.after.MAX_CALL') ||
  e.type.startsWith('xstate.error.actor');

function walk(seed: number, direction: CallInput['direction'], steps: number): { problems: string[]; taken: number } {
  const random = rng(seed);
  const actor = createActor(machine, {
    clock: new SimulatedClock(),
    input: { callId: 'c1', direction, gymName: 'Iron Temple', timing: DEFAULT_TIMING },
  });
  const problems: string[] = [];
  actor.subscribe({ error: (err) => problems.push(`seed ${seed}: actor error ${String(err)}`) });
  actor.start();
  const trail: string[] = [];
  for (let i = 0; i < steps && actor.getSnapshot().status === 'active'; i++) {
    // Events that end the call are left out so walks get deep into the conversation (other tests cover them).
    const options = eventsFor(actor.getSnapshot() as unknown as Snap).filter((e) => !endsCall(e));
    const event: MachineEvent = options[Math.floor(random() * options.length)]!;
    actor.send(event);
    trail.push(event.type);
    const s = actor.getSnapshot();
    if (s.status !== 'active') break;
    const speaking = s.matches({ live: { caller: 'speaking' } });
    const generating = s.matches({ live: { reply: 'generating' } });
    if (s.context.callerSpeaking !== speaking)
      problems.push(
        `seed ${seed}: callerSpeaking=${s.context.callerSpeaking} in caller.${speaking ? 'speaking' : '?'}`,
      );
    if (s.context.replyActive !== generating)
      problems.push(`seed ${seed}: replyActive=${s.context.replyActive}, generating=${generating}`);
    if (problems.length > 0) {
      problems.push(`after ${trail.slice(-8).join(' → ')}`);
      break;
    }
  }
  actor.stop();
  return { problems, taken: trail.length };
}

t.test('callerSpeaking and replyActive always mirror their regions (seeded random walks)', async (t) => {
  const problems: string[] = [];
  let taken = 0;
  for (let seed = 1; seed <= 100 && problems.length === 0; seed++) {
    const w = walk(seed, seed % 3 === 0 ? 'outbound' : 'inbound', 150);
    problems.push(...w.problems);
    taken += w.taken;
  }
  t.comment(`${taken} events checked`);
  t.ok(taken > 3000, 'the walks get somewhere');
  t.same(problems, [], 'no walk broke an invariant');
});
