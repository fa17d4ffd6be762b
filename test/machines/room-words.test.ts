import t from 'tap';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { harness, type Harness } from './harness.js';

const DEFAULT_LAG = DEFAULT_TIMING.recogniserLagMs;

// The room's words on a noisy line (machines/evidence.ts roomWords): a grammar recogniser writes a gym's music as
// words. With no voice of hers under them they are not hers: they neither start a turn nor join her pickup, and
// a final whose voice was all in the turn already answered is not a new one. On a quiet line, words the detector
// missed are still hers. SimulatedClock, event by event.

const noisy = (h: Harness) => h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true });
const quiet = (h: Harness) => h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: false });
/** A final for audio from `startMs` to `endMs` (now). */
const finalFrom = (h: Harness, text: string, startMs: number, endMs = h.now) =>
  h.send({ type: 'ASR.FINAL', text, confidence: 1, speechFinal: true, startMs, endMs });

function listening(): Harness {
  const h = harness({ direction: 'inbound' });
  h.send({ type: 'MEDIA.START' });
  h.playAll(3000);
  return h;
}

t.test('on a noisy line, music heard as words with no voice under it is not her turn', async (t) => {
  const h = listening();
  t.equal(h.turn(), 'listening.waiting');
  noisy(h);
  h.advance(2000);
  h.partial('to but it months', h.now);
  finalFrom(h, 'to but it months it you the or noon', h.now - 1500);
  t.equal(h.turn(), 'listening.waiting', 'no turn started');
  t.same(h.ctx().caller.finals, [], 'nothing kept');
  t.equal(h.ctx().caller.partial, '');
  // Her answer, with her voice under it, is hers.
  h.voiceOn();
  h.advance(1200);
  finalFrom(h, 'we open at six', h.now - 1200);
  h.voiceOff();
  t.same(h.ctx().caller.finals, ['we open at six']);
});

t.test('on a quiet line, words the detector missed still start her turn', async (t) => {
  const h = listening();
  quiet(h);
  h.advance(2000);
  finalFrom(h, 'we open at six', h.now - 1000);
  t.match(h.turn(), /listening\.endpointing/);
  t.same(h.ctx().caller.finals, ['we open at six']);
});

t.test("her pickup over music is judged on her voice's words, not the music's before it", async (t) => {
  const h = harness({ direction: 'outbound' });
  h.send({ type: 'MEDIA.START' });
  // The first bar of music passes for a voice, before the line is known to be noisy.
  h.voiceOn();
  h.advance(1200);
  finalFrom(h, 'closed uh to and', h.now - 1200);
  h.voiceOff();
  noisy(h);
  // The music goes on, heard as words: a queue's sound, no greeting into it.
  h.advance(800);
  h.partial('hiit can', h.now);
  t.match(h.turn(), /awaitingHello\.lineSounding/);
  h.advance(1200);
  finalFrom(h, 'hiit can uh at', h.now - 2000);
  t.same(h.ctx().caller.finals, ['closed uh to and'], "the later music's words, with no voice under them, are dropped");
  // Her hello.
  h.voiceOn();
  h.advance(600);
  h.partial('hello', h.now);
  h.voiceOff();
  t.equal(h.turn(), 'greeting', 'greeted at her first pause');
  t.equal(h.ctx().metrics.greetings, 1);
});

t.test(
  "a short voice over the room that waits in silence is a person: the music's words after it are the room's",
  async (t) => {
    // A front desk with music (music-10db): her "hello?" stands over the room, the recogniser makes words of the music
    // after it. Taken for a queue, the call was held for five minutes and nobody was greeted.
    const hello = (h: Harness, evidence: 'present' | 'absent', ms: number) => {
      h.voiceOn();
      h.advance(200);
      h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: evidence, noisy: true });
      h.advance(ms - 200);
      // Her hello as the grammar recogniser made it out over the music: no pickup's words.
      h.partial('and our', h.now);
      h.voiceOff();
      h.advance(300);
      h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true });
      h.partial('and our at noon', h.now + 400);
      h.advance(DEFAULT_LAG);
      h.partial('and our at noon to but', h.now + 400);
    };
    const near = harness({ direction: 'outbound' });
    near.send({ type: 'MEDIA.START' });
    noisy(near);
    hello(near, 'present', 700);
    t.match(near.turn(), /awaitingHello\.settling/, 'not the line sounding');
    near.advance(1100);
    t.equal(near.turn(), 'greeting', 'greeted after her silence');
    // The same sound, the voice not standing over the room (the music passing for a voice), or a voice that talks
    // for seconds (a recording's intro): the words after it are the line sounding, as before.
    for (const [name, evidence, ms] of [
      ['the room passing for a voice', 'absent', 700],
      ['a long voice', 'present', 2500],
    ] as const) {
      const h = harness({ direction: 'outbound' });
      h.send({ type: 'MEDIA.START' });
      noisy(h);
      hello(h, evidence, ms);
      t.match(h.turn(), /awaitingHello\.lineSounding/, `${name}: the line sounding`);
    }
  },
);

t.test("a final whose voice was all in the turn already answered is the room's, not a new turn", async (t) => {
  const h = harness({ direction: 'outbound' });
  h.send({ type: 'MEDIA.START' });
  noisy(h);
  h.advance(1000);
  const start = h.now;
  h.voiceOn();
  h.advance(600);
  h.partial('hello', h.now);
  h.voiceOff();
  t.equal(h.turn(), 'greeting');
  // Over the music the recogniser's utterance ran on: its final comes 1.9 s later with the music's words on it.
  h.advance(1900);
  finalFrom(h, 'hello um at pound', start - 200);
  t.same(h.ctx().caller.finals, [], 'not kept for the turn after the greeting');
  h.playAll(3000);
  t.equal(h.turn(), 'listening.waiting', "the greeting's question waits for her answer");
});

t.test('her first phrase, whose final arrives after she went on, is still hers', async (t) => {
  const h = listening();
  noisy(h);
  h.advance(1000);
  const first = h.now;
  h.voiceOn();
  h.advance(1200);
  h.voiceOff();
  h.advance(300);
  h.voiceOn();
  h.advance(200);
  finalFrom(h, 'we open at six', first, first + 1200);
  t.same(h.ctx().caller.finals, ['we open at six'], 'the final of the stretch before is kept');
});

t.test('a one-word answer shorter than a word-length of voice is hers', async (t) => {
  const h = listening();
  noisy(h);
  h.advance(1000);
  const start = h.now;
  h.voiceOn();
  h.advance(250);
  h.voiceOff();
  finalFrom(h, 'no', start - 100, h.now + 100);
  t.same(h.ctx().caller.finals, ['no']);
});

t.test("the room's final never ends her turn, even while the turn waits for words", async (t) => {
  const h = listening();
  noisy(h);
  h.advance(1000);
  h.voiceOn();
  h.advance(800);
  h.voiceOff();
  t.match(h.turn(), /listening\.endpointing/);
  h.advance(1500);
  t.equal(h.turn(), 'listening.endpointing.noWords', 'no words of hers yet: waiting for them');
  finalFrom(h, 'noon to noon', h.now - 1000);
  t.equal(h.turn(), 'listening.endpointing.noWords', 'no turn ends on the music');
  t.same(h.ctx().caller.finals, []);
});
