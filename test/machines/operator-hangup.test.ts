import t from 'tap';
import { greeted, harness } from './harness.js';

// OPERATOR.HANGUP (the live monitor's hang-up button): from any turn state the agent stops what it is saying and
// hangs up at once, without a goodbye; the call ends with reason operator-hangup and the cut turn is recorded.

t.test('mid-sentence: the agent is cut, no goodbye, hung up with reason operator-hangup', async (t) => {
  const h = greeted();
  h.callerSays('We are open six to ten.');
  h.advance(400);
  h.llm('Thanks, and how much does a membership cost?');
  h.startSpeaking(h.says().at(-1)!.utteranceId);
  const said = h.says().length;
  h.send({ type: 'OPERATOR.HANGUP' });
  t.equal(h.turn(), 'closing.hangingUp');
  t.equal(h.clears(), 1, 'what was playing is stopped');
  t.equal(h.says().length, said, 'no goodbye is queued');
  h.send({ type: 'OPERATOR.HANGUP' });
  await h.settle();
  t.same(h.hangups, [{ callId: 'c1', reason: 'operator-hangup' }], 'one hang-up, even when pressed twice');
  t.equal(h.state(), 'ended');
  t.equal(h.ofType('ledger.agentTurn').at(-1)!.interrupted, true, 'the cut turn is recorded as cut');
  t.match(h.ofType('call.ended')[0], { reason: 'operator-hangup' });
});

t.test('before the media stream started: hung up at once', async (t) => {
  const h = harness({ direction: 'outbound' });
  h.send({ type: 'OPERATOR.HANGUP' });
  await h.settle();
  t.same(h.hangups, [{ callId: 'c1', reason: 'operator-hangup' }]);
  t.equal(h.state(), 'ended');
});
