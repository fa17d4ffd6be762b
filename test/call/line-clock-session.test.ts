import t, { type Test } from 'tap';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { LINE_LAG_MAX_MS } from '../../src/call/line-clock.js';
import { captureLogger } from '../db/helpers/capture-log.js';
import { waitFor } from '../support/wait.js';
import { listRecorder, startCall, type Harness } from './wrap-up-harness.js';

// A real CallSession whose event loop "stalls" right after the caller paused: the gym's frames stop being read
// for a while, as they do when the loop is busy (they queue in the socket). The end-of-turn wait must not end her
// turn on the wall's time alone (src/call/line-clock.ts): when the queued frames are read, her voice in them keeps
// the turn hers, and silence in them ends it.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SILENT = new Uint8Array(160).fill(0xff);
const ZERO = new Int16Array(160);

/** The gym's line fed frame by frame up to the call's clock, until stopped (the stall). */
function line(h: Harness) {
  let heard = 0;
  const upTo = (ms: number) => {
    for (; heard + 20 <= ms; heard += 20) h.session.onAudio({ mulaw: SILENT, pcm: ZERO, atMs: heard, durationMs: 20 });
  };
  let feeding: NodeJS.Timeout | undefined = setInterval(() => upTo(h.nowMs()), 20);
  return {
    heardMs: () => heard,
    upTo,
    stall: () => {
      clearInterval(feeding);
      feeding = undefined;
    },
    resume: () => (feeding ??= setInterval(() => upTo(h.nowMs()), 20)),
    stop: () => clearInterval(feeding),
  };
}

const turnEnded = (states: readonly string[], from: number) =>
  states.slice(from).some((s) => s.includes('turn.thinking') || s.includes('turn.speaking'));

async function pausedThenStalled(t: Test) {
  const { log } = captureLogger();
  const { recorder } = listRecorder();
  const h = startCall({ log, recorder });
  const l = line(h);
  t.teardown(() => {
    l.stop();
    h.session.onEnd('stop');
  });
  await h.waitForState('turn.listening', 'the greeting to play');
  const onset = l.heardMs();
  h.session.onVad({ kind: 'voice', atMs: onset });
  await sleep(DEFAULT_TIMING.vadMinSpeechMs + 80);
  // "We are open from seven" and then she pauses, as someone reading the hours off a sheet would.
  const pausedAt = l.heardMs();
  h.asr.emit({
    type: 'final',
    text: 'we are open from seven',
    confidence: 0.9,
    speechFinal: true,
    startMs: onset,
    endMs: pausedAt,
  });
  h.session.onVad({ kind: 'silence', atMs: pausedAt });
  const from = h.states.length;
  l.stall();
  // Longer than every end-of-turn wait up to the long one for words like these, shorter than LINE_LAG_MAX_MS.
  await sleep(DEFAULT_TIMING.endpointShortMs + 400);
  return { h, l, pausedAt, from };
}

t.test('frames not read yet: the wait is not over, and her voice in them keeps her turn', async (t) => {
  t.ok(DEFAULT_TIMING.endpointShortMs + 400 < LINE_LAG_MAX_MS, 'the stall is shorter than the lag the clock waits out');
  const { h, l, pausedAt, from } = await pausedThenStalled(t);
  t.notOk(turnEnded(h.states, from), 'no end of turn while the line was not heard');
  // The queued frames: 80 ms more of her pause, then her voice again ("...to nine p.m."), confirmed as speech
  // VAD_MIN_SPEECH later, inside the semantic wait (as on a line that never stalled).
  t.ok(80 + DEFAULT_TIMING.vadMinSpeechMs < DEFAULT_TIMING.endpointSemanticMs, 'she resumes within the wait');
  l.upTo(pausedAt + 80);
  h.session.onVad({ kind: 'voice', atMs: pausedAt + 80 });
  l.resume();
  await sleep(DEFAULT_TIMING.vadMinSpeechMs + 100);
  t.notOk(turnEnded(h.states, from), 'she went on: still her turn');
  t.match(h.states.at(-1), /hearing/, 'hearing her again');
});

t.test('frames not read yet, then silence in them: the turn ends once they are read', async (t) => {
  const { h, l, from } = await pausedThenStalled(t);
  t.notOk(turnEnded(h.states, from), 'no end of turn while the line was not heard');
  l.resume();
  await waitFor(() => turnEnded(h.states, from), { what: 'the end of her turn once the silence was heard' });
  t.pass('her turn ended on the frames');
});
