import t from 'tap';
import { fromCallback, fromPromise, SimulatedClock, type EventObject } from 'xstate';
import type {
  AsrCommand,
  HangupInput,
  KeypadInput,
  ReplyInput,
  SpeakerCommand,
  TransferInput,
  TransferOutput,
} from '../../machines/events.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { createCallActor, type CallPorts } from '../../src/call/call-actor.js';

// src/call/session.ts runs every call on ONE provided machine whose invoked actors delegate to the logic of the
// call they belong to. Two calls side by side must each drive only their own providers, and stopping one must
// stop only its own actors.

function ports() {
  const said: string[] = [];
  const stopped = { asr: false, speaker: false };
  const p: CallPorts = {
    asr: fromCallback<AsrCommand, { callId: string }>(() => () => {
      stopped.asr = true;
    }),
    speaker: fromCallback<SpeakerCommand, { callId: string }>(({ receive }) => {
      receive((e) => {
        if (e.type === 'SPEAKER.SAY') said.push(e.utteranceId);
      });
      return () => {
        stopped.speaker = true;
      };
    }),
    reply: fromCallback<EventObject, ReplyInput>(() => {}),
    hangup: fromPromise<void, HangupInput>(async () => {}),
    keypad: fromPromise<void, KeypadInput>(async () => {}),
    transfer: fromPromise<TransferOutput, TransferInput>(async () => ({ to: null, dialled: false })),
  };
  return { p, said, stopped };
}

t.test('calls on the shared machine each drive their own invoked actors', async (t) => {
  const a = ports();
  const b = ports();
  const input = (callId: string) => ({ callId, direction: 'inbound' as const, gymName: 'Gym', timing: DEFAULT_TIMING });
  const actorA = createCallActor(a.p, { input: input('A'), clock: new SimulatedClock() });
  const actorB = createCallActor(b.p, { input: input('B'), clock: new SimulatedClock() });
  t.equal(actorA.logic, actorB.logic, 'one provided machine for both calls');
  const errors: unknown[] = [];
  for (const actor of [actorA, actorB]) actor.subscribe({ error: (e) => errors.push(e) });
  actorA.start();
  actorB.start();
  actorA.send({ type: 'MEDIA.START' });
  t.ok(a.said.length > 0, "A's greeting went to A's speaker");
  t.ok(
    a.said.every((id) => id.startsWith('A:')),
    'only A utterances',
  );
  t.same(b.said, [], "B's speaker heard nothing of A");
  actorB.send({ type: 'MEDIA.START' });
  t.ok(b.said.length > 0 && b.said.every((id) => id.startsWith('B:')), "B's greeting went to B's speaker");
  actorA.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(actorA.getSnapshot().status, 'done');
  t.same(a.stopped, { asr: true, speaker: true }, "A's actors stopped");
  t.same(b.stopped, { asr: false, speaker: false }, "B's actors still running");
  actorB.stop();
  t.same(errors, []);
});
