import t from 'tap';
import { wrapUpsSettled } from '../../src/call/wrap-up.js';
import { ProviderError } from '../../src/providers/retry.js';
import type { GymFacts } from '../../src/facts/model.js';
import { captureLogger } from '../db/helpers/capture-log.js';
import { waitFor } from '../support/wait.js';
import { listRecorder, startCall, type RecorderCall } from './wrap-up-harness.js';

// The wrap-up after a hang-up (src/call/wrap-up.ts) through a real CallSession: the call machine, the reply,
// speaker and asr actors, the offline interviewer (counted), scripted recogniser results and a fake transport.

const HOURS = 'monday through friday we are open from seven a.m. to nine p.m.';
const WEEKDAYS_7_21 = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { opens: '07:00', closes: '21:00' }]),
);

const methods = (calls: RecorderCall[]) => calls.map(([m]) => m);
const factsWritten = (calls: RecorderCall[]) => calls.filter(([m]) => m === 'facts').map(([, f]) => f as GymFacts);
const callerTurns = (calls: RecorderCall[]) =>
  calls.filter(([m]) => m === 'callerTurn').map(([, c]) => (c as { text: string }).text);

/** A call with a recorder that keeps every write, its greeting played: the caller has the floor. */
async function greeted() {
  const { log } = captureLogger();
  const { recorder, calls } = listRecorder();
  const h = startCall({ log, recorder });
  await h.waitForState('turn.listening', 'the greeting to play');
  return { h, calls };
}

t.test('caller states facts and hangs up during the end-of-turn wait: the facts are recorded', async (t) => {
  const { h, calls } = await greeted();
  await h.callerSays(HOURS);
  h.session.onEnd('stop'); // well inside the 400 ms wait: no reply turn was committed
  await wrapUpsSettled();
  t.equal(factsWritten(calls).length, 1, 'handed to the recorder by the time shutdown would close the queue');
  const result = await h.ended;

  t.equal(h.llm.extractions.length, 1, 'one facts-only pass');
  const input = h.llm.extractions[0]!;
  t.same(
    input.history.slice(input.extractFrom).map((x) => x.text),
    [HOURS],
    'it reads the last words only',
  );
  t.same(input.asked, ['hours'], 'the greeting asked about hours');
  t.same(callerTurns(calls), [HOURS], 'the transcript has the words');
  const facts = factsWritten(calls);
  t.equal(facts.length, 1);
  t.same(facts[0]?.hours, WEEKDAYS_7_21, 'Monday to Friday, 07:00-21:00');
  const order = methods(calls);
  t.ok(order.indexOf('facts') > order.indexOf('callerTurn'), 'facts after the caller turn');
  t.equal(order[order.length - 1], 'ended', "the call's end is written last");
  t.same(result.facts.hours, WEEKDAYS_7_21, 'the result the observer gets has them too');
});

t.test('hangs up while the agent speaks, before the reply delivered its facts: they are recorded', async (t) => {
  const { log } = captureLogger();
  const { recorder, calls } = listRecorder();
  const h = startCall({ log, recorder });
  // Like a cloud LLM: the reply's text streams at once, its record_facts tool call comes at the end of the stream.
  h.llm.factsLast = true;
  await h.waitForState('turn.listening', 'the greeting to play');
  h.player.hold = true;
  await h.callerSays(HOURS);
  await h.waitForState('turn.speaking', 'the agent to answer');
  t.equal(factsWritten(calls).length, 0, 'the reply has not recorded anything yet');
  h.session.onEnd('stop');
  await h.ended;

  t.equal(h.llm.extractions.length, 1);
  t.same(factsWritten(calls)[0]?.hours, WEEKDAYS_7_21);
  t.equal(methods(calls).at(-1), 'ended');
});

t.test('words over the agent, then a hang-up: only those words go through the pass', async (t) => {
  const { h, calls } = await greeted();
  h.player.hold = true;
  await h.callerSays(HOURS);
  await waitFor(() => factsWritten(calls).length === 1, { what: 'the reply to record the hours' });
  await h.waitForState('turn.speaking', 'the agent to answer');
  const PRICE = 'a monthly membership is twenty five dollars a month';
  await h.callerSays(PRICE);
  h.session.onEnd('socket-closed');
  await h.ended;

  t.equal(h.llm.extractions.length, 1);
  const input = h.llm.extractions[0]!;
  t.same(
    input.history
      .slice(input.extractFrom)
      .filter((x) => x.speaker === 'caller')
      .map((x) => x.text),
    [PRICE],
    'the hours, which a completed reply went through, are not read again',
  );
  const facts = factsWritten(calls);
  t.equal(facts.length, 2, 'the reply wrote the hours, the wrap-up the price');
  t.same(facts[1]?.hours, WEEKDAYS_7_21, 'merged: what was known stays');
  t.same(
    facts[1]?.pricing.map((p) => [p.plan, p.amountMinor, p.period]),
    [['monthly', 2500, 'month']],
  );
  t.equal(methods(calls).at(-1), 'ended');
});

t.test('nothing left to extract: no LLM call, the call ends at once', async (t) => {
  const { h, calls } = await greeted();
  h.player.hold = true;
  await h.callerSays(HOURS);
  await h.waitForState('turn.speaking', 'the agent to answer');
  // "okay" over the agent, committed by the hang-up: a backchannel states no fact.
  const okayAt = h.nowMs();
  h.session.onVad({ kind: 'voice', atMs: okayAt });
  h.asr.emit({ type: 'partial', text: 'okay', confidence: 0.8 });
  const replies = h.llm.replies.length;
  const finalizes = h.asr.finalizes;
  h.session.onEnd('stop');
  await new Promise((r) => setImmediate(r));
  t.equal(h.asr.finalizes, finalizes + 1, 'hung up mid-word: the recogniser is asked for its final');
  t.equal(h.endedAt(), undefined, 'and the call waits for it');
  // Its audio starts where her voice did, after the turn the reply answers (audio before that is that turn's).
  h.asr.emit({
    type: 'final',
    text: 'okay',
    confidence: 0.9,
    speechFinal: true,
    startMs: okayAt,
    endMs: h.nowMs(),
    flushed: true,
  });
  await new Promise((r) => setImmediate(r));
  t.ok(h.endedAt() !== undefined, 'ended as soon as it came, without waiting for anything else');
  await h.ended;
  t.equal(h.llm.extractions.length, 0, 'no facts-only pass');
  t.equal(h.llm.replies.length, replies, 'and no reply either');
  t.equal(factsWritten(calls).length, 1, "only the reply's facts");
});

t.test('the LLM never answers: the call still ends within the bound, transcript intact, error logged', async (t) => {
  const { log, lines } = captureLogger();
  const { recorder, calls } = listRecorder();
  const h = startCall({ log, recorder, wrapUpTimeoutMs: 300 });
  let aborted = false;
  // Ignores the abort signal on purpose: the bound must not depend on the provider's cooperation.
  h.llm.extract = (_input, signal) => {
    signal.addEventListener('abort', () => (aborted = true));
    return new Promise(() => {});
  };
  await h.waitForState('turn.listening', 'the greeting to play');
  await h.callerSays(HOURS);
  const hungUpAt = performance.now();
  h.session.onEnd('stop');
  await h.ended;
  const waited = (h.endedAt() ?? Infinity) - hungUpAt;
  t.ok(waited >= 250 && waited < 3000, `ended ${Math.round(waited)} ms after the hang-up (bound 300 ms)`);
  t.ok(aborted, 'the request was aborted');
  t.same(callerTurns(calls), [HOURS], 'transcript intact');
  t.equal(factsWritten(calls).length, 0);
  t.equal(methods(calls).at(-1), 'ended');
  const err = lines.find((l) => String(l.msg).startsWith('wrap-up extraction failed'));
  t.equal(err?.code, 'PROVIDER_TIMEOUT', 'logged with its code');
  t.notOk(JSON.stringify(err).includes('seven'), "the caller's words are not in the log line");
});

t.test('the LLM fails: logged with its code, the call ends normally, another call is unaffected', async (t) => {
  const { log, lines } = captureLogger();
  const failing = listRecorder();
  const healthy = listRecorder();
  const a = startCall({ log, recorder: failing.recorder, callId: 'failing' });
  const b = startCall({ log, recorder: healthy.recorder, callId: 'healthy' });
  a.llm.extract = () => Promise.reject(new ProviderError('counting', 'PROVIDER_FAILED', 'HTTP 500'));
  await Promise.all([a.waitForState('turn.listening'), b.waitForState('turn.listening')]);
  await Promise.all([a.callerSays(HOURS), b.callerSays(HOURS)]);
  a.session.onEnd('stop');
  b.session.onEnd('stop');
  await Promise.all([a.ended, b.ended]);
  t.equal(lines.find((l) => String(l.msg).startsWith('wrap-up extraction failed'))?.code, 'PROVIDER_FAILED');
  t.equal(factsWritten(failing.calls).length, 0);
  t.equal(methods(failing.calls).at(-1), 'ended');
  t.same(factsWritten(healthy.calls)[0]?.hours, WEEKDAYS_7_21, 'the other call got its facts');
});

t.test('facts in a goodbye turn: the closing line reads none, the wrap-up records them', async (t) => {
  const { h, calls } = await greeted();
  const BYE = `${HOURS} okay thanks bye`;
  await h.callerSays(BYE);
  // No hang-up from the caller: the agent says goodbye and ends the call itself.
  const result = await h.ended;
  t.equal(result.endReason, 'caller-request');
  t.ok(
    h.llm.replies.every((r) => r.reason !== 'reply'),
    'no reply turn read the words',
  );
  t.equal(h.llm.extractions.length, 1);
  t.same(factsWritten(calls)[0]?.hours, WEEKDAYS_7_21);
  t.equal(methods(calls).at(-1), 'ended');
});
