import t from 'tap';
import { greeted, type Harness } from './harness.js';

// Early reply at a pause (issue 15 item 4), SimulatedClock throughout: ASR.STABLE (her voice paused, long before
// the VAD's hangover, on interim words) starts the held reply when the words look complete; the turn adopts it
// only when it ends on the same words (case and punctuation aside), so nothing she did not say is ever answered;
// at most one early request runs, and metrics count them.

/** She speaks for `ms` and her voice pauses with the interim `text` in hand. Returns her last voiced frame. */
function pausesOn(h: Harness, text: string, ms = 900): number {
  h.voiceOn();
  h.advance(ms);
  h.send({ type: 'ASR.PARTIAL', text });
  h.advance(80);
  h.send({ type: 'ASR.STABLE', text });
  return h.now - 80;
}

function finalAndEdge(h: Harness, text: string, lastVoice: number): void {
  h.send({ type: 'ASR.FINAL', text, confidence: 0.9, speechFinal: true, startMs: lastVoice - 900, endMs: lastVoice });
  h.advance(Math.max(0, lastVoice + 200 - h.now));
  h.send({ type: 'VAD.SILENCE', atMs: lastVoice, detectedAtMs: h.now });
}

t.test('a pause on complete words starts the reply before the final; the same words adopt it', async (t) => {
  const h = greeted();
  const before = h.replies.length;
  const lastVoice = pausesOn(h, 'we open at six.');
  t.equal(h.turn(), 'listening.hearing', 'her turn has not ended: the VAD still hears her');
  t.equal(h.replies.length, before + 1, 'the early reply started at the pause');
  const early = h.reply()!;
  t.equal(early.input.speculative, true);
  t.match(early.input.history.at(-1), { speaker: 'caller', text: 'we open at six.' });
  h.send({ type: 'REPLY.SENTENCE', text: 'Thanks, noted.' });
  const said = h.says().length;
  h.advance(70);
  finalAndEdge(h, 'We open at six.', lastVoice);
  t.equal(h.replies.length, before + 1, 'the final has the same words: no second request');
  t.equal(h.says().length, said, 'held until the turn ends');
  while (h.turn() !== 'speaking.flowing' && h.now - lastVoice < 1000) h.advance(10);
  t.equal(h.now - lastVoice, 250, 'the turn still ends at the semantic wait, not at the pause');
  t.same(early.received, ['REPLY.ADOPTED']);
  t.same(h.saidTexts().slice(-1), ['Thanks, noted.']);
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'We open at six.' });
  t.match(h.ctx().metrics, { earlyReplies: 1, earlyRepliesAdopted: 1 });
});

t.test('she goes on after the pause: the early reply is dropped and never speaks', async (t) => {
  const h = greeted();
  pausesOn(h, 'We open at six.');
  const early = h.reply()!;
  h.send({ type: 'REPLY.SENTENCE', text: 'Great, six it is.' });
  // A thinking pause shorter than the VAD's hangover: her voice resumes, no silence edge came.
  h.advance(60);
  h.send({ type: 'ASR.PARTIAL', text: 'We open at six on weekdays' });
  h.advance(600);
  const lastVoice = h.now;
  finalAndEdge(h, 'We open at six on weekdays.', lastVoice);
  t.ok(early.stopped, 'the request on fewer words was aborted');
  const second = h.reply()!;
  t.not(second, early);
  t.match(second.input.history.at(-1), { text: 'We open at six on weekdays.' });
  h.advance(400);
  t.equal(h.turn(), 'thinking');
  t.same(second.received, ['REPLY.ADOPTED']);
  h.llm('Thanks!');
  t.notOk(h.saidTexts().includes('Great, six it is.'), 'words she did not say are never answered');
  t.ok(h.saidTexts().includes('Thanks!'));
  t.match(h.ctx().metrics, { earlyReplies: 2, earlyRepliesAdopted: 1 });
});

t.test('a pause on words that do not sound finished starts nothing', async (t) => {
  for (const text of ['we open at', 'um so', 'we open at six and']) {
    const h = greeted();
    const before = h.replies.length;
    pausesOn(h, text);
    t.equal(h.replies.length, before, `"${text}": no early request`);
    t.equal(h.ctx().metrics.earlyReplies, 0);
  }
  const off = greeted({ timing: { preemptiveGeneration: false } });
  const before = off.replies.length;
  pausesOn(off, 'We open at six.');
  t.equal(off.replies.length, before, 'preemptive generation off: nothing early');
});

t.test('at most one early request runs: each new pause on new words replaces the last', async (t) => {
  const h = greeted();
  pausesOn(h, 'We open at six.');
  const first = h.reply()!;
  h.send({ type: 'ASR.STABLE', text: 'We open at six.' });
  t.equal(h.reply(), first, 'the same words again: the same request');
  pausesOn(h, 'We open at six. We close at ten.');
  t.ok(first.stopped, 'the first was aborted before the second started');
  const running = h.replies.filter((r) => r.input.speculative === true && !r.stopped);
  t.equal(running.length, 1, 'one in flight');
  t.equal(h.ctx().metrics.earlyReplies, 2, 'both requests counted');
});

t.test('outside her speech a stable interim does nothing', async (t) => {
  const h = greeted();
  const before = h.replies.length;
  h.send({ type: 'ASR.STABLE', text: 'We open at six.' });
  t.equal(h.replies.length, before, 'listening, not hearing: nothing');
  t.equal(h.turn(), 'listening.waiting');
});
