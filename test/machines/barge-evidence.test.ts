import t from 'tap';
import type { VoiceEvidence } from '../../machines/evidence.js';
import { greeted, harness, type Harness } from './harness.js';

// Barge-in that needs the caller, not the room (issue 15 item 3): on a line the session measures, sound over the
// agent interrupts it only with CALLER.EVIDENCE that it is her voice (over the line's noise peak, clear of the
// agent's echo), and on a noisy line only her words confirm it. Driven event by event with a SimulatedClock.

/** The agent is saying a question; the line is measured (`noisy` or quiet; the room speech or not, if said). */
function agentAsking(noisy: boolean, roomSpeaks?: boolean): { h: Harness; evidence: (voice: VoiceEvidence) => void } {
  const h = greeted();
  h.callerSays('We are open six to ten every day.');
  h.advance(400);
  h.llm('Thanks!', 'How much does a membership cost?');
  const [thanks, question] = h.says().slice(-2);
  h.startSpeaking(thanks!.utteranceId);
  h.send({ type: 'SPEAKER.PLAYED', utteranceId: thanks!.utteranceId, atMs: h.now });
  h.startSpeaking(question!.utteranceId);
  h.hear(question!.utteranceId, 'How much');
  const room = roomSpeaks === undefined ? {} : { roomSpeaks };
  const evidence = (voice: VoiceEvidence) => h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice, noisy, ...room });
  evidence('absent');
  return { h, evidence };
}

t.test(
  'music under the line: the VAD hears speech all along, the recogniser words; the agent is never cut',
  async (t) => {
    const { h } = agentAsking(true);
    h.voiceOn();
    h.advance(3000);
    t.equal(h.turn(), 'speaking.contested', 'sound over the agent, judged');
    h.partial('monday seven classes');
    h.advance(500);
    t.equal(h.turn(), 'speaking.contested', 'words without her voice under them do not barge in');
    t.equal(h.clears(), 0, 'never stopped');
    t.equal(h.ctx().metrics.falseBargeIns, 0);
  },
);

t.test("the agent's own echo: its words come back, but no voice of hers: no barge-in", async (t) => {
  const { h } = agentAsking(false);
  h.voiceOn();
  h.advance(200);
  h.partial('how much does a membership');
  h.final('how much does a membership cost');
  h.advance(1500);
  t.equal(h.clears(), 0, 'the agent talked on over its own echo');
  t.equal(h.turn(), 'speaking.contested');
});

t.test(
  'her interruption over music: her voice and a new real word pause the agent at once; words confirm',
  async (t) => {
    const { h, evidence } = agentAsking(true);
    h.voiceOn();
    h.advance(2000);
    h.partial('uh');
    t.equal(h.clears(), 0, 'the room decoded as a sound: nothing');
    t.notOk(
      h.asr.some((c) => c.type === 'ASR.HURRY'),
      'no hurry for the room',
    );
    evidence('present');
    t.equal(h.clears(), 0, 'her voice alone, no word of it yet: not yet');
    t.equal(h.asr.filter((c) => c.type === 'ASR.HURRY').length, 1, 'the recogniser is asked for her words now');
    h.partial('uh sorry');
    t.equal(h.turn(), 'interrupted', 'paused on her voice with a new real word');
    t.equal(h.clears(), 1);
    h.partial('uh sorry what was');
    t.equal(h.turn(), 'listening.hearing', 'her words confirm the interruption');
    t.equal(h.ctx().metrics.bargeIns, 1);
  },
);

t.test('her evidence in its hangover, no voice now: the next word is the music, not her', async (t) => {
  const { h, evidence } = agentAsking(true);
  // Her answer ended a moment ago: the evidence is still present, the detector hears no voice.
  evidence('present');
  h.partial('hours');
  h.partial('hours but and');
  t.equal(h.clears(), 0, 'the agent talked on');
  t.match(h.turn(), /^speaking/);
  // The same words with her voice under them pause it.
  h.voiceOn();
  h.advance(300);
  h.partial('hours but and sorry');
  t.match(h.turn(), /^(interrupted|listening)/, `stopped for her: ${h.turn()}`);
  t.equal(h.clears(), 1);
});

t.test(
  'a quiet line: a short "sorry, wait" whose words come after the silence edge still stops the agent',
  async (t) => {
    const { h, evidence } = agentAsking(false);
    h.voiceOn();
    h.advance(300);
    evidence('present');
    h.advance(200);
    h.voiceOff();
    h.partial('sorry wait');
    t.not(h.clears(), 0, 'stopped for her');
  },
);

t.test('two real words with her voice under them: barge-in at once', async (t) => {
  const { h, evidence } = agentAsking(true);
  h.voiceOn();
  h.advance(1000);
  evidence('present');
  h.partial('wait sorry');
  t.equal(h.turn(), 'listening.hearing');
  t.equal(h.clears(), 1);
  t.equal(h.ctx().metrics.bargeIns, 1);
});

t.test(
  'a room of talkers: its words and a moment standing out do not stop the agent; her voice held does',
  async (t) => {
    const { h, evidence } = agentAsking(true, true);
    h.voiceOn();
    h.advance(1000);
    h.partial('um i it um we to');
    evidence('present');
    h.partial('um i it um we to at or noon');
    h.final('um i it um we to at or noon hiit');
    t.equal(h.clears(), 0, "a talker's loud moment with the room's words: the agent talks on");
    evidence('absent');
    h.advance(500);
    evidence('present');
    h.advance(400);
    evidence('held');
    t.equal(h.turn(), 'interrupted', 'her voice held: paused by its length');
    h.partial('um i it um we to at or noon hiit sorry');
    t.equal(h.turn(), 'interrupted', "words do not confirm it: they may be the room's");
    h.advance(1600);
    t.equal(h.turn(), 'interrupted', 'the evidence may still be her hangover: not yet');
    h.advance(100);
    t.equal(h.turn(), 'listening.hearing', 'her voice still over the room after the window and the lag: confirmed');
    // A talker's moment held as long, let go (the evidence's lag after its last loud frame) within the window: the
    // agent resumes.
    const { h: other, evidence: said } = agentAsking(true, true);
    other.voiceOn();
    other.advance(1000);
    said('present');
    other.advance(400);
    said('held');
    other.advance(900);
    said('absent');
    other.partial('um i it um we to at or noon');
    other.advance(800);
    t.equal(other.turn(), 'speaking.contested', 'resumed');
    t.equal(other.ctx().metrics.falseBargeIns, 1);
  },
);

t.test('a noisy line: her voice held for BARGE_IN_MIN pauses the agent; without words it resumes', async (t) => {
  const { h, evidence } = agentAsking(true);
  h.voiceOn();
  h.advance(500);
  evidence('present');
  h.advance(400);
  t.equal(h.turn(), 'speaking.contested');
  evidence('held');
  t.equal(h.turn(), 'interrupted', 'paused by its length');
  h.advance(900);
  t.equal(
    h.turn(),
    'speaking.contested',
    'resumed: the VAD still hears the music, but on a noisy line only words confirm',
  );
  t.equal(h.ctx().metrics.falseBargeIns, 1);
  t.equal(h.saidTexts().at(-1), 'How much does a membership cost?', 'the cut sentence is said again');
});

t.test('a quiet line: her voice held and still speaking at BARGE_IN_CONFIRM confirms the interruption', async (t) => {
  const { h, evidence } = agentAsking(false);
  h.voiceOn();
  h.advance(300);
  evidence('present');
  t.notOk(
    h.asr.some((c) => c.type === 'ASR.HURRY'),
    'a quiet line does not hurry the recogniser: her held voice decides, and faster guesses made a cough a word',
  );
  h.advance(300);
  evidence('held');
  t.equal(h.turn(), 'interrupted');
  h.advance(900);
  t.equal(h.turn(), 'listening.hearing', 'still speaking: confirmed by length, as before');
  t.equal(h.ctx().metrics.bargeIns, 1);
});

t.test('a backchannel with her voice under it never pauses the agent', async (t) => {
  const { h, evidence } = agentAsking(false);
  h.voiceOn();
  h.advance(250);
  evidence('present');
  h.partial('okay');
  h.advance(200);
  h.voiceOff();
  h.final('okay');
  h.advance(600);
  evidence('absent');
  t.equal(h.turn(), 'speaking.flowing');
  t.equal(h.clears(), 0);
});

t.test('on a measured line the VAD alone no longer interrupts after BARGE_IN_MIN', async (t) => {
  const { h } = agentAsking(false);
  h.voice(700);
  h.advance(500);
  t.equal(h.clears(), 0, 'sound that was never her voice (the echo, a door)');
});

t.test('her voice held while the greeting cannot be interrupted: the guard ends in the interruption', async (t) => {
  // The evidence tells changes only: held came while the greeting was protected, and nothing would tell it again.
  const h = harness();
  h.send({ type: 'MEDIA.START' });
  h.startSpeaking(h.says()[0]!.utteranceId);
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'absent', noisy: false });
  h.voiceOn();
  h.advance(600);
  h.send({ type: 'CALLER.EVIDENCE', atMs: h.now, voice: 'held', noisy: false });
  t.equal(h.turn(), 'greeting', 'protected');
  h.advance(600);
  t.equal(h.turn(), 'interrupted', 'at the end of GREETING_UNINTERRUPTIBLE_MS: paused for her');
});

t.test("a committed turn's late final is not the next turn's answer", async (t) => {
  // An outbound greeting goes out on the pickup's partial words; the recogniser's final of that "hello" comes
  // after. Taken as her answer to the greeting's question, the agent said it had not caught her hours.
  const h = greeted();
  h.callerSays('We are open six to ten every day.');
  h.advance(400);
  const to = h.ctx().committedToMs;
  t.ok(to !== undefined, 'her turn was committed');
  const late = { type: 'ASR.FINAL', text: 'every day', confidence: 0.9, speechFinal: true } as const;
  h.send({ ...late, startMs: (to ?? 0) - 800, endMs: (to ?? 0) + 240 });
  t.same(h.ctx().caller.finals, [], 'not appended to the next turn');
  h.send({ ...late, text: 'six to ten', startMs: (to ?? 0) + 900, endMs: (to ?? 0) + 2000 });
  t.same(h.ctx().caller.finals, ['six to ten'], 'words after it are hers');
});

t.test(
  'a first interim guess of more words than her voice can hold is no evidence: a backchannel is not a barge-in',
  async (t) => {
    const { h, evidence } = agentAsking(false);
    h.voiceOn();
    const onset = h.now;
    h.advance(140);
    evidence('present');
    h.advance(100);
    // "right", 240 ms in, first guessed as two words.
    h.partial('by eight', onset + 240);
    t.equal(h.clears(), 0, 'two words in 240 ms of voice: not words of hers yet');
    t.equal(h.turn(), 'speaking.contested');
    // A real interruption: its words fit the voice under them.
    h.advance(1000);
    h.partial('wait sorry what was that', onset + 1400);
    t.ok(h.clears() > 0, 'five words in 1.4 s of voice: she barges in');
  },
);
