import t from 'tap';
import { createActor, SimulatedClock } from 'xstate';
import type { MachineEvent } from '../../machines/events.js';
import type { CallInput } from '../../machines/events.js';
import { hasPending } from '../../machines/context.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { eventsFor, type Snap } from './model.events.js';
import { inertMachine, rng } from './harness.js';

// Cross-region invariants the guards rely on: an LLM reply runs only while the agent holds or is about to take the
// floor (turnFinishes and the barge-in paths assume it), an early (preemptive) one only while the end of the
// caller's turn is awaited; the playback region is `playing` whenever the agent turn
// has audio at Twilio; the caller never has the floor with an agent turn left open. Seeded random walks over
// the model test's event sampler check them after every event.

const machine = inertMachine();

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
    const turn = JSON.stringify((s.value as { live: { turn: unknown } }).live.turn);
    const committed = s.matches({ live: { reply: { generating: 'committed' } } });
    if (committed && !/^"(thinking|interrupted)"$|^\{"speaking"/.test(turn))
      problems.push(`seed ${seed}: reply generating while the turn is ${turn}`);
    // An early reply (preemptive generation) runs only while the caller has the floor: during the end-of-turn wait,
    // or while she is heard if the recogniser closed her words first.
    const early = s.matches({ live: { reply: { generating: 'preemptive' } } });
    if (early && !/^\{"listening":(\{"endpointing"|"hearing")/.test(turn))
      problems.push(`seed ${seed}: an early reply runs while the turn is ${turn}`);
    if (hasPending(s.context) && !s.matches({ live: { playback: 'playing' } }))
      problems.push(`seed ${seed}: playback ${JSON.stringify(s.value)} but pending=${hasPending(s.context)}`);
    if (turn.startsWith('{"listening"') && s.context.agentTurn !== undefined)
      problems.push(`seed ${seed}: an agent turn is open while the caller has the floor (${turn})`);
    if (problems.length > 0) {
      problems.push(`after ${trail.slice(-8).join(' → ')}`);
      break;
    }
  }
  actor.stop();
  return { problems, taken: trail.length };
}

t.test('the regions agree with each other and with the context (seeded random walks)', async (t) => {
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
