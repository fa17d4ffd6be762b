import t from 'tap';
import { callMachine } from '../../machines/call.machine.js';
import { stateString } from '../../src/call/state-string.js';
import { callStatus, TURN_STATUS } from '../../src/demo/status.js';

// The demo's status line: the call machine's state in words, never a state path (cut mid-word before).

/** "listening.endpointing.short" as a state value: {listening: {endpointing: 'short'}}. */
type Value = string | { [k: string]: Value };
const nested = (path: string[]): Value =>
  path.length === 1 ? (path[0] as string) : { [path[0] as string]: nested(path.slice(1)) };

const live = (turn: string, o: { caller?: string; reply?: string; playback?: string } = {}) =>
  stateString({
    live: {
      caller: o.caller ?? 'silent',
      reply: o.reply ?? 'idle',
      playback: o.playback ?? 'idle',
      turn: nested(turn.split('.')),
    },
  });

t.test('states read as what a watcher sees', async (t) => {
  t.equal(callStatus(live('connecting')), 'connecting the audio stream');
  t.equal(callStatus(live('awaitingHello')), 'waiting for the gym to say hello');
  t.equal(callStatus(live('awaitingHello', { caller: 'speaking' })), 'gym speaking');
  t.equal(callStatus(live('awaitingHello.hearing', { caller: 'speaking' })), 'gym speaking');
  t.equal(callStatus(live('awaitingHello.settling')), 'waiting for the gym to say hello');
  t.equal(callStatus(live('greeting', { playback: 'playing' })), 'agent greeting');
  t.equal(callStatus(live('listening.waiting')), 'listening');
  t.equal(callStatus(live('listening.hearing', { caller: 'speaking' })), 'gym speaking');
  t.equal(
    callStatus(live('listening.endpointing', { reply: 'generating.preemptive' })),
    'has the gym finished? (preparing a reply)',
  );
  t.equal(callStatus(live('thinking', { reply: 'generating.committed' })), 'thinking');
  t.equal(callStatus(live('speaking.flowing', { playback: 'playing' })), 'agent speaking');
  t.equal(callStatus(live('closing.farewell.waiting')), 'saying goodbye');
  t.equal(callStatus(live('listening.endpointing.long')), 'has the gym finished?');
  t.equal(callStatus('draining'), 'gym hung up');
  t.equal(callStatus('ended'), 'call ended');
});

interface Node {
  key: string;
  states: Record<string, Node>;
}

/** Every state path under a node, as the turn region's value reads ("listening.waiting"). */
function paths(node: Node, prefix = ''): string[] {
  const children = Object.values(node.states);
  if (children.length === 0) return [prefix];
  return children.flatMap((c) => paths(c, prefix === '' ? c.key : `${prefix}.${c.key}`));
}

t.test('every state of the turn region has a wording: no path, no camelCase, no cut word', async (t) => {
  const turn: Node = callMachine.getStateNodeById('call.live.turn');
  const all = paths(turn);
  t.ok(all.length >= 10, `${all.length} turn states`);
  for (const p of all) {
    const status = callStatus(live(p));
    t.ok(Object.values(TURN_STATUS).includes(status), `${p} → "${status}" (a wording of its own)`);
    t.ok(status.length <= 40, `${p}: short enough for the status line`);
  }
});
