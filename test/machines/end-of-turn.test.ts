import t from 'tap';
import type { Test } from 'tap';
import { greeted, type Harness } from './harness.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';

// The end of the caller's turn (issue 15, item 4), SimulatedClock throughout. A turn whose words are complete and
// that the recogniser closed as a sentence ends after ENDPOINT_SEMANTIC (250 ms after her last voiced frame), one
// that only looks complete after ENDPOINT_SHORT (400 ms), one that trails off after ENDPOINT_LONG (1.5 s); on a line
// that never goes quiet the recogniser's silence ends it, and a thinking pause is never cut.

const HANGOVER_MS = 200;

/** She speaks for `ms`; the recogniser's final comes `finalAfterMs` after her last voiced frame (before the edge if < 200). */
function says(h: Harness, text: string, o: { ms?: number; finalAfterMs?: number; speechFinal?: boolean } = {}) {
  const finalAfter = o.finalAfterMs ?? 0;
  h.voiceOn();
  h.advance(o.ms ?? 900);
  const lastVoice = h.now;
  const final = () =>
    h.send({
      type: 'ASR.FINAL',
      text,
      confidence: 0.9,
      speechFinal: o.speechFinal ?? true,
      startMs: lastVoice - (o.ms ?? 900),
      endMs: lastVoice,
    });
  if (finalAfter < HANGOVER_MS) {
    h.advance(finalAfter);
    final();
    h.advance(HANGOVER_MS - finalAfter);
    h.send({ type: 'VAD.SILENCE', atMs: lastVoice, detectedAtMs: h.now });
  } else {
    h.advance(HANGOVER_MS);
    h.send({ type: 'VAD.SILENCE', atMs: lastVoice, detectedAtMs: h.now });
    h.advance(finalAfter - HANGOVER_MS);
    final();
  }
  return lastVoice;
}

/** How long after her last voiced frame the turn ended (the agent started thinking), or undefined within `upTo`. */
function endsAfter(h: Harness, lastVoice: number, upTo = 4000): number | undefined {
  while (h.now - lastVoice <= upTo) {
    if (h.turn() === 'thinking') return h.now - lastVoice;
    h.advance(10);
  }
  return undefined;
}

t.test('a complete turn that sounds finished ends sooner than one that only looks complete', async (t) => {
  const finished = greeted();
  const v1 = says(finished, 'We open at six.', { finalAfterMs: 150 });
  t.equal(endsAfter(finished, v1), 250, 'the recogniser closed it as a sentence: ENDPOINT_SEMANTIC');
  t.match(finished.ofType('ledger.callerTurn').at(-1), { text: 'We open at six.', endpoint: 'semantic' });

  const plain = greeted();
  const v2 = says(plain, 'We open at six', { finalAfterMs: 150 });
  t.equal(endsAfter(plain, v2), 400, 'complete words without more evidence: ENDPOINT_SHORT');
  t.match(plain.ofType('ledger.callerTurn').at(-1), { endpoint: 'short' });
});

t.test('a turn that trails off waits the long endpoint, whatever the punctuation', async (t) => {
  for (const text of ['We open at...', 'We open at six and', 'Um.', 'We have yoga, spin,', 'Let me check.']) {
    const h = greeted();
    const v = says(h, text, { finalAfterMs: 150 });
    h.advance(400);
    t.match(h.turn(), /^listening\.endpointing\.long/, `"${text}": still listening at 400 ms`);
    t.equal(endsAfter(h, v), 1500, `"${text}": ENDPOINT_LONG`);
  }
});

t.test('a final that sounds finished and arrives after the semantic wait ends the turn on arrival', async (t) => {
  const h = greeted();
  const v = says(h, 'We are open until ten.', { finalAfterMs: 330 });
  t.equal(h.turn(), 'thinking', 'ended the moment the final came');
  t.equal(h.now - v, 330);
  t.match(h.ofType('ledger.callerTurn').at(-1), { endpoint: 'semantic' });
});

t.test('ENDPOINT_SEMANTIC_MS equal to ENDPOINT_SHORT_MS switches the semantic end of turn off', async (t) => {
  const h = greeted({ timing: { endpointSemanticMs: 400 } });
  const v = says(h, 'We open at six.', { finalAfterMs: 150 });
  t.equal(endsAfter(h, v), 400);
  t.match(h.ofType('ledger.callerTurn').at(-1), { endpoint: 'short' });
});

t.test('a thinking pause is not cut, however finished the first words look', async (t) => {
  const h = greeted();
  says(h, 'Um, let me check.', { finalAfterMs: 150 });
  h.advance(1000); // she looks it up: a second of silence, less than ENDPOINT_LONG
  t.match(h.turn(), /^listening\.endpointing\.long/, 'still her turn after a second');
  const v = says(h, 'We open at six.', { finalAfterMs: 150 });
  t.equal(h.ofType('ledger.callerTurn').length, 0, 'nothing committed during the pause');
  t.equal(endsAfter(h, v), 250);
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'Um, let me check. We open at six.', endpoint: 'semantic' });

  // Complete-looking words, then a pause shorter than the semantic wait: she goes on and the turn is one turn.
  const g = greeted();
  g.voiceOn();
  g.advance(700);
  g.final('We open at six.');
  g.advance(HANGOVER_MS);
  g.send({ type: 'VAD.SILENCE', atMs: g.now - HANGOVER_MS, detectedAtMs: g.now });
  g.voiceOn(); // her voice is back at the edge: 200 ms of pause, less than the semantic wait
  g.advance(100);
  t.match(g.turn(), /^listening\.endpointing\./, 'the semantic wait passed while her voice was starting');
  g.advance(50); // VAD_MIN_SPEECH passes: she is speaking again
  t.equal(g.turn(), 'listening.hearing');
  const early = g.reply();
  t.ok(early?.stopped, 'the reply started on "We open at six." is aborted');
  const w = says(g, 'and close at ten.', { finalAfterMs: 150 });
  t.equal(endsAfter(g, w), 250);
  t.match(g.ofType('ledger.callerTurn').at(-1), { text: 'We open at six. and close at ten.' });
  t.equal(g.ofType('ledger.callerTurn').length, 1);
});

t.test('on a line that is never quiet, the recogniser ends her turn', async (t) => {
  // Music under her voice: the detector never reports silence. The recogniser closes her words and, a second
  // later, says it has heard none since (Deepgram's UtteranceEnd; utterance_end_ms 1000).
  const h = greeted();
  h.voiceOn();
  h.advance(1200);
  const before = h.replies.length;
  h.final('We open at six.');
  t.equal(h.turn(), 'listening.hearing', 'the detector still hears sound');
  t.equal(h.replies.length, before + 1, 'the reply starts on the closed words already');
  t.equal(h.reply()?.input.speculative, true);
  h.advance(1000);
  h.send({ type: 'ASR.UTTERANCE_END', silenceMs: 1000 });
  h.advance(0);
  t.equal(h.turn(), 'thinking', 'her turn ends at once: the silence is already a second long');
  t.equal(h.replies.length, before + 1, 'the early reply is adopted');
  t.same(h.reply()?.received, ['REPLY.ADOPTED']);
  t.equal(h.actor.getSnapshot().matches({ live: { caller: 'speaking' } }), true, 'the music goes on');

  // Trailing words on the same line still get the long wait, counted from the recogniser's silence.
  const g = greeted();
  g.voiceOn();
  g.advance(1200);
  g.final('We open at');
  t.equal(g.replies.length, 0, 'no early reply on words that trail off');
  g.advance(1000);
  g.send({ type: 'ASR.UTTERANCE_END', silenceMs: 1000 });
  g.advance(0);
  t.match(g.turn(), /^listening\.endpointing\.long/, 'waits for the rest');
  g.advance(1099);
  t.match(g.turn(), /^listening\.endpointing\./);
  g.advance(1);
  t.equal(g.turn(), 'thinking', 'ENDPOINT_LONG - ENDPOINT_SHORT after the recogniser said so');
});

t.test("a final the recogniser's own endpointing closed starts the reply before the silence edge", async (t) => {
  const h = greeted();
  h.voiceOn();
  h.advance(900);
  h.final('We open at six.');
  t.equal(h.turn(), 'listening.hearing');
  t.equal(h.reply()?.input.speculative, true, 'started while the detector is still in its hangover');
  h.send({ type: 'VAD.SILENCE', atMs: h.now, detectedAtMs: h.now + HANGOVER_MS });
  t.equal(h.replies.length, 1, 'the silence edge does not start a second one');

  const g = greeted();
  g.voiceOn();
  g.advance(900);
  g.send({ type: 'ASR.FINAL', text: 'We open at six.', confidence: 0.9, speechFinal: false, startMs: 0, endMs: 900 });
  t.equal(g.replies.length, 0, 'a final that is not the end of her speech (she goes on) starts nothing');
});

t.test("a recogniser that ends words at its own detector's edge does not shorten the wait", async (t) => {
  // The offline recogniser segments on a VAD like the call's: its UtteranceEnd comes a hangover after her voice.
  const h = greeted();
  h.voiceOn();
  h.advance(900);
  h.final('we open at six');
  h.advance(200);
  h.send({ type: 'ASR.UTTERANCE_END', silenceMs: 200 });
  h.advance(399);
  t.match(h.turn(), /^listening\.endpointing\./, 'the short wait counts from here');
  h.advance(1);
  t.equal(h.turn(), 'thinking');
});

/** Her answer's first part, and the recogniser's utterance end at its comma's pause; 1.5 s later. */
function firstPartEnds(h: Harness, text: string): void {
  h.final(text);
  h.advance(200);
  h.send({ type: 'ASR.UTTERANCE_END', silenceMs: 200 });
  h.advance(1500);
}

t.test("on a measured quiet line her voice outlasts the recogniser's utterance end: she goes on", async (t) => {
  // The offline recogniser closes words at a comma's pause the call's detector bridges ("five to eleven, | seven
  // to eight on saturday"): while her voice still stands over the quiet line, its UtteranceEnd is not her end.
  const h = greeted();
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: false });
  h.voiceOn();
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now + 200, voice: 'present', noisy: false });
  h.advance(1200);
  firstPartEnds(h, 'monday to friday five to eleven');
  t.equal(h.turn(), 'listening.hearing', 'her voice is still there: no end-of-turn wait');
  h.final('seven to eight on saturday');
  h.voiceOff();
  h.advance(2000);
  t.equal(h.turn(), 'thinking', "the detector's silence ends the turn");
  t.equal(h.ofType('ledger.callerTurn').length, 1, 'one turn');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: /eleven.*saturday/ }, 'with both parts');

  // The same words over a noisy line (music: the detector never goes silent) still end at the recogniser's end.
  const g = greeted();
  g.send({ type: 'CALLER.EVIDENCE', atMs: g.now, voice: 'present', noisy: true });
  g.voiceOn();
  g.advance(1200);
  g.final('We open at six.');
  g.advance(1000);
  g.send({ type: 'ASR.UTTERANCE_END', silenceMs: 1000 });
  g.advance(0);
  t.equal(g.turn(), 'thinking', 'noisy line: the recogniser ends her turn (her voice only present: maybe the room)');

  // Over the same music, her voice held: the recogniser's utterance ended inside her answer, which goes on.
  const m = greeted();
  m.send({ type: 'CALLER.EVIDENCE', atMs: m.now, voice: 'present', noisy: true });
  m.voiceOn();
  m.send({ type: 'CALLER.EVIDENCE', atMs: m.now + 600, voice: 'held', noisy: true });
  m.advance(1200);
  firstPartEnds(m, 'Monday to Friday five to eleven,');
  t.equal(m.turn(), 'listening.hearing', 'noisy line, her voice held: she goes on, the agent does not start over her');
  m.final('seven to eight on Saturday.');
  m.send({ type: 'ASR.UTTERANCE_END', silenceMs: 200 });
  t.equal(m.turn(), 'listening.hearing', 'her words ended while her voice is still held (its evidence lingers)');
  m.advance(600);
  m.send({ type: 'CALLER.EVIDENCE', atMs: m.now, voice: 'absent', noisy: true });
  t.match(m.turn(), /^(listening\.endpointing\.|thinking)/, 'the evidence lets go: the end-of-turn wait, at once');
  m.advance(DEFAULT_TIMING.endpointSemanticMs);
  t.equal(m.turn(), 'thinking', 'and the turn within the semantic wait, with no second utterance end to wait for');
  t.match(m.ofType('ledger.callerTurn').at(-1), { text: /eleven.*Saturday/ }, 'one turn with both parts');

  // Music the detector never took for speech while the agent talked (roomSpeaks false): the voice it hears is hers,
  // even where the evidence let go in her softer words (interrupts-over-music); its silence ends the turn.
  const r = greeted();
  r.send({ type: 'CALLER.EVIDENCE', atMs: r.now, voice: 'present', noisy: true, roomSpeaks: false });
  r.voiceOn();
  r.advance(1200);
  r.send({ type: 'CALLER.EVIDENCE', atMs: r.now, voice: 'absent', noisy: true, roomSpeaks: false });
  firstPartEnds(r, 'Monday to Friday five to eleven,');
  t.equal(r.turn(), 'listening.hearing', 'a room the detector does not hear: its voice is hers, she goes on');
  r.final('seven to eight on Saturday.');
  r.voiceOff();
  r.advance(2000);
  t.equal(r.turn(), 'thinking', "the detector's silence ends the turn");
  t.match(r.ofType('ledger.callerTurn').at(-1), { text: /eleven.*Saturday/ }, 'one turn with both parts');

  // ... but not a voice it goes on hearing seconds after hers last stood out (a radio come on during her turn).
  const v = greeted();
  v.send({ type: 'CALLER.EVIDENCE', atMs: v.now, voice: 'present', noisy: true, roomSpeaks: false });
  v.voiceOn();
  v.advance(1200);
  v.send({ type: 'CALLER.EVIDENCE', atMs: v.now, voice: 'absent', noisy: true, roomSpeaks: false, hersToMs: v.now });
  v.final('We open at six.');
  v.advance(3500);
  v.final('and now the weather');
  v.advance(200);
  v.send({ type: 'ASR.UTTERANCE_END', silenceMs: 200 });
  v.advance(DEFAULT_TIMING.endpointLongMs);
  t.equal(v.turn(), 'thinking', 'the recogniser ends her turn: the voice is not hers any more');
});

/** She answers for 1.5 s over a line (noisy or quiet) with these interim words, and her voice lets go; returns her onset. */
function answersWithInterims(h: Harness, noisy: boolean, interim: string): number {
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy });
  const from = h.now;
  h.voiceOn();
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now + 200, voice: 'present', noisy });
  h.advance(1500);
  h.partial(interim);
  h.voiceOff();
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now + 600, voice: 'absent', noisy });
  return from;
}

const HER_FINAL = 'Eight a.m. to nine p.m. every day.';

/** The final of her answer, which started at `from`; the turn must end at once, with its words. */
function finalEndsTurn(t: Test, h: Harness, from: number): void {
  h.send({ type: 'ASR.FINAL', text: HER_FINAL, confidence: 0.8, speechFinal: true, startMs: from, endMs: from + 1500 });
  t.equal(h.turn(), 'thinking', 'the final ends it at once');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: HER_FINAL }, 'with its words');
}

t.test('on a noisy line a turn ends on its final, not on interim words that look complete', async (t) => {
  // The offline recogniser's interim words over music are the grammar decoder's (music made into words); its final
  // is Moonshine's, transcribed once the utterance ended. The same interim words on a quiet line end the turn.
  for (const noisy of [true, false]) {
    const h = greeted();
    const from = answersWithInterims(h, noisy, 'eight a.m. to nine p.m. every day');
    h.advance(DEFAULT_TIMING.endpointShortMs + 50);
    if (!noisy) {
      t.equal(h.turn(), 'thinking', 'quiet line: the interim words end the turn');
      continue;
    }
    t.match(h.turn(), /^listening\.endpointing\.long/, 'noisy line: the interim words wait for their final');
    finalEndsTurn(t, h, from);
  }
});

t.test(
  'on a noisy line the long wait does not end the turn on interim words: their final, or the maximum',
  async (t) => {
    // interrupts-over-music: her 11 s answer's final came 1.3 s after the long wait, which had ended her turn on the
    // grammar decoder's words of the music ("to but it's it you the or uh do to noon"): "Sorry, I didn't quite catch
    // your opening hours", and her hours came in late.
    for (const final of [true, false]) {
      const h = greeted();
      const from = answersWithInterims(h, true, 'to but it is you the or uh do to noon');
      h.advance(DEFAULT_TIMING.endpointLongMs + 100);
      t.equal(h.turn(), 'listening.endpointing.noWords', 'past the long wait: still waiting for the final');
      if (final) {
        finalEndsTurn(t, h, from);
        continue;
      }
      h.advance(DEFAULT_TIMING.endpointMaxMs);
      t.equal(h.turn(), 'thinking', 'no final by the maximum: the interim words end the turn');
    }
  },
);

/**
 * She speaks for `ms`; when her voice pauses the recogniser's interim words reach `heardToMs` after its start
 * (short of her voice's end when it lags), then the silence edge. Returns her last voiced frame.
 */
function saysBehind(h: Harness, ms: number, text: string, heardToMs: number): number {
  h.voiceOn();
  h.advance(ms);
  const lastVoice = h.now;
  h.partial(text, lastVoice - ms + heardToMs);
  h.advance(HANGOVER_MS);
  h.send({ type: 'VAD.SILENCE', atMs: lastVoice, detectedAtMs: h.now });
  return lastVoice;
}
const finalOf = (h: Harness, text: string, fromMs: number, toMs: number) =>
  h.send({ type: 'ASR.FINAL', text, confidence: 0.9, speechFinal: true, startMs: fromMs, endMs: toMs });

t.test(
  'a recogniser behind her voice: the turn waits for its final instead of ending on stale interim words',
  async (t) => {
    // Under load the embedded recogniser's interim words trailed her voice by 0.2–4.7 s; a turn ended on them lost
    // her last words ("…cross fit and pay" for "…cross fit and hiit"). Words that reach her voice's end are taken.
    const behind = greeted();
    const lastVoice = saysBehind(behind, 3000, 'We open at six and close at nine. Classes are yoga and', 1600);
    behind.advance(DEFAULT_TIMING.endpointLongMs);
    t.match(behind.turn(), /^listening\.endpointing/, 'still waiting past the long endpoint');
    behind.partial('We open at six and close at nine. Classes are yoga and pay', lastVoice - 220);
    behind.advance(100);
    t.match(behind.turn(), /^listening\.endpointing/, '220 ms short of her voice is still behind');
    finalOf(behind, 'We open at six and close at nine. Classes are yoga and HIIT.', lastVoice - 3000, lastVoice);
    t.equal(behind.turn(), 'thinking', 'the final ends the turn');
    t.match(behind.ofType('ledger.callerTurn').at(-1), { text: /yoga and HIIT\.$/ });

    // Never waits forever: at the maximum the turn ends on the words in hand.
    const stuck = greeted();
    const v = saysBehind(stuck, 2000, 'We open at six', 1000);
    t.equal(endsAfter(stuck, v), DEFAULT_TIMING.endpointMaxMs, 'ENDPOINT_MAX');
    t.match(stuck.ofType('ledger.callerTurn').at(-1), { text: 'We open at six', endpoint: 'max' });

    // Still working through her speech (a CPU decoding at half real time): the wait runs from its progress.
    const slow = greeted();
    const u = saysBehind(slow, 4000, 'We open at six', 1000);
    for (let heardTo = u - 3000; heardTo + 300 < u;) {
      slow.advance(600);
      heardTo += 300;
      slow.partial('We open at six and close at nine', heardTo);
    }
    t.ok(slow.now - u > DEFAULT_TIMING.endpointMaxMs, 'past the maximum while it got further');
    t.match(slow.turn(), /^listening\.endpointing\.noWords/, 'still waiting for its final');
    finalOf(slow, 'We open at six and close at nine on weekdays.', u - 4000, u);
    t.match(slow.ofType('ledger.callerTurn').at(-1), { text: 'We open at six and close at nine on weekdays.' });

    // Interim words that reach her voice's end are all of them: the short wait ends the turn, as before.
    const current = greeted();
    const w = saysBehind(current, 2000, 'We open at six', 2080);
    t.equal(endsAfter(current, w), 400, 'ENDPOINT_SHORT on interim words that kept up');
  },
);

/** A stretch of her voice `ms` long, then its silence edge a hangover later: [onset, last voiced frame]. */
function stretch(h: Harness, ms: number): [number, number] {
  const onset = h.now;
  h.voiceOn();
  h.advance(ms);
  const end = h.now;
  h.advance(HANGOVER_MS);
  h.send({ type: 'VAD.SILENCE', atMs: end, detectedAtMs: h.now });
  return [onset, end];
}

t.test('a recogniser behind her voice: the final of her first stretch does not end a turn of two', async (t) => {
  // "We open at six. | Classes are yoga and HIIT.", her pause long enough for a silence edge, her second sentence
  // within the end-of-turn wait: one final per stretch. The first, arriving after her voice ended, ended the turn
  // and the second was dropped as late.
  const h = greeted();
  const [, first] = stretch(h, 1200);
  h.advance(100);
  const [onset, lastVoice] = stretch(h, 1500);
  h.advance(400);
  finalOf(h, 'We open at six.', 0, first);
  t.match(h.turn(), /^listening\.endpointing/, 'her first stretch: still waiting for the second');
  h.advance(DEFAULT_TIMING.endpointLongMs);
  t.match(h.turn(), /^listening\.endpointing\.noWords/, 'past the long wait: its words are still to come');
  finalOf(h, 'Classes are yoga and HIIT.', onset, lastVoice);
  t.equal(h.turn(), 'thinking');
  t.match(h.ofType('ledger.callerTurn').at(-1), { text: 'We open at six. Classes are yoga and HIIT.' });
});
