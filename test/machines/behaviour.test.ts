import t from 'tap';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { greeted, harness, type Harness } from './harness.js';

// Named behaviours of issue 3, each driven event by event with a SimulatedClock.

const HOURS = { hours: { mon: { opens: '06:00', closes: '22:00' } } } as const;
const PRICING = { pricing: [{ plan: 'monthly', amountMinor: 4900, currency: 'USD', period: 'month' as const }] };
const CLASSES = { classes: [{ name: 'yoga' }] };

/** Greeted, the caller answered the hours question, the agent is thinking about its reply. */
function thinking(): Harness {
  const h = greeted();
  h.callerSays('We are open six to ten every day.');
  h.advance(400);
  return h;
}

t.test('barge-in mid-sentence: stop playback, cancel the reply, record what was heard, listen', async (t) => {
  const h = thinking();
  t.equal(h.turn(), 'thinking');
  h.send({ type: 'REPLY.SENTENCE', text: 'Great, so your gym is open from six in the morning until ten at night.' });
  t.equal(h.turn(), 'speaking.flowing');
  const say = h.says().at(-1)!;
  h.startSpeaking(say.utteranceId);
  h.hear(say.utteranceId, 'Great, so your gym');
  h.voiceOn();
  h.advance(150);
  t.equal(h.turn(), 'speaking.contested', 'speech over the agent is contested first');
  h.partial('wait actually we');
  t.equal(h.clears(), 1, 'Twilio clear sent');
  t.ok(h.reply()!.stopped, 'LLM reply aborted');
  t.equal(h.turn(), 'listening.hearing');
  const agent = h.ofType('ledger.agentTurn').at(-1)!;
  t.equal(agent.interrupted, true);
  t.equal(agent.heardText, 'Great, so your gym', 'heard text is what played before the cut');
  t.equal(agent.utterances[0]!.status, 'cut');
  t.equal(h.ctx().metrics.bargeIns, 1);
  h.final('wait actually we close at nine on fridays');
  h.voiceOff();
  h.advance(400);
  t.equal(h.turn(), 'thinking', "the caller's words become the next turn");
  const history = h.reply()!.input.history;
  t.same(history.at(-2), { speaker: 'agent', text: 'Great, so your gym', interrupted: true });
  t.match(history.at(-1), { speaker: 'caller', text: 'wait actually we close at nine on fridays' });
});

t.test('mark echoes are not events of the machine; a hang-up records what they said was heard', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.SENTENCE', text: 'Great, so your gym is open from six in the morning until ten at night.' });
  const say = h.says().at(-1)!;
  h.startSpeaking(say.utteranceId);
  const before = h.actor.getSnapshot();
  h.hear(say.utteranceId, 'Great, so');
  h.hear(say.utteranceId, 'Great, so your gym');
  t.equal(h.actor.getSnapshot(), before, 'the speaker keeps the marks: no new snapshot');
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  const agent = h.ofType('ledger.agentTurn').at(-1)!;
  t.equal(agent.interrupted, true);
  t.equal(agent.heardText, 'Great, so your gym', 'the last echoed mark, read at the hang-up');
  t.equal(agent.utterances[0]!.status, 'cut');
});

t.test('backchannel ignored: "uh-huh" over the agent never stops it', async (t) => {
  const h = thinking();
  h.llm('Thanks!', 'How much does a membership cost?');
  h.startSpeaking(h.says().at(-2)!.utteranceId);
  h.voiceOn();
  h.advance(300);
  h.partial('uh-huh');
  h.voiceOff();
  h.final('uh-huh');
  t.equal(h.turn(), 'speaking.flowing', 'back to flowing, never interrupted');
  t.equal(h.clears(), 0);
  t.equal(h.ctx().metrics.backchannelsIgnored, 1);
  h.playAll(500);
  t.equal(h.turn(), 'listening.waiting', 'the backchannel is not the caller turn');
  const bc = h.ofType('ledger.callerTurn').at(-1)!;
  t.equal(bc.endpoint, 'backchannel');
  t.equal(bc.text, 'uh-huh');
  t.equal(h.ctx().caller.finals.length, 0);
});

t.test('cough → resume: a long sound with no words makes the agent repeat the cut sentence', async (t) => {
  const h = thinking();
  h.llm('Thanks!', 'How much does a membership cost?');
  const [thanks, question] = h.says().slice(-2);
  h.startSpeaking(thanks!.utteranceId);
  h.send({ type: 'SPEAKER.PLAYED', utteranceId: thanks!.utteranceId, atMs: h.now });
  h.startSpeaking(question!.utteranceId);
  h.hear(question!.utteranceId, 'How much');
  h.voice(700);
  t.equal(h.turn(), 'interrupted', 'paused after BARGE_IN_MIN of sound');
  t.equal(h.clears(), 1);
  h.advance(799);
  t.equal(h.turn(), 'interrupted', 'BARGE_IN_CONFIRM_MS counts from the pause (600 ms after the onset)');
  h.advance(1);
  t.equal(h.turn(), 'speaking.flowing', 'resumed');
  t.equal(h.saidTexts().at(-1), 'How much does a membership cost?', 'the cut sentence is said again');
  t.equal(h.ctx().metrics.falseBargeIns, 1);
  t.equal(h.ctx().metrics.bargeIns, 0);
  h.playAll(500);
  t.equal(h.turn(), 'listening.waiting');
  const agent = h.ofType('ledger.agentTurn').at(-1)!;
  t.equal(agent.heardText, 'Thanks! How much does a membership cost?', 'the superseded fragment is left out');
  t.equal(agent.utterances.length, 3);
});

t.test('idle re-prompt ×2, then a polite close', async (t) => {
  const h = greeted();
  t.equal(h.turn(), 'listening.waiting');
  h.advance(7000);
  t.match(h.saidTexts().at(-1), /still there\? I was asking about your hours/);
  h.playAll(1500);
  h.advance(7000);
  t.match(h.saidTexts().at(-1), /can't hear anything/);
  h.playAll(1500);
  t.equal(h.hangups.length, 0);
  h.advance(7000);
  t.equal(h.turn(), 'closing.farewell.waiting');
  t.match(h.saidTexts().at(-1), /another time.*goodbye/i);
  h.playAll(1500);
  await h.settle();
  t.same(h.hangups, [{ callId: 'c1', reason: 'idle' }]);
  t.equal(h.state(), 'ended');
  t.match(h.ofType('call.ended')[0], { reason: 'idle', metrics: { idleReprompts: 2, goodbyeCompleted: true } });
});

t.test('maximum length: the agent wraps up with a goodbye even mid-sentence', async (t) => {
  const h = greeted({ timing: { maxCallMs: 20_000 } });
  h.callerSays('We are open six to ten.');
  h.advance(400);
  h.llm('Thanks, and how much does a membership cost?');
  h.startSpeaking(h.says().at(-1)!.utteranceId);
  h.advance(20_000 - h.now);
  t.equal(h.turn(), 'closing.farewell.waiting');
  t.equal(h.clears(), 1, 'the sentence in flight is cut');
  t.match(h.saidTexts().at(-1), /wrap up/);
  h.playAll(2000);
  await h.settle();
  t.same(h.hangups, [{ callId: 'c1', reason: 'max-duration' }]);
  t.equal(h.ofType('call.ended')[0]!.reason, 'max-duration');
});

t.test('caller hangs up while the agent speaks: ended, every child stopped, turn recorded as cut', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.SENTENCE', text: 'Thanks, that helps a lot.' });
  const reply = h.reply()!;
  h.startSpeaking(h.says().at(-1)!.utteranceId);
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.state(), 'ended');
  t.equal(h.actor.getSnapshot().status, 'done');
  t.ok(h.stopped.asr && h.stopped.speaker && reply.stopped, 'asr, speaker and reply all stopped');
  t.same(Object.keys(h.actor.getSnapshot().children), []);
  t.equal(h.hangups.length, 0, 'no REST hang-up needed after Twilio stop');
  t.equal(h.ofType('ledger.agentTurn').at(-1)!.interrupted, true);
  t.match(h.ofType('call.ended')[0], { reason: 'caller-hangup', socketClosed: false });
  h.advance(400_000);
  t.equal(h.errors.length, 0, 'no timer fires after the end');
});

t.test("caller hangs up mid-sentence: the recogniser's final of the last words is kept", async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.SENTENCE', text: 'Thanks, that helps a lot.' });
  h.startSpeaking(h.says().at(-1)!.utteranceId);
  h.voiceOn();
  h.advance(150);
  h.partial('our classes are yoga and');
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.state(), 'draining', 'still recognising');
  t.match(h.asr.at(-1), { type: 'ASR.FINALIZE' }, 'the recogniser was asked for its final');
  t.ok(h.stopped.speaker, 'the agent stopped talking at once');
  t.notOk(h.stopped.asr, 'the recogniser still runs');
  t.equal(h.ofType('ledger.agentTurn').at(-1)!.interrupted, true, "the agent's turn closed at the hang-up");
  h.send({ type: 'CALL.HANGUP', reason: 'socket-closed' });
  t.equal(h.state(), 'draining', 'the socket closing after the stop changes nothing');
  h.flushed('our classes are yoga and spin');
  t.equal(h.state(), 'ended');
  t.ok(h.stopped.asr, 'then the recogniser is stopped too');
  t.same(Object.keys(h.actor.getSnapshot().children), []);
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'our classes are yoga and spin', endpoint: 'hangup' });
  t.match(h.ofType('call.ended')[0], { reason: 'caller-hangup', socketClosed: false });
});

t.test('a recogniser with a backlog: the drain ends on the answer to its flush, not on the first final', async (t) => {
  const h = thinking();
  h.voiceOn();
  h.advance(900);
  const first = { startMs: h.now - 900, endMs: h.now };
  h.voiceOff();
  h.advance(1200);
  h.voiceOn();
  h.advance(900);
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.state(), 'draining');
  // The answer to the flush at her pause, late: it says it answers a flush, but not the hang-up's.
  h.finalOver('we also have', first.startMs, first.endMs, true);
  h.send({ type: 'ASR.UTTERANCE_END', silenceMs: 1000 });
  h.send({ type: 'ASR.ERROR', message: 'one utterance failed', fatal: false });
  t.equal(h.state(), 'draining', "the first stretch's final, its end and a failed utterance: her last words owed");
  h.flushed('a pool');
  t.equal(h.state(), 'ended', 'the flush answered');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we also have a pool', endpoint: 'hangup' });
});

t.test('voice heard since the last turn but no words yet: a hang-up waits for them', async (t) => {
  const h = thinking();
  h.voiceOn();
  h.advance(2000);
  h.voiceOff();
  h.advance(100);
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.state(), 'draining', 'her two seconds are still being decoded');
  h.finalOver('we have', h.now - 2100, h.now - 1500);
  t.equal(h.state(), 'draining', 'a final short of the end of her voice');
  h.finalOver('a sauna', h.now - 1400, h.now - 150);
  t.equal(h.state(), 'ended', "a final reaching the end of her voice (the recogniser's own endpoint, no flush answer)");
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we have a sauna', endpoint: 'hangup' });
});

t.test('hung up while still speaking: no final but the flush answer can say her words are over', async (t) => {
  const h = thinking();
  h.voiceOn();
  h.advance(2000);
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  h.finalOver('we have', h.now - 1900, h.now - 100);
  t.equal(h.state(), 'draining', 'words up to the hang-up may still come');
  h.send({ type: 'ASR.UTTERANCE_END' });
  t.equal(h.state(), 'ended', 'the recogniser says her words are over, and every voice has had a final');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we have', endpoint: 'hangup' });
});

t.test('the recogniser failing for good ends the drain with the words so far', async (t) => {
  const h = thinking();
  h.voiceOn();
  h.advance(150);
  h.partial('we open');
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  h.send({ type: 'ASR.ERROR', message: 'gone', fatal: true });
  t.equal(h.state(), 'ended');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we open', endpoint: 'hangup' });
});

t.test('no final within HANGUP_DRAIN: the partial is kept and the call ends', async (t) => {
  const h = thinking();
  h.voiceOn();
  h.advance(150);
  h.partial('we also have');
  h.send({ type: 'CALL.HANGUP', reason: 'socket-closed' });
  h.advance(DEFAULT_TIMING.hangupDrainMs - 1);
  t.equal(h.state(), 'draining');
  h.advance(1);
  t.equal(h.state(), 'ended');
  t.ok(h.stopped.asr);
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we also have', endpoint: 'hangup' });
  t.match(h.ofType('call.ended')[0], { reason: 'caller-hangup', socketClosed: true });
  h.advance(400_000);
  t.equal(h.errors.length, 0, 'no timer fires after the end');
});

t.test('HANGUP_ASR_DRAIN_MS=0: a hang-up mid-sentence ends at once with the words so far', async (t) => {
  const h = greeted({ timing: { hangupDrainMs: 0 } });
  h.voiceOn();
  h.advance(150);
  h.partial('we open at');
  h.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(h.state(), 'ended');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'we open at', endpoint: 'hangup' });
});

t.test('goodbye waits for its mark before hanging up', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.FACTS', facts: { ...HOURS, ...PRICING, ...CLASSES } });
  h.send({ type: 'REPLY.END_CALL', reason: 'facts-complete' });
  h.llm("Perfect, that's everything I needed. Thanks so much, goodbye!");
  t.equal(h.turn(), 'closing.farewell.waiting');
  t.equal(h.says().length, 3, 'the LLM goodbye is used, no second goodbye');
  h.startSpeaking(h.says().at(-1)!.utteranceId);
  h.advance(3000);
  await h.settle();
  t.equal(h.hangups.length, 0, 'still playing: no hang-up');
  h.send({ type: 'SPEAKER.PLAYED', utteranceId: h.says().at(-1)!.utteranceId, atMs: h.now });
  await h.settle();
  t.same(h.hangups, [{ callId: 'c1', reason: 'facts-complete' }]);
  t.equal(h.ofType('call.ended')[0]!.metrics.goodbyeCompleted, true);
});

t.test(
  'the LLM ends the call short of the facts with its own goodbye: that goodbye is said, not cut for another',
  async (t) => {
    const h = thinking();
    h.send({ type: 'REPLY.END_CALL', reason: 'other' });
    h.llm('Thank you for your time, that was very helpful. Goodbye!');
    t.equal(h.turn(), 'closing.farewell.waiting');
    t.equal(h.clears(), 0, 'nothing cleared');
    t.equal(h.says().length, 3, 'no second goodbye');
    t.match(h.saidTexts().at(-1), /very helpful/);
    h.playAll(2000);
    await h.settle();
    t.same(h.hangups, [{ callId: 'c1', reason: 'agent-ended' }]);
    t.equal(h.ofType('ledger.agentTurn').at(-1)!.interrupted, false);
  },
);

t.test('mark never arrives → hang up after the goodbye duration plus the margin', async (t) => {
  const h = greeted({ timing: { maxCallMs: 10_000 } });
  h.advance(10_000 - h.now);
  const bye = h.says().at(-1)!;
  t.match(bye.text, /wrap up/);
  h.send({ type: 'SPEAKER.DURATION', utteranceId: bye.utteranceId, ms: 2000 });
  h.advance(3499);
  await h.settle();
  t.equal(h.hangups.length, 0);
  h.advance(1);
  await h.settle();
  t.equal(h.hangups.length, 1, 'fallback hang-up at duration + GOODBYE_MARGIN_MS');
  t.equal(h.ofType('call.ended')[0]!.metrics.goodbyeCompleted, false);
});

t.test('no second greeting, even when the LLM greets again', async (t) => {
  const h = thinking();
  h.llm("Hi, I'm an automated assistant calling about your gym.", 'Thanks for that.');
  t.equal(h.ctx().metrics.greetings, 1);
  t.equal(h.saidTexts().filter((s) => /^Hi\b/.test(s)).length, 1);
  t.equal(h.saidTexts().at(-1), 'Thanks for that.');
  t.equal(h.ctx().metrics.duplicatesDropped, 1);
});

t.test('no repeated question even when the LLM tries', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.FACTS', facts: HOURS });
  h.llm('Got it.', 'And what are your opening hours?');
  t.equal(h.saidTexts().at(-1), 'How much does a membership cost?', 'answered topic replaced by a missing one');
  h.playAll(500);
  h.callerSays("It's forty nine a month.");
  h.advance(400);
  h.send({ type: 'REPLY.FACTS', facts: PRICING });
  h.llm('And how much is a monthly membership?', 'Great.', 'How much is a membership again?');
  const after = h.saidTexts().slice(-2);
  t.same(after, ['What fitness classes do you offer?', 'Great.'], 'second attempt replaced, third dropped');
  t.equal(h.ctx().metrics.repeatQuestionsBlocked, 3);
  const questions = h.saidTexts().filter((s) => /membership cost|much is a membership/.test(s));
  t.equal(questions.length, 1, 'the pricing question was asked exactly once');
});

t.test('never the same utterance twice in a row', async (t) => {
  const h = thinking();
  h.llm('Thanks.', 'Thanks.');
  t.same(h.saidTexts().slice(-1), ['Thanks.']);
  t.equal(h.saidTexts().filter((s) => s === 'Thanks.').length, 1);
});

t.test('outbound: wait for the hello, or greet after the timeout', async (t) => {
  const a = harness({ direction: 'outbound' });
  a.send({ type: 'MEDIA.START' });
  t.equal(a.turn(), 'awaitingHello.waiting');
  a.callerSays('Hello, Iron Temple?', 700);
  t.equal(a.turn(), 'greeting');
  t.match(a.saidTexts()[0], /^Hi, is this Iron Temple\?/);
  t.match(a.ofType('ledger.callerTurn')[0], { text: 'Hello, Iron Temple?' });

  const b = harness({ direction: 'outbound' });
  b.send({ type: 'MEDIA.START' });
  b.advance(2999);
  t.equal(b.turn(), 'awaitingHello.waiting');
  b.advance(1);
  t.equal(b.turn(), 'greeting');
});

t.test('greeting policy: its start cannot be interrupted, the rest can', async (t) => {
  const h = harness();
  h.send({ type: 'MEDIA.START' });
  h.startSpeaking(h.says()[0]!.utteranceId);
  h.voiceOn();
  h.advance(1000);
  h.partial('yes this is Iron Temple');
  t.equal(h.turn(), 'greeting', 'protected: no barge-in');
  t.equal(h.clears(), 0);
  h.advance(200);
  t.equal(h.turn(), 'speaking.contested', 'after GREETING_UNINTERRUPTIBLE_MS the caller contests');
  h.partial('yes this is Iron Temple how can');
  t.equal(h.turn(), 'listening.hearing', 'barged in');
  t.equal(h.ofType('ledger.agentTurn')[0]!.reason, 'greeting');
});

t.test(
  'adaptive endpointing: short when complete, long after a conjunction, noise dropped at the maximum',
  async (t) => {
    const h = greeted();
    h.callerSays('We open at six and');
    h.advance(400);
    t.equal(h.turn(), 'listening.endpointing.long', 'ends on "and": keep listening');
    h.advance(1099);
    t.equal(h.turn(), 'listening.endpointing.long');
    h.advance(1);
    t.equal(h.turn(), 'thinking', 'long wait over');
    t.equal(h.ofType('ledger.callerTurn').at(-1)!.endpoint, 'long');

    const n = greeted();
    n.voice(500);
    n.advance(3000);
    t.equal(n.turn(), 'listening.waiting', 'no words by ENDPOINT_MAX_MS: noise');
    t.equal(n.ofType('ledger.callerTurn').length, 0);
    t.equal(n.asr.filter((c) => c.type === 'ASR.FINALIZE').length, 1, 'asked the recogniser to flush');

    const m = greeted();
    m.callerSays('Um, we open', 300);
    m.advance(1000);
    m.final('at six.');
    t.equal(m.turn(), 'thinking', 'late final completes the utterance at once');
  },
);

t.test('provider deadline: a holding line, then the reply; errors apologise, repeated errors close', async (t) => {
  const h = thinking();
  h.advance(2500);
  t.match(h.saidTexts().at(-1), /One moment/);
  t.equal(h.turn(), 'thinking');
  h.llm('Thanks for waiting.');
  t.equal(h.turn(), 'speaking.flowing');

  const e = thinking();
  e.send({ type: 'REPLY.ERROR', message: 'boom' });
  t.match(e.saidTexts().at(-1), /Sorry/);
  t.equal(e.ofType('call.warning').length, 1);
  for (let i = 0; i < 2; i++) {
    e.playAll(500);
    e.callerSays('What?');
    e.advance(400);
    e.send({ type: 'REPLY.ERROR', message: 'boom' });
  }
  t.equal(e.turn(), 'closing.farewell.waiting', 'third consecutive failure closes the call');
  t.match(e.saidTexts().at(-1), /technical trouble/);
});

t.test('the caller goes on while the agent thinks: the reply is dropped, turns stay in order', async (t) => {
  const h = thinking();
  const first = h.reply()!;
  h.voiceOn();
  h.advance(150);
  t.equal(h.turn(), 'listening.hearing');
  t.ok(first.stopped, 'the reply to the half-finished turn is aborted');
  h.final('and we close at ten on weekends.');
  h.voiceOff();
  h.advance(400);
  t.equal(h.turn(), 'thinking');
  t.not(h.reply(), first, 'a new reply with the whole answer');
  h.llm('Thanks!');
  h.playAll(300);
  const seqs = h.emitted
    .filter((e) => e.type === 'ledger.agentTurn' || e.type === 'ledger.callerTurn')
    .map((e) => e.seq);
  t.same(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'ledger sequence numbers increase',
  );
  t.equal(new Set(seqs).size, seqs.length);
});

t.test('DTMF is logged and does not disturb turn-taking', async (t) => {
  const h = greeted();
  h.send({ type: 'DTMF.RECEIVED', digit: '5', atMs: 100 });
  t.equal(h.turn(), 'listening.waiting');
  t.same(h.ofType('call.dtmf'), [{ type: 'call.dtmf', callId: 'c1', digit: '5' }]);
});

t.test('an actor error ends that call gracefully', async (t) => {
  const h = thinking();
  h.send({ type: 'SPEAKER.ERROR', message: 'all TTS providers failed' });
  await h.settle();
  t.equal(h.state(), 'ended');
  t.same(h.hangups, [{ callId: 'c1', reason: 'error' }]);
  t.match(h.ofType('call.ended')[0], { reason: 'error', error: 'all TTS providers failed' });
  t.equal(h.errors.length, 0);

  const a = thinking();
  a.send({ type: 'ASR.ERROR', message: 'socket gone', fatal: true });
  t.equal(a.turn(), 'closing.farewell.waiting', 'cannot hear: apologise and close');
  const f = harness({ hangupFails: true });
  f.send({ type: 'MEDIA.START' });
  f.send({ type: 'SPEAKER.ERROR', message: 'x' });
  await f.settle();
  t.equal(f.state(), 'ended', 'a failing hang-up still ends the call');
  t.match(f.ofType('call.warning').at(-1)!.message, /hang-up failed/);
});

t.test('a provider actor that throws ends or degrades only its own call', async (t) => {
  const r = harness({ crash: 'reply' });
  r.send({ type: 'MEDIA.START' });
  r.playAll(500);
  r.callerSays('We open at six.');
  r.advance(400);
  t.match(r.saidTexts().at(-1), /Sorry/, 'a crashed reply actor becomes an apology');
  t.equal(r.errors.length, 0);

  const a = harness({ crash: 'asr' });
  await a.settle();
  t.equal(a.state(), 'ended', 'no recogniser before media started: hang up');
  t.same(a.hangups, [{ callId: 'c1', reason: 'error' }]);
  t.match(a.ofType('call.ended')[0], { reason: 'error', error: 'asr blew up' });

  const s = harness({ crash: 'speaker' });
  await s.settle();
  t.equal(s.state(), 'ended', 'no speaker: hang up at once');
  t.same(s.hangups, [{ callId: 'c1', reason: 'error' }]);
  t.equal(s.errors.length, 0, 'the actor never errored: the call ended normally');
  t.equal(s.actor.getSnapshot().status, 'done');
});

t.test('the person answers in Spanish: the agent switches once, and never back', async (t) => {
  const h = greeted();
  t.equal(h.ctx().language, 'en');
  h.callerSays('Hola, sí, abrimos de lunes a viernes de seis a diez.');
  h.advance(400);
  t.equal(h.ctx().language, 'es', 'her words are Spanish: the call is now');
  t.match(h.state(), /language\.switched/, 'the inspector shows the switch');
  t.equal(h.reply()!.input.language, 'es', 'the reply is asked for in Spanish');
  h.llm('Perfecto, gracias.');
  h.playAll(500);
  h.callerSays('Okay we are open on the weekend from eight to two.');
  h.advance(400);
  t.equal(h.ctx().language, 'es', 'English words later do not switch back');
  h.llm('¿Y cuánto cuesta una membresía?');
  h.playAll(500);
  h.advance(h.ctx().timing.idleRepromptMs + 10);
  t.match(h.saidTexts().at(-1), /^¿Sigue ahí\?/, 'the machine’s own lines follow the language');
});

t.test('one or two words in another language switch nothing', async (t) => {
  const h = greeted();
  h.callerSays('Sí, claro.');
  h.advance(400);
  t.equal(h.ctx().language, 'en');
  t.match(h.state(), /language\.original/);
});

t.test('"sorry, what was that?": the last question is asked again, not the next one', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.FACTS', facts: HOURS });
  h.llm('Got it.', 'How much does a membership cost?');
  h.playAll(500);
  t.equal(h.ctx().lastQuestion, 'How much does a membership cost?');
  // It played whole, and she did not hear it (music at the front desk).
  h.callerSays('Sorry, what was that?');
  h.advance(400);
  t.equal(h.reply()!.input.lastQuestion, 'How much does a membership cost?', 'the reply knows the question');
  h.llm('Sure.', 'What does a membership cost?');
  t.same(h.saidTexts().slice(-2), ['Sure.', 'What does a membership cost?'], 'asked again, in other words');
  t.equal(h.ctx().metrics.repeatQuestionsBlocked, 0);
  h.playAll(500);
  h.callerSays('It is a nice gym.');
  h.advance(400);
  h.llm('How much does a membership cost?');
  t.equal(h.ctx().metrics.repeatQuestionsBlocked, 1, 'without her asking, the guard holds as before');
});

t.test('"sorry, what was that?" after a question cut short: the whole question, as it was to be said', async (t) => {
  const h = thinking();
  h.send({ type: 'REPLY.FACTS', facts: HOURS });
  h.send({ type: 'REPLY.SENTENCE', text: 'Got it. And how much does a membership cost?' });
  const say = h.says().at(-1)!;
  h.startSpeaking(say.utteranceId);
  h.hear(say.utteranceId, 'Got it. And how');
  h.voiceOn();
  h.advance(150);
  h.partial('sorry what was');
  h.final('sorry what was that');
  h.voiceOff();
  h.advance(400);
  const input = h.reply()!.input;
  t.same(input.history.at(-2), { speaker: 'agent', text: 'Got it. And how', interrupted: true }, 'she heard this');
  t.equal(input.lastQuestion, 'And how much does a membership cost?', 'the agent knows what it asked');
});

t.test(
  '"sorry, what?" is about the last question: not a re-prompt, not after a reply that asked nothing',
  async (t) => {
    const h = greeted();
    const hours = h.ctx().lastQuestion;
    t.match(hours, /hours/, 'the greeting asked the hours');
    h.advance(7000);
    t.match(h.saidTexts().at(-1), /still there\?/);
    h.playAll(1500);
    t.equal(h.ctx().lastQuestion, hours, 'a re-prompt asks nothing of its own');
    h.callerSays('Sorry, what was that?');
    h.advance(400);
    t.equal(h.reply()!.input.lastQuestion, hours);
    h.llm('Sure.', 'What are your opening hours?');
    h.playAll(500);
    h.callerSays('We are open six to ten every day. Who is calling?');
    h.advance(400);
    h.send({ type: 'REPLY.FACTS', facts: HOURS });
    h.llm("I'm an automated assistant collecting gym information.");
    t.equal(h.ctx().lastQuestion, 'How much does a membership cost?', 'the question the machine added to it');
    h.playAll(500);
    h.callerSays('Sorry, what?');
    h.advance(400);
    h.llm('And what are your opening hours?');
    t.equal(h.ctx().metrics.repeatQuestionsBlocked, 1, 'the answered question stays blocked');
  },
);
