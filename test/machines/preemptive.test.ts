import t from 'tap';
import { greeted } from './harness.js';

// Turn latency (issue 7) at the machine level: the end-of-turn wait counts from the caller's last voiced frame,
// and preemptive generation starts the reply on the recogniser's final during that wait, holding its output
// until the turn commits. SimulatedClock throughout. The words here are unpunctuated (as the offline recogniser
// gives them), so the short wait decides; the semantic end of turn is end-of-turn.test.ts's.

t.test('the end-of-turn wait counts from the last voiced frame, not from the silence edge', async (t) => {
  for (const fromLastVoice of [true, false]) {
    const h = greeted({ timing: { endpointFromLastVoice: fromLastVoice } });
    h.voiceOn();
    h.advance(800);
    h.final('We open at six');
    h.advance(200); // the VAD's hangover: the edge arrives 200 ms after the last voiced frame
    h.send({ type: 'VAD.SILENCE', atMs: h.now - 200, detectedAtMs: h.now });
    h.advance(199);
    t.match(h.turn(), /^listening\.endpointing\./, `${fromLastVoice}: still waiting after 199 ms`);
    h.advance(1);
    t.match(h.turn(), fromLastVoice ? 'thinking' : /^listening\.endpointing\./, `${fromLastVoice}: at 200 ms`);
    h.advance(200);
    t.equal(h.turn(), 'thinking', `${fromLastVoice}: committed by 400 ms after the edge`);
  }
});

t.test('preemptive: the reply starts on the final and is adopted when the turn commits with those words', async (t) => {
  const h = greeted();
  const before = h.replies.length;
  h.callerSays('We open at six');
  t.match(h.turn(), /^listening\.endpointing\./, 'still waiting for the end of the turn');
  t.equal(h.replies.length, before + 1, 'the reply started during the wait');
  const early = h.reply()!;
  t.equal(early.input.speculative, true);
  t.match(early.input.history.at(-1), { speaker: 'caller', text: 'We open at six' }, 'on the words so far');
  h.advance(400);
  t.equal(h.turn(), 'thinking');
  t.equal(h.replies.length, before + 1, 'no second request: the early reply is the reply');
  t.notOk(early.stopped);
  t.same(early.received, ['REPLY.ADOPTED'], 'told it was adopted (latency counts from here)');
  h.llm('Thanks, noted.');
  t.same(h.saidTexts().slice(-1), ['Thanks, noted.']);
  h.playAll(300);
  t.equal(h.turn(), 'listening.waiting');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'We open at six', endpoint: 'short' });
});

t.test('preemptive: a sentence that arrives before the commit is held, then spoken once', async (t) => {
  const h = greeted();
  h.callerSays('We open at six');
  const said = h.says().length;
  h.send({ type: 'REPLY.SENTENCE', text: 'Thanks, noted.' });
  h.send({ type: 'REPLY.FACTS', facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } } });
  h.send({ type: 'REPLY.DONE' });
  t.equal(h.says().length, said, 'nothing reaches the speaker before the end of the turn');
  t.same(h.ofType('ledger.facts'), [], 'nor are its facts recorded yet');
  t.match(h.turn(), /^listening\.endpointing\./);
  h.advance(400);
  t.equal(h.turn(), 'speaking.flowing', 'the held sentence goes out at the commit');
  t.same(h.saidTexts().slice(said), ['Thanks, noted.'], 'exactly once');
  t.equal(h.ofType('ledger.facts').length, 1, 'its facts recorded once');
  h.playAll(300);
  t.equal(h.turn(), 'listening.waiting', 'the held REPLY.DONE ended the reply');
  t.equal(h.saidTexts().filter((s) => s === 'Thanks, noted.').length, 1);
  t.match(h.ofType('ledger.agentTurn').at(-1), { text: 'Thanks, noted.', heardText: 'Thanks, noted.' });
});

t.test('preemptive: the caller resumes speaking, the early reply is aborted and its output dropped', async (t) => {
  const h = greeted();
  h.callerSays('We open at six.');
  const early = h.reply()!;
  h.send({ type: 'REPLY.SENTENCE', text: 'Great, six it is.' });
  h.voiceOn();
  h.advance(150);
  t.equal(h.turn(), 'listening.hearing');
  t.ok(early.stopped, 'the LLM request is aborted');
  h.final('And we close at ten.');
  h.voiceOff();
  const second = h.reply()!;
  t.not(second, early, 'a new early reply on all the words');
  t.match(second.input.history.at(-1), { text: 'We open at six. And we close at ten.' });
  h.advance(400);
  t.equal(h.turn(), 'thinking');
  t.same(second.received, ['REPLY.ADOPTED']);
  h.llm('Thanks!');
  t.notOk(h.saidTexts().includes('Great, six it is.'), 'the aborted reply never speaks');
  t.ok(h.saidTexts().includes('Thanks!'));
});

t.test('preemptive: changed transcript during the wait or at the commit restarts the reply', async (t) => {
  const h = greeted();
  h.callerSays('We open at six and');
  const first = h.reply()!;
  t.equal(first.input.speculative, true);
  h.advance(400);
  t.equal(h.turn(), 'listening.endpointing.long', 'ends on a conjunction: the long wait');
  h.send({ type: 'REPLY.SENTENCE', text: 'Six, great.' });
  h.final('close at ten.');
  t.equal(h.turn(), 'thinking', 'the late final completes the utterance');
  t.ok(first.stopped, 'the reply on the old words is aborted');
  const second = h.reply()!;
  t.not(second, first);
  t.notOk(second.input.speculative, 'a fresh reply on the committed words');
  t.match(second.input.history.at(-1), { text: 'We open at six and close at ten.' });
  h.llm('Thanks!');
  t.notOk(h.saidTexts().includes('Six, great.'), 'nothing of the aborted reply is said');

  // A new final while the short wait runs: the early reply is restarted on the new words.
  const g = greeted();
  g.callerSays('We open at six.');
  const a = g.reply()!;
  g.final('On weekends at eight.');
  const b = g.reply()!;
  t.ok(a.stopped);
  t.not(b, a);
  t.match(b.input.history.at(-1), { text: 'We open at six. On weekends at eight.' });
  g.advance(400);
  t.same(b.received, ['REPLY.ADOPTED']);
  t.notOk(b.stopped);
});

t.test('preemptive generation off: the reply is requested only at the end of the turn', async (t) => {
  const h = greeted({ timing: { preemptiveGeneration: false } });
  const before = h.replies.length;
  h.callerSays('We open at six.');
  t.equal(h.replies.length, before, 'nothing before the end of the turn');
  h.advance(400);
  t.equal(h.replies.length, before + 1);
  t.notOk(h.reply()!.input.speculative);
});
