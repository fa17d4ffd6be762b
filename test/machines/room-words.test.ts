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

/**
 * A short voice (her "hello?") on a line already measured noisy, standing over the room (`stoodOut`) or not, then
 * the recogniser's words of the music after her pause, as they come: the evidence lets go 700 ms after it.
 */
function helloOverMusic(h: Harness, o: { stoodOut: boolean; ms?: number; noisy?: boolean; blip?: boolean }) {
  const lineNoisy = o.noisy ?? true;
  h.voiceOn();
  h.advance(200);
  if (o.stoodOut) h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'present', noisy: lineNoisy });
  h.advance((o.ms ?? 700) - 200);
  // Her hello as the grammar recogniser made it out over the music: no pickup's words.
  h.partial('and our', h.now);
  h.voiceOff();
  // Her last frame that stood over the room: the evidence lets go 700 ms after it.
  const loudTo = h.now - 60;
  h.advance(100);
  // A click shorter than VAD_MIN_SPEECH: the caller region notes its onset, never its silence edge.
  if (o.blip === true) {
    h.send({ type: 'VAD.VOICE', atMs: h.now });
    h.advance(40);
    h.send({ type: 'VAD.SILENCE', atMs: h.now });
  }
  h.advance(300);
  h.partial('and our at noon', h.now);
  h.advance(300);
  if (o.stoodOut) h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: lineNoisy, hersToMs: loudTo });
  h.advance(DEFAULT_LAG);
  h.partial('and our at noon to but', h.now);
}

function outboundOver(evidenceNoisy: boolean): Harness {
  const h = harness({ direction: 'outbound' });
  h.send({ type: 'MEDIA.START' });
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: evidenceNoisy });
  return h;
}

t.test("a hello said again over a noisy room is a person: the music's words after it are the room's", async (t) => {
  // A front desk with music (music-10db): each "hello?" stood over the room, the recogniser made words of the music
  // after it, and the line was taken for a queue: held for five minutes, nobody greeted.
  const h = outboundOver(true);
  helloOverMusic(h, { stoodOut: true });
  t.match(h.turn(), /awaitingHello\.lineSounding/, 'one short voice: as a queue\'s "please hold" would be');
  h.advance(2000);
  helloOverMusic(h, { stoodOut: true, blip: true });
  t.equal(
    h.turn(),
    'greeting',
    'said again: greeted after HELLO_SETTLE of her silence (a blip after it changes nothing)',
  );
  // The second voice not standing over the room (the music passing for a voice), talking for seconds (a recording's
  // intro), or a quiet line: the words after it are the line sounding, as before.
  for (const [name, second, lineNoisy] of [
    ['the room passing for a voice', { stoodOut: false }, true],
    ['a long voice', { stoodOut: true, ms: 2500 }, true],
    ['a quiet line', { stoodOut: true }, false],
  ] as const) {
    const m = outboundOver(lineNoisy);
    helloOverMusic(m, { stoodOut: true, noisy: lineNoisy });
    m.advance(2000);
    helloOverMusic(m, { ...second, noisy: lineNoisy });
    t.match(m.turn(), /awaitingHello\.lineSounding/, `${name}: the line sounding`);
  }
});

t.test(
  "a room of talkers: a voice that stood over it and let go is greeted, inside the detector's long stretch",
  async (t) => {
    // People talking by the desk (chatter): the detector hears the room for seconds on end, her hello is inside that
    // stretch, the recogniser writes the room's words around it. The voice standing over the room is what tells.
    const room = (roomSpeaks: boolean | undefined, lineNoisy = true, herMs = 700) => {
      const h = harness({ direction: 'outbound' });
      h.send({ type: 'MEDIA.START' });
      h.voiceOn();
      h.advance(1000);
      h.partial('um i it um we to at', h.now);
      const said = (voice: 'absent' | 'present', hersToMs?: number) =>
        h.send({
          type: 'CALLER.EVIDENCE',
          atMs: h.now,
          voice,
          noisy: lineNoisy,
          ...(roomSpeaks === undefined ? {} : { roomSpeaks }),
          ...(hersToMs === undefined ? {} : { hersToMs }),
        });
      said('absent');
      h.advance(3000);
      said('present');
      h.advance(herMs);
      const hersTo = h.now;
      h.advance(600);
      said('absent', hersTo);
      return h;
    };
    t.equal(room(true).turn(), 'greeting', 'the room speaks: greeted as her voice let go, the detector still hearing');
    for (const [name, h] of [
      ['music (the room is not speech)', room(false)],
      ['the room not known yet', room(undefined)],
      ['a quiet line', room(true, false)],
      ['a voice standing out longer than a pickup (an announcement)', room(true, true, 4500)],
    ] as const)
      t.match(h.turn(), /awaitingHello\.hearing/, `${name}: still hearing, not greeted`);
  },
);

t.test("a room of talkers: the detector's edges and the room's words do not hold off the re-prompt", async (t) => {
  // People talking by the desk: the detector's voice comes and goes with them every second or two, and the
  // recogniser writes their words. Taken for her turns, each restarted the wait for her answer; nobody spoke to the
  // phone, and the agent said nothing for a minute.
  const run = (roomSpeaks: boolean) => {
    const h = listening();
    h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true, roomSpeaks });
    const asked = h.says().length;
    for (let i = 0; i < 5; i++) {
      h.voiceOn();
      h.advance(1000);
      h.finalOver('um i it um we to at', h.now - 900, h.now);
      h.advance(200);
      h.voiceOff();
      h.advance(300);
    }
    return { h, reprompted: h.says().length > asked };
  };
  const room = run(true);
  t.ok(room.reprompted, 'the room of talkers: re-prompted IDLE_REPROMPT after the question');
  t.same(room.h.ctx().caller.finals, [], "the room's words are not kept for her turn");
  t.notOk(run(false).reprompted, 'music, whose room the detector does not take for speech: its voice is hers');
  // Her voice standing over the room while the detector hears it: her turn.
  const h = listening();
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true, roomSpeaks: true });
  h.voiceOn();
  h.advance(300);
  t.match(h.turn(), /listening\.waiting/, "the room's voice: still waiting");
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'present', noisy: true, roomSpeaks: true });
  t.match(h.turn(), /listening\.hearing/, 'her voice over it: hearing her');
  // Her words, her voice letting go, the detector's silence: the end-of-turn wait. The room's voice does not
  // resume her turn; hers does.
  h.advance(1000);
  h.final('we open at six');
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true, roomSpeaks: true });
  h.voiceOff();
  t.match(h.turn(), /listening\.endpointing/, 'her silence: the end-of-turn wait');
  h.voiceOn();
  h.advance(150);
  t.match(h.turn(), /listening\.endpointing/, "the room's voice: the wait goes on");
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'present', noisy: true, roomSpeaks: true });
  t.match(h.turn(), /listening\.hearing/, 'her voice again: she went on');
  // Her turn ends; while the reply is being made the room's voice does not cancel it, hers does.
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: true, roomSpeaks: true });
  h.voiceOff();
  for (let waited = 0; h.turn() !== 'thinking' && waited < 4000; waited += 50) h.advance(50);
  t.equal(h.turn(), 'thinking', 'her turn ended: the reply is being made');
  h.voiceOn();
  h.advance(200);
  t.equal(h.turn(), 'thinking', "the room's voice: the reply goes on");
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'present', noisy: true, roomSpeaks: true });
  t.equal(h.turn(), 'thinking', 'a moment standing out (a talker may): the reply goes on');
  h.advance(400);
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'held', noisy: true, roomSpeaks: true });
  t.match(h.turn(), /listening\.hearing/, 'her voice held: she went on, the reply is dropped');
});

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
