import t from 'tap';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { harness, type Harness } from './harness.js';

// Outbound, before the greeting: who answered? A person's pickup gets the greeting at her first pause; a
// recording's intro or a screening assistant, which pause between their sentences, get nothing: the phone tree or
// screening state takes the line and the person reached later gets the greeting. SimulatedClock, event by event.

const situation = (h: Harness) => {
  const v = h.actor.getSnapshot().value as { live?: { situation?: unknown } };
  return JSON.stringify(v.live?.situation ?? null);
};
function outbound(): Harness {
  const h = harness({ direction: 'outbound' });
  h.send({ type: 'MEDIA.START' });
  return h;
}
/** The line says `text` (voice edges around the recogniser's final), then is silent. */
function line(h: Harness, text: string, ms = 1500) {
  h.voiceOn();
  h.advance(ms);
  h.final(text);
  h.voiceOff();
}
const greetings = (h: Harness) => h.ctx().metrics.greetings;

t.test("a person's pickup is greeted at her first pause", async (t) => {
  for (const hello of ['Hello?', 'Iron Temple, this is Sam.', 'Front desk, how can I help you?', 'Speaking.']) {
    const h = outbound();
    line(h, hello, 700);
    t.equal(h.turn(), 'greeting', `"${hello}": greeted at once`);
    t.match(h.saidTexts()[0], /^Hi, is this Iron Temple\?/);
  }
  // The recogniser's final came after her pause: the greeting goes out when it does, not a settle later.
  const late = outbound();
  late.voiceOn();
  late.advance(600);
  late.voiceOff();
  t.match(late.turn(), /awaitingHello\.settling/, 'no words yet: not greeted on the silence alone');
  late.advance(150);
  late.final('Hello?');
  t.equal(late.turn(), 'greeting', 'her hello arrived: greeted');
  t.equal(greetings(late), 1);
});

t.test("a phone tree's intro is not greeted; the person its key reaches is, once", async (t) => {
  const h = outbound();
  line(h, 'Thank you for calling Iron Temple.');
  h.advance(600);
  t.equal(h.says().length, 0, "not a word in the pause between the tree's intro and its menu");
  line(h, 'For billing, press 1. For membership and sales, press 2.', 2500);
  t.match(situation(h), /phoneTree/, 'the menu moved the line to the phone tree');
  t.equal(h.turn(), 'standby');
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['2']);
  h.advance(1500);
  line(h, 'Hi, front desk, how can I help?');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.match(h.saidTexts()[0], /^Hi, is this Iron Temple\?/, 'the greeting, to the person, the first words said');
  t.equal(greetings(h), 1, 'one greeting in the call');
});

t.test("a screening assistant's first sentence is not greeted, even before its words are recognised", async (t) => {
  const h = outbound();
  h.voiceOn();
  h.advance(2200);
  h.partial('hi the person you are calling');
  h.voiceOff();
  h.advance(200);
  h.final('Hi, the person you are calling is using a screening service.');
  t.match(situation(h), /screening/);
  t.equal(h.says().length, 0, 'nothing said over the assistant');
  line(h, 'Please say your name and why you are calling.', 2000);
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(h.says().length, 1, 'our one sentence, once it stopped');
  t.notMatch(h.saidTexts()[0], /^Hi, is this/, 'not the greeting');
  h.playAll(2000);
  line(h, 'Hello, yes, this is the gym.');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.equal(greetings(h), 1, 'the person gets the greeting');
});

t.test('words not made out, or a recording nothing recognised, are greeted after HELLO_SETTLE', async (t) => {
  for (const words of ['Thank you for calling Iron Temple.', 'mm', 'Our new spin studio opens in March.']) {
    const h = outbound();
    line(h, words, 1200);
    h.advance(DEFAULT_TIMING.helloSettleMs - 1);
    t.equal(h.says().length, 0, `"${words}": not greeted at the first pause`);
    h.advance(1);
    t.equal(h.turn(), 'greeting', `"${words}": greeted once the line stayed silent`);
  }
  // The recording goes on after a short pause: the wait starts again at its next pause.
  const h = outbound();
  line(h, 'Thank you for calling Iron Temple.');
  h.advance(500);
  line(h, 'Please listen carefully, as our options have changed.');
  h.advance(DEFAULT_TIMING.helloSettleMs - 1);
  t.equal(h.says().length, 0, 'counted from the last pause');
  h.advance(1);
  t.equal(h.turn(), 'greeting');
});

t.test('the wait counts from her last voiced frame (the VAD hangover already passed)', async (t) => {
  const h = outbound();
  h.voiceOn();
  h.advance(1200);
  h.final('Thank you for calling Iron Temple.');
  h.send({ type: 'VAD.SILENCE', atMs: h.now - 200, detectedAtMs: h.now });
  h.advance(DEFAULT_TIMING.helloSettleMs - 201);
  t.equal(h.says().length, 0);
  h.advance(1);
  t.equal(h.turn(), 'greeting');
});

t.test(
  "a queue's recording at its pause puts the call on hold, its final not needed; no greeting into the music",
  async (t) => {
    const h = outbound();
    h.voiceOn();
    h.advance(4000);
    // Over hold music the recogniser's utterance runs on: only its interim words exist at the recording's pause.
    h.send({
      type: 'ASR.STABLE',
      text: 'thank you for calling all of our team members are busy please stay on the line',
    });
    h.voiceOff();
    t.match(situation(h), /onHold/);
    t.equal(h.turn(), 'standby');
    h.advance(30_000);
    t.equal(h.says().length, 0, 'nothing said on hold');
    line(h, 'Hi, thanks for holding, this is the front desk.');
    h.advance(DEFAULT_TIMING.personSettleMs);
    t.equal(greetings(h), 1, 'the person gets the greeting');
  },
);

t.test(
  'words with no voice under them after the pause (music after an unclear "please hold") are held, not greeted',
  async (t) => {
    const h = outbound();
    line(h, 'please hello on', 1000);
    t.match(h.turn(), /awaitingHello\.settling/);
    h.partial('how');
    t.match(h.turn(), /settling/, "the pause's own late words are not the line sounding");
    h.advance(DEFAULT_TIMING.recogniserLagMs);
    h.partial('noon do soon');
    t.match(h.turn(), /awaitingHello\.lineSounding/);
    h.advance(DEFAULT_TIMING.helloSettleMs);
    t.equal(h.says().length, 0, 'no greeting into the music');
    h.advance(DEFAULT_TIMING.lineSoundingMs);
    t.match(situation(h), /onHold/, 'a queue: on hold until a voice speaks');
    // Music heard as words: the voice detector heard no voice under them.
    h.final('noon noon to nine and i we do now noon');
    h.advance(DEFAULT_TIMING.personSettleMs);
    t.match(situation(h), /onHold/, 'words without a voice are the music');
    line(h, 'Hello? Anyone there?');
    h.advance(DEFAULT_TIMING.personSettleMs);
    t.equal(situation(h), '"conversation"');
    t.equal(greetings(h), 1);
  },
);

t.test(
  'words that grow from sound well after the pause move to lineSounding without waiting out the lag',
  async (t) => {
    const h = outbound();
    line(h, 'please hello on', 1000);
    const pause = h.now;
    h.partial('please hello on to our our', pause + 200);
    t.match(h.turn(), /awaitingHello\.settling\.lagging/, 'words up to just past the pause: still its own');
    h.advance(300);
    h.partial('please hello on to our our uh how', pause + 500);
    t.match(h.turn(), /awaitingHello\.lineSounding/, 'a word more, from the music after it');
    h.advance(DEFAULT_TIMING.helloSettleMs);
    t.equal(h.says().length, 0, 'no greeting into the music');
  },
);

t.test(
  "a busy recogniser's late words of her hello are not the line sounding: their audio ends in her pause",
  async (t) => {
    const h = outbound();
    line(h, 'iron works fitness this is', 1200);
    const pauseAt = h.now;
    h.advance(DEFAULT_TIMING.recogniserLagMs + 400);
    // Decoded seconds late (a loaded machine), the words of her own hello, heard up to her pause.
    h.partial('iron works fitness this is sam', pauseAt + 150);
    t.match(h.turn(), /awaitingHello\.settling/, 'still her pause, not music');
    h.advance(DEFAULT_TIMING.helloSettleMs - DEFAULT_TIMING.recogniserLagMs - 400);
    t.equal(h.turn(), 'greeting', 'greeted once the line stayed silent');
    // The same words from audio well after her pause are new sound on a line with no voice under it.
    const m = outbound();
    line(m, 'please hello on', 1000);
    const pause = m.now;
    m.advance(DEFAULT_TIMING.recogniserLagMs);
    m.partial('noon do soon', pause + DEFAULT_TIMING.recogniserLagMs + 100);
    t.match(m.turn(), /awaitingHello\.lineSounding/, 'words heard after the pause: the line sounding');
  },
);

t.test('a person who says something unclear and waits in silence is still greeted after HELLO_SETTLE', async (t) => {
  const h = outbound();
  line(h, 'uh yeah', 600);
  h.partial('uh yeah');
  h.advance(DEFAULT_TIMING.helloSettleMs);
  t.equal(h.turn(), 'greeting');
});

t.test("her hello's words, decoded only after the greeting began, are not her answer to its question", async (t) => {
  // A recogniser behind real time (the embedded one on a loaded CPU): her hello's first guess is in before the
  // greeting, the rest of its words and its final during it. They are the pickup's, not the answer to "What are
  // your opening hours?" (the agent once asked "Sorry, I didn't quite catch your opening hours" over her answer).
  for (const first of ['tai', undefined]) {
    const h = outbound();
    h.voiceOn();
    h.advance(1200);
    const end = h.now;
    h.voiceOff();
    if (first !== undefined) h.partial(first, 600);
    h.advance(DEFAULT_TIMING.helloSettleMs);
    t.equal(h.turn(), 'greeting', `${first ?? 'no words'}: greeted after HELLO_SETTLE`);
    // A cloud recogniser's interim says where its window ends, past her pause: not late by itself.
    h.partial('i each hello', first === undefined ? end + 800 : end);
    h.send({ type: 'ASR.FINAL', text: 'i each hello', confidence: 1, speechFinal: true, startMs: 0, endMs: end + 40 });
    t.same(h.ctx().caller.finals, [], `${first ?? 'no words'}: nothing of the hello in the turn after it`);
    h.playAll(1000);
    h.advance(DEFAULT_TIMING.endpointLongMs);
    t.equal(h.turn(), 'listening.waiting', `${first ?? 'no words'}: she has the floor; no turn of hers ended`);
    t.equal(h.replies.length, 0, `${first ?? 'no words'}: nothing to answer`);
    // Recorded once: as committed, or (committed before any words came) its late words in its own place.
    const turns = h.ofType('ledger.callerTurn').map((l) => [l.seq, l.text]);
    t.same(
      turns,
      [[1, first ?? 'i each hello']],
      `${first ?? 'no words'}: the hello recorded once, before the greeting`,
    );
    t.equal(h.ofType('ledger.agentTurn')[0]?.seq, 2, `${first ?? 'no words'}: the greeting after it`);
  }
});

t.test(
  "hung up during the greeting: her hello's words still being decoded are waited for, and only then",
  async (t) => {
    // The hello committed without words (a recogniser behind real time): its words are owed until a final of its
    // audio, or words of later audio, say the recogniser is done with it. A hang-up waits for owed words only.
    const cases: Array<[string, (h: Harness, end: number) => void, boolean]> = [
      ['nothing yet', () => {}, true],
      ['an empty final of the hello', (h, end) => final(h, '', 0, end + 40), false],
      ['the hello words', (h, end) => final(h, 'hello', 0, end + 40), false],
      ['an empty final of later audio', (h, end) => final(h, '', end + 900, end + 1400), false],
    ];
    for (const [name, before, drains] of cases) {
      const h = outbound();
      h.voiceOn();
      h.advance(1200);
      const end = h.now;
      h.voiceOff();
      h.advance(DEFAULT_TIMING.helloSettleMs);
      t.equal(h.turn(), 'greeting', `${name}: greeted`);
      h.advance(1000);
      before(h, end);
      h.send({ type: 'CALL.HANGUP', reason: 'socket-closed' });
      t.equal(h.state(), drains ? 'draining' : 'ended', `${name}: ${drains ? 'waits for the words' : 'ends at once'}`);
      if (!drains) continue;
      final(h, 'hello', 0, end + 40);
      t.equal(h.state(), 'ended', `${name}: ends on them`);
      t.same(
        h.ofType('ledger.callerTurn').map((l) => [l.seq, l.text]),
        [[1, 'hello']],
        `${name}: the hello in its place`,
      );
    }
  },
);

function final(h: Harness, text: string, startMs: number, endMs: number) {
  h.send({ type: 'ASR.FINAL', text, confidence: 1, speechFinal: true, startMs, endMs });
}

t.test(
  'an empty final of her hello before the greeting leaves no words owed: a later hang-up ends at once',
  async (t) => {
    // A recogniser in time that made nothing of her hello (a noisy pickup): the greeting's commit keeps the hello's
    // place, but its final has come already; nothing is pending for the rest of the call.
    const h = outbound();
    h.voiceOn();
    h.advance(1200);
    const end = h.now;
    h.voiceOff();
    final(h, '', 0, end);
    h.advance(DEFAULT_TIMING.helloSettleMs);
    t.equal(h.turn(), 'greeting', 'greeted');
    h.advance(1000);
    h.send({ type: 'CALL.HANGUP', reason: 'socket-closed' });
    t.equal(h.state(), 'ended', 'ends at once');
  },
);
