import t from 'tap';
import { createActor, fromCallback, fromPromise, SimulatedClock, type InspectionEvent } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import type { AgentTurnLedger } from '../../machines/events.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { speakerActor } from '../../src/call/speaker-actor.js';
import type { OutboundPlayer } from '../../src/telephony/outbound-player.js';
import { waitFor } from '../support/wait.js';
import { log, MockTts, RecordingPlayer } from './tts-prefetch-helpers.js';

// The real call machine with the real speaker actor: Twilio's intermediate mark echoes stay in the speaker (none
// reaches the machine as an event), and what the last one said was heard is what the ledger and the history
// record when the machine cuts the utterance.

/** A player whose echoes the test sends: it only records what it was given and that it was cleared. */
class ManualPlayer extends RecordingPlayer {
  readonly enqueued: string[] = [];
  clears = 0;
  override enqueue(a: Parameters<RecordingPlayer['enqueue']>[0]): void {
    this.enqueued.push(a.utteranceId);
  }
  override clear() {
    this.clears++;
    return super.clear();
  }
}

function call() {
  const player = new ManualPlayer();
  const clock = new SimulatedClock();
  const fromChildren: string[] = [];
  const ledger: AgentTurnLedger[] = [];
  const machine = callMachine.provide({
    actors: {
      asr: fromCallback(() => {}),
      reply: fromCallback(() => {}),
      speaker: speakerActor(new MockTts(), player as unknown as OutboundPlayer, () => clock.now(), log),
      hangup: fromPromise(async () => {}),
    },
  });
  // Of the invoked actors only the speaker says anything here (the recogniser and the reply are silent fakes).
  const inspect = (e: InspectionEvent) => {
    if (
      e.type === '@xstate.event' &&
      e.actorRef.sessionId === e.rootId &&
      e.sourceRef !== undefined &&
      e.sourceRef !== e.actorRef
    )
      fromChildren.push(e.event.type);
  };
  const timing = { ...DEFAULT_TIMING, greetingUninterruptibleMs: 0 };
  const actor = createActor(machine, {
    clock,
    inspect,
    input: { callId: 'c1', direction: 'inbound', gymName: 'Iron Temple', timing },
  });
  actor.on('ledger.agentTurn', (e) => ledger.push(e));
  actor.start();
  actor.send({ type: 'MEDIA.START' });
  clock.increment(0);
  return { player, actor, fromChildren, ledger };
}

t.test('a barge-in records the heard text of the last echoed mark; no mark reached the machine', async (t) => {
  const c = call();
  await waitFor(() => c.player.enqueued.length === 2, { intervalMs: 0, what: 'the greeting to reach the player' });
  const [intro, question] = c.player.enqueued as [string, string];
  const l = c.player.listener;
  l.started?.(intro, '');
  l.progress?.(intro, 'Hi,', 200);
  l.progress?.(intro, 'Hi, this is', 400);
  l.progress?.(intro, c.actor.getSnapshot().context.agentTurn!.utterances[0]!.text, 2000);
  l.played?.(intro);
  l.started?.(question, '');
  l.progress?.(question, 'Could you', 200);
  l.progress?.(question, 'Could you tell me', 400);
  t.same(c.fromChildren, ['SPEAKER.STARTED', 'SPEAKER.PLAYED', 'SPEAKER.STARTED'], 'only starts and ends');
  c.actor.send({ type: 'ASR.PARTIAL', text: 'sorry who is this' });
  t.equal(c.player.clears, 1, 'the agent stopped');
  const turn = c.ledger.at(-1)!;
  t.equal(turn.interrupted, true);
  t.match(turn.utterances[1], { status: 'cut', heardText: 'Could you tell me' });
  t.match(c.actor.getSnapshot().context.history.at(-1), { speaker: 'agent', interrupted: true });
  t.match(c.actor.getSnapshot().context.history.at(-1)!.text, /Could you tell me$/);
  c.actor.stop();
});

t.test('a hang-up mid-sentence records the last echoed mark too', async (t) => {
  const c = call();
  await waitFor(() => c.player.enqueued.length === 2, { intervalMs: 0, what: 'the greeting to reach the player' });
  const [intro] = c.player.enqueued as [string, string];
  c.player.listener.started?.(intro, '');
  c.player.listener.progress?.(intro, 'Hi, this is', 400);
  c.actor.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.match(c.ledger.at(-1)!.utterances[0], { status: 'cut', heardText: 'Hi, this is' });
  t.same(c.fromChildren, ['SPEAKER.STARTED']);
});
