import t from 'tap';
import { menuFingerprint } from '../../src/situations/menu-memory.js';
import { parseMenu } from '../../src/situations/menu.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { greeted, harness, type Harness } from './harness.js';

// The line's situations (issue 16), event by event with a SimulatedClock: phone trees, hold, voicemail, call
// screening, transfers, refusals, callbacks and outcomes. The fake keypad records the keys the machine presses.

const situation = (h: Harness) => {
  const v = h.actor.getSnapshot().value as { live?: { situation?: unknown } };
  return JSON.stringify(v.live?.situation ?? null);
};
/** The line says `text` (voice edges around the recogniser's final), then is silent. */
function line(h: Harness, text: string, ms = 1500) {
  h.voiceOn();
  h.advance(ms);
  h.final(text);
  h.voiceOff();
}
const MENU = 'Thank you for calling Iron Temple. For class schedules, press 1. For membership, press 2.';
const PERSON = 'Membership, this is Jen, how can I help you?';

function outbound(opts: Parameters<typeof harness>[0] = {}): Harness {
  const h = harness({ direction: 'outbound', ...opts });
  h.send({ type: 'MEDIA.START' });
  return h;
}
const ended = (h: Harness) => h.ofType('call.ended')[0];
/** A planned call about two topics: once both were asked, nothing is left for a transfer to wait on. */
const ONLY_HOURS_AND_PRICES = { topicsToAsk: ['hours', 'pricing'] as const, factsToConfirm: [] };

t.test('phone tree: the wanted option heard → pressed at once; a person after it gets the greeting', async (t) => {
  const h = outbound();
  h.voiceOn();
  h.advance(2000);
  h.final(MENU);
  t.match(situation(h), /phoneTree/, 'the menu moved the line to the phone tree');
  t.equal(h.turn(), 'standby', 'the turn region stands by');
  await h.settle();
  t.same(h.keys, ['2'], 'membership pressed while the menu was still speaking');
  t.equal(h.ctx().metrics.keyPresses, 1);
  h.voiceOff();
  h.advance(1500);
  line(h, PERSON);
  t.match(situation(h), /personSpeaking/, 'words of a person: wait for them to pause');
  t.equal(h.says().length, 0, 'nothing said to the phone tree');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.match(h.turn(), /greeting|speaking/);
  t.match(h.saidTexts()[0], /automated assistant/, 'the greeting, to the person');
  t.same(
    h.ofType('call.ivrPath')[0]?.path.map((s) => s.digits),
    ['2'],
    'the key path that reached a person is emitted for the store',
  );
  const menuTurns = h.ofType('ledger.callerTurn').filter((c) => c.situation === 'phone-tree');
  t.ok(menuTurns.length > 0, "the menu's words are in the transcript as the phone tree's");
  t.equal(h.replies.length, 0, 'no LLM was asked anything about the menu');
  h.playAll(500);
  h.callerSays('We are open six to ten.');
  h.advance(400);
  const history = h
    .reply()!
    .input.history.map((x) => x.text)
    .join(' | ');
  t.notMatch(history, /press/, "the LLM never reads the menu's words");
  t.match(history, /this is Jen/, "it reads the person's");
});

t.test('phone tree: the menu finishes before a lesser option is pressed; a loop tries 0, then ivr-stuck', async (t) => {
  const h = outbound();
  line(h, 'For personal training, press 1. For all other inquiries, press 3.');
  t.match(situation(h), /phoneTree.*settling/);
  await h.settle();
  t.same(h.keys, [], 'nothing reaches a person for sure: wait for the menu to end');
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['3'], 'the finished menu: the best option it offered');
  line(h, 'Sorry, I did not get that.');
  t.match(situation(h), /phoneTree.*settling/, 'a retry: listen to the menu again');
  t.equal(h.ctx().line.ivr.failures, 1);
  line(h, 'For personal training, press 1. For all other inquiries, press 3.');
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['3', '1'], 'the key that looped is tried: the next option');
  line(h, 'For personal training, press 1. For all other inquiries, press 3.');
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['3', '1', '0'], 'every option tried: 0, the operator');
  line(h, 'For personal training, press 1. For all other inquiries, press 3.');
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.equal(h.says().length, 0, 'never a word to the tree');
  t.equal(h.hangups.length, 1, 'hung up');
  t.equal(ended(h)?.outcome, 'ivr-stuck');
  t.same(ended(h)?.keys, ['3', '1', '0']);
});

t.test('phone tree: options whose words name nothing known wait until 0 was tried', async (t) => {
  const h = outbound();
  // "For holiday hours" as the recogniser may write it: a label that names nothing.
  const menu = 'For directions, press 1. For all day our, press 2.';
  line(h, menu);
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['0'], 'the operator first, not the unknown option');
  line(h, "Sorry, I didn't get that.");
  line(h, menu);
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.same(h.keys, ['0', '2'], '0 was not taken: the unknown option');
});

t.test('phone tree: a remembered key path is replayed as soon as the menu says what it said', async (t) => {
  const h = outbound();
  const fingerprint = menuFingerprint(parseMenu(MENU).options);
  h.send({ type: 'IVR.REMEMBERED', path: [{ digits: '2', fingerprint }] });
  h.voiceOn();
  h.advance(1500);
  h.final('For class schedules, press 1. For membership, press 2.');
  await h.settle();
  t.same(h.keys, ['2'], 'pressed on the first sentence of the menu');
  const changed = outbound();
  changed.send({ type: 'IVR.REMEMBERED', path: [{ digits: '2', fingerprint }] });
  line(changed, 'For billing, press 2. For the front desk, press 5.');
  await changed.settle();
  t.same(changed.keys, ['5'], 'the menu changed: the remembered key is not pressed, the front desk is');
  // The remembered key comes last in the menu: its first option, leading where it led, is enough to type it ahead.
  const ahead = outbound();
  ahead.send({ type: 'IVR.REMEMBERED', path: [{ digits: '2', fingerprint }] });
  ahead.voiceOn();
  ahead.advance(1500);
  ahead.final('Thank you for calling Iron Temple. For class schedules, press 1.');
  await ahead.settle();
  t.same(ahead.keys, ['2'], 'pressed on the first option, before the remembered one was said');
});

t.test('phone tree: a remembered key is pressed at the first pause of its menu, before any final', async (t) => {
  // Two levels remembered. The recogniser closes a menu's words only at its end; the interim words at the menu's
  // first pause (ASR.STABLE) already show it, so the repeat call types its keys ahead and reaches a person sooner.
  const top = 'For billing, press 1. For careers, press 2. For memberships, press 4.';
  const members = 'To cancel a membership, press 1. For the front desk, press 3.';
  const path = [
    { digits: '4', fingerprint: menuFingerprint(parseMenu(top).options) },
    { digits: '3', fingerprint: menuFingerprint(parseMenu(members).options) },
  ];
  const h = outbound();
  h.send({ type: 'IVR.REMEMBERED', path });
  h.voiceOn();
  h.advance(1200);
  h.partial('for billing press one', h.now);
  h.send({ type: 'ASR.STABLE', text: 'for billing press one', endMs: h.now });
  await h.settle();
  t.same(h.keys, ['4'], 'the first option agrees: the remembered key at once');
  // The top menu's late final (it began before the key) is the menu we left, not the answer to the key: its
  // "memberships, press 4" must not be pressed again on the second level.
  h.advance(300);
  h.send({
    type: 'ASR.FINAL',
    text: 'for billing press one for careers',
    confidence: 0.9,
    speechFinal: true,
    startMs: 0,
    endMs: h.now,
  });
  h.voiceOff();
  await h.settle();
  t.same(h.keys, ['4'], 'nothing pressed on the words the key was pressed on');
  t.same(
    h.ofType('ledger.callerTurn').map((l) => l.text),
    ['for billing press one for careers'],
    'the menu in the transcript once, as its final said it',
  );
  h.advance(800);
  h.voiceOn();
  h.advance(1500);
  h.send({ type: 'ASR.STABLE', text: 'to cancel a membership press one', endMs: h.now });
  await h.settle();
  t.same(h.keys, ['4', '3'], 'the second level at its first pause too');

  // Interim words with no media time cannot be told from their late final: the key waits for the final.
  const g = outbound();
  g.send({ type: 'IVR.REMEMBERED', path });
  g.voiceOn();
  g.advance(1200);
  g.send({ type: 'ASR.STABLE', text: 'for billing press one' });
  await g.settle();
  t.same(g.keys, [], 'no key on interim words without a time');
});

t.test('phone tree: a remembered menu heard with its first "for" lost is recognised in either order', async (t) => {
  const full = 'For billing, press 1. For careers, press 2. For directions, press 3. For memberships, press 4.';
  const fingerprint = menuFingerprint(parseMenu(full).options);
  const h = outbound();
  h.send({ type: 'IVR.REMEMBERED', path: [{ digits: '4', fingerprint }] });
  h.voiceOn();
  h.advance(1500);
  // Read key first, this is "1 = careers": against the remembered menu, only the label-first reading agrees.
  h.final('Thank you for calling the gym on billing press one for careers press two for');
  await h.settle();
  t.same(h.keys, ['4'], 'typed ahead: the remembered key, before the menu reached it');
  // A menu that changed (sales on 1, classes on 2) agrees in neither order: nothing is typed ahead.
  const other = outbound();
  other.send({ type: 'IVR.REMEMBERED', path: [{ digits: '4', fingerprint }] });
  other.voiceOn();
  other.advance(1500);
  other.final('Thank you for calling the gym on sales press one for classes press two for');
  await other.settle();
  t.same(other.keys, [], 'not the remembered menu: no key yet');
});

t.test('phone tree: a key press that fails ends the call as ivr-stuck', async (t) => {
  const h = outbound({ keypadFails: true });
  line(h, MENU);
  await h.settle();
  await h.settle();
  t.equal(ended(h)?.outcome, 'ivr-stuck');
  t.match(
    h.ofType('call.warning').map((w) => w.message),
    [/key press failed/],
  );
});

t.test('hold: silent, no LLM, no re-prompt, no idle close; a person resumes the conversation', async (t) => {
  const h = greeted({ timing: { maxCallMs: 3_600_000 } });
  line(h, 'Sure, one moment please, let me get the manager.');
  t.match(situation(h), /onHold/);
  t.equal(h.turn(), 'standby');
  const said = h.says().length;
  const replies = h.replies.length;
  h.advance(120_000);
  line(h, 'Your call is important to us, please stay on the line.');
  h.advance(120_000);
  t.equal(h.says().length, said, 'not a word on hold (no re-prompt, no holding line)');
  t.equal(h.replies.length, replies, 'no LLM request on hold');
  t.equal(h.hangups.length, 0, 'no idle close');
  line(h, 'Hi, thanks for holding, this is Mike.');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  h.advance(DEFAULT_TIMING.endpointLongMs);
  t.equal(h.turn(), 'thinking', "the person's words are the next turn");
  t.match(h.reply()!.input.history.at(-1), { speaker: 'caller', text: 'Hi, thanks for holding, this is Mike.' });
  t.notMatch(JSON.stringify(h.reply()!.input.history), /important to us/, 'announcements are not history');
  t.ok(h.ctx().metrics.holdMs >= 240_000, `time on hold counted (${h.ctx().metrics.holdMs} ms)`);
});

t.test("hold: once the queue has sounded, only a person's return words end it", async (t) => {
  const h = outbound();
  line(h, 'Thank you for calling. All of our team members are busy. Please stay on the line.');
  t.match(situation(h), /onHold/);
  t.ok(h.ctx().line.holdSounded, "a queue's recording put us on hold");
  // "Your call is important to us", misheard, with the announcer's voice under it: not a person.
  line(h, 'year to holiday important just');
  h.advance(DEFAULT_TIMING.personSettleMs * 2);
  t.match(situation(h), /onHold.*waiting/, 'an announcement heard as other words is still the queue');
  t.equal(h.says().length, 0, 'no greeting into the queue');
  line(h, 'thanks for hello again to to the front desk');
  t.match(situation(h), /personSpeaking/, 'words a person back from a hold says');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.match(h.saidTexts()[0], /automated assistant/, 'the greeting, to the person');
  t.notOk(h.ctx().line.holdSounded, 'the next hold starts afresh');
});

t.test('hold: after a silent hold a person may come back with anything', async (t) => {
  const h = greeted({ timing: { maxCallMs: 3_600_000 } });
  line(h, 'Sure, one moment please, let me check the prices.');
  t.match(situation(h), /onHold/);
  t.notOk(h.ctx().line.holdSounded, 'the person we talk to put us on hold');
  h.advance(30_000);
  line(h, 'Okay so the monthly membership is forty dollars.');
  t.match(situation(h), /personSpeaking/, 'her words: no greeting needed from her');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
});

t.test("hold: an announcement recognised on it makes it a queue's; music heard as words does not", async (t) => {
  const h = greeted({ timing: { maxCallMs: 3_600_000 } });
  line(h, 'One moment please.');
  h.advance(1500);
  h.final('noon to new new it'); // no voice under it: music, or a loud room
  t.match(situation(h), /onHold.*waiting/);
  t.notOk(h.ctx().line.holdSounded, 'music heard as words: a person may still be there');
  line(h, 'Your call is important to us, please stay on the line.');
  t.ok(h.ctx().line.holdSounded, "an announcement: a queue's hold");
  line(h, 'okay the monthly is forty dollars');
  t.match(situation(h), /onHold.*waiting/, "not a person's return: the queue's words");
  line(h, 'hi sorry about the wait');
  t.match(situation(h), /personSpeaking/);
});

t.test('hold: sound without a voice before anyone spoke is not a queue by its words', async (t) => {
  const h = outbound();
  h.voiceOn();
  h.advance(600);
  h.voiceOff();
  h.advance(DEFAULT_TIMING.recogniserLagMs);
  h.partial('noon do soon');
  h.advance(DEFAULT_TIMING.lineSoundingMs);
  t.match(situation(h), /onHold/, 'the line sounded: hold');
  t.notOk(h.ctx().line.holdSounded, 'no queue words: a loud front desk sounds the same');
  line(h, 'hello is anybody there');
  t.match(situation(h), /personSpeaking/, 'her words reach us');
});

t.test('transfer: the rest of the sentence that put us on hold is not the new voice', async (t) => {
  const h = greeted({ timing: { maxCallMs: 3_600_000 }, brief: ONLY_HOURS_AND_PRICES });
  h.callerSays('We are open six to ten every day.');
  h.advance(400);
  h.llm('How much does a membership cost?');
  h.playAll(500);
  line(h, "I don't know the prices. Let me transfer you to the manager,");
  t.match(situation(h), /onHold/);
  // "one moment", split off at the comma: its audio starts as the transfer's words end.
  h.voiceOn();
  h.advance(700);
  h.final('on hmm on month');
  h.voiceOff();
  h.advance(DEFAULT_TIMING.personSettleMs * 2);
  t.match(situation(h), /onHold.*waiting/, 'still on hold: her own words');
  t.equal(h.ctx().line.party, 0);
  h.advance(5000);
  line(h, 'Hi, this is the manager.');
  t.match(situation(h), /personSpeaking/, 'a voice after the hold');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.equal(h.ctx().line.party, 1, 'a new party');
});

t.test('hold: past HOLD_MAX_MS the agent hangs up without a word (hold-timeout)', async (t) => {
  const h = greeted({ timing: { holdMaxMs: 60_000 } });
  line(h, 'Please hold.');
  const said = h.says().length;
  h.advance(60_000);
  await h.settle();
  t.equal(h.says().length, said, 'no goodbye to the hold music');
  t.equal(h.hangups.length, 1);
  t.equal(ended(h)?.outcome, 'hold-timeout');
  t.equal(ended(h)?.metrics.holdMs, 60_000);
});

t.test('voicemail: silent through the greeting, the message after the beep, then hang up', async (t) => {
  const h = outbound({ voicemail: { mode: 'leave', callbackNumber: '+12015550123' } });
  h.voiceOn();
  h.advance(2500);
  h.final("Hi, you've reached Iron Temple. We can't take your call right now.");
  t.match(situation(h), /voicemail.*greeting/);
  h.advance(1500);
  h.final('Please leave a message after the tone.');
  h.voiceOff();
  h.advance(1000);
  t.equal(h.says().length, 0, 'never over the greeting');
  h.send({ type: 'TONE.BEEP', atMs: h.now, hz: 1000, durationMs: 400 });
  t.match(situation(h), /voicemail.*message/);
  const message = h.saidTexts().join(' ');
  t.match(message, /automated assistant calling Iron Temple/);
  t.match(message, /two zero one, five five five, zero one two three/, 'the callback number, digit by digit');
  h.playAll(2000);
  await h.settle();
  t.equal(h.hangups.length, 1);
  t.equal(ended(h)?.outcome, 'voicemail-left');
  t.equal(h.ofType('ledger.facts').length, 0, 'no facts from a greeting');
});

t.test('voicemail: no beep → speak after BEEP_WAIT of silence; AMD says the greeting ended → speak', async (t) => {
  const a = outbound({ voicemail: { mode: 'leave', callbackNumber: undefined } });
  line(a, 'Please leave a message after the tone.');
  a.advance(DEFAULT_TIMING.beepWaitMs);
  t.match(a.saidTexts().join(' '), /try again another time/, 'no callback number: none said');
  const b = outbound({ voicemail: { mode: 'leave', callbackNumber: undefined } });
  b.send({ type: 'AMD.RESULT', answeredBy: 'machine_start' });
  t.match(situation(b), /voicemail.*greeting/, "Twilio's detection heard a machine");
  b.send({ type: 'AMD.RESULT', answeredBy: 'machine_end_beep' });
  t.match(situation(b), /voicemail.*message/);
  const c = outbound({ voicemail: { mode: 'leave', callbackNumber: undefined } });
  c.send({ type: 'TONE.BEEP', atMs: 500, hz: 850, durationMs: 500 });
  t.match(situation(c), /voicemail/, 'a beep before anybody spoke is a voicemail');
});

t.test('voicemail: a full mailbox, and VOICEMAIL_ACTION=hangup, hang up at once', async (t) => {
  const full = outbound({ voicemail: { mode: 'leave', callbackNumber: undefined } });
  line(full, 'The mailbox is full and cannot accept new messages.');
  await full.settle();
  t.equal(full.hangups.length, 1);
  t.equal(ended(full)?.outcome, 'voicemail-full');
  t.equal(full.says().length, 0);
  const skip = outbound({ voicemail: { mode: 'hangup', callbackNumber: undefined } });
  line(skip, 'Please leave a message after the tone.');
  await skip.settle();
  t.equal(ended(skip)?.outcome, 'voicemail-skipped');
  t.equal(skip.says().length, 0);
});

t.test('screening: one short sentence once the assistant stops, then the person gets the greeting', async (t) => {
  const h = outbound();
  line(h, "Hi, the person you're calling is using a screening service. Please say your name and why you're calling.");
  t.match(situation(h), /screening.*listening/);
  t.equal(h.says().length, 0, 'not over the assistant');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(h.says().length, 1, 'one sentence');
  t.match(h.saidTexts()[0], /automated assistant calling Iron Temple/);
  h.playAll(2000);
  t.match(situation(h), /screening.*waiting/);
  line(h, 'Thanks, stay on the line and I will see if this person is available.');
  t.equal(h.says().length, 1, 'the assistant again: nothing more said');
  line(h, 'Hello, this is Jen from Iron Temple.');
  h.advance(DEFAULT_TIMING.personSettleMs);
  t.equal(situation(h), '"conversation"');
  t.match(h.saidTexts().at(-1), /opening hours/, 'the greeting and first question, to the person');
  t.equal(h.ctx().metrics.greetings, 1);
});

t.test(
  'transfer: a new voice gets one sentence of introduction, the facts kept, only what is missing asked',
  async (t) => {
    // A call about the hours and prices only: nothing left to ask before the transfer.
    const h = greeted({ timing: { maxCallMs: 3_600_000 }, brief: ONLY_HOURS_AND_PRICES });
    h.callerSays('We are open six to ten every day.');
    h.advance(400);
    h.send({ type: 'REPLY.FACTS', facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } } });
    h.llm('How much does a membership cost?');
    h.playAll(500);
    h.callerSays("I don't know, let me transfer you to the manager.");
    t.match(situation(h), /onHold/);
    t.match(h.ctx().history.at(-1), { speaker: 'caller', text: "I don't know, let me transfer you to the manager." });
    h.advance(30_000);
    line(h, 'Hi, this is Mike, the manager.');
    h.advance(DEFAULT_TIMING.personSettleMs);
    t.equal(h.turn(), 'reintroducing');
    const intro = h
      .says()
      .slice(-2)
      .map((s) => s.text);
    t.match(intro[0], /^Hi, I'm an automated assistant calling Iron Temple/);
    t.match(intro[1], /membership cost/, 'asks only what is missing');
    t.match(h.ctx().lastQuestion, /membership cost/, 'what she would hear again: the question asked of her');
    t.equal(h.ctx().metrics.greetings, 1, 'not a second greeting');
    t.equal(h.ctx().line.party, 1);
    h.playAll(1000);
    h.callerSays('It is forty nine a month.');
    h.advance(400);
    h.llm('Hi, I am an automated assistant calling about your gym.', 'Thanks!');
    t.notMatch(
      h.saidTexts().join(' '),
      /Hi, I am an automated/,
      'a greeting from the LLM to the same voice is dropped',
    );
  },
);

t.test(
  'transfer with a topic never asked: asked of this person first, then the transfer on her words or her silence',
  async (t) => {
    const h = greeted({ timing: { maxCallMs: 3_600_000 } });
    h.callerSays('We are open six to ten every day.');
    h.advance(400);
    h.send({ type: 'REPLY.FACTS', facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } } });
    h.llm('How much does a membership cost?');
    h.playAll(500);
    h.callerSays("I don't know the prices, let me transfer you to the manager.");
    t.match(situation(h), /transferAnnounced/, 'classes were never asked: not on hold yet');
    t.ok(h.ctx().line.transferPending, 'the next voice after a hold will be a new party');
    h.advance(DEFAULT_TIMING.endpointLongMs);
    t.equal(h.turn(), 'thinking', 'her words are a turn the agent answers');
    t.ok(h.reply()!.input.awaitingTransfer, 'the reply knows a transfer is coming');
    h.llm('Sure, before you transfer me, one quick question.', 'Which fitness classes do you offer?');
    h.playAll(500);
    h.callerSays('We have yoga and spin.');
    t.match(situation(h), /transferAnnounced/, 'her answer: still before the transfer');
    h.advance(400);
    h.llm("Thank you. Go ahead and transfer me, I'll hold.");
    h.playAll(500);
    t.equal(h.ofType('call.ended').length, 0);
    h.advance(DEFAULT_TIMING.transferWaitMs);
    t.match(situation(h), /onHold/, 'silent after our last word: the transfer is under way');
    t.equal(h.turn(), 'standby', 'no re-prompt into the transfer');
    h.advance(8000);
    line(h, 'Hi, this is the manager.');
    h.advance(DEFAULT_TIMING.personSettleMs);
    t.equal(h.turn(), 'reintroducing', 'a new voice');
    t.equal(h.ctx().line.party, 1);
    t.notOk(h.ctx().line.transferPending);

    // Her words of the transfer move it on at once.
    const w = greeted({ timing: { maxCallMs: 3_600_000 } });
    w.callerSays('Let me transfer you to the manager.');
    t.match(situation(w), /transferAnnounced/);
    w.advance(DEFAULT_TIMING.endpointLongMs);
    w.llm('Sure, before you transfer me, one quick question.', 'How much does a membership cost?');
    w.playAll(200);
    line(w, 'Okay, transferring you now.');
    t.match(situation(w), /onHold/);
  },
);

t.test('refusals: a refused topic is never asked again; nothing left → a polite close', async (t) => {
  const h = greeted();
  h.callerSays("We don't give prices over the phone, check our website.");
  h.advance(400);
  h.send({
    type: 'REPLY.REFUSED',
    refusal: { topic: 'pricing', words: "we don't give prices over the phone", website: 'irontemple.com' },
  });
  h.send({ type: 'REPLY.FACTS', facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } } });
  h.llm('How much does a membership cost?');
  t.notMatch(h.saidTexts().at(-1), /membership cost/, 'the refused topic is not asked');
  h.playAll(500);
  h.callerSays('Yoga and spin.');
  h.advance(400);
  h.send({ type: 'REPLY.FACTS', facts: { classes: [{ name: 'yoga' }] } });
  h.llm('Great, thanks.');
  h.playAll(500);
  t.match(h.turn(), /closing/, 'everything answered or refused: close');
  h.playAll(500);
  await h.settle();
  t.equal(ended(h)?.outcome, 'refused');
  t.same(
    ended(h)?.refusals.map((r) => r.website),
    ['irontemple.com'],
  );
});

t.test('callback request and spoken outcomes reach the end of the call', async (t) => {
  const h = greeted();
  h.callerSays('Call back after two and ask for Mike.');
  h.advance(400);
  h.send({
    type: 'REPLY.CALLBACK',
    request: { earliestLocal: '2026-12-05T14:00', person: 'Mike', topics: ['hours'], words: 'call back after two' },
  });
  h.send({ type: 'REPLY.END_CALL', reason: 'other' });
  h.llm('Thanks, I will call back after two. Goodbye!');
  h.playAll(500);
  await h.settle();
  t.equal(ended(h)?.outcome, 'callback-requested');
  t.equal(ended(h)?.callback?.person, 'Mike');

  const w = greeted();
  w.callerSays('Sorry, you have the wrong number.');
  w.advance(400);
  w.send({ type: 'REPLY.OUTCOME', outcome: 'wrong-number' });
  w.llm('Sorry to have bothered you. Goodbye!');
  w.playAll(500);
  await w.settle();
  t.equal(ended(w)?.outcome, 'wrong-number');
  t.equal(w.hangups.length, 1, 'a polite end');
});

t.test('outcomes without a situation: completed, partial, no-answer', async (t) => {
  const silent = harness({ direction: 'outbound' });
  silent.send({ type: 'MEDIA.START' });
  silent.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(ended(silent)?.outcome, 'no-answer');
  const partial = greeted();
  partial.callerSays('We open at six.');
  partial.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(ended(partial)?.outcome, 'partial');
});

t.test('words that end the call, then the line goes down before any reply: their outcome all the same', async (t) => {
  const closed = outbound();
  line(closed, 'Thank you for calling. This gym has closed, uh, permanently. Goodbye.');
  closed.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(ended(closed)?.outcome, 'permanently-closed', 'a recording that hangs up after saying so');
  // The mailbox says it is full and hangs up mid-utterance: its words come from the recogniser after the hang-up.
  const full = outbound();
  full.voiceOn();
  full.advance(3000);
  full.partial('you have reached the front desk the mailbox is full');
  full.send({ type: 'CALL.HANGUP', reason: 'stop' });
  full.flushed('You have reached the front desk. The mailbox is full and cannot accept any messages. Goodbye.');
  t.equal(ended(full)?.outcome, 'voicemail-full', 'words that came in after the hang-up (draining)');
  const person = greeted();
  person.callerSays('Sorry, wrong number.');
  person.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(ended(person)?.outcome, 'wrong-number', 'a person who hangs up before the reply');
  const answered = greeted();
  answered.callerSays("We're not a gym, we're a yoga studio.");
  answered.advance(400);
  answered.llm('Oh, I see. What are your opening hours?');
  answered.playAll(500);
  answered.send({ type: 'CALL.HANGUP', reason: 'stop' });
  t.equal(ended(answered)?.outcome, 'partial', 'words the conversation answered: it decided, and went on');
});

t.test('phone tree: a loop through two menus that never sounds like the menu before ends as ivr-stuck', async (t) => {
  const h = outbound();
  const menus = [
    'For membership, press 2. For billing, press 1.',
    'For the front desk, press 9. For careers, press 3.',
  ];
  for (let i = 0; i < 14 && !/stuck|ended/.test(JSON.stringify(h.actor.getSnapshot().value)); i++) {
    line(h, menus[i % 2] as string);
    await h.settle();
    h.advance(DEFAULT_TIMING.menuSettleMs);
    await h.settle();
    h.advance(1000);
  }
  t.same(h.keys.slice(0, 4), ['2', '9', '2', '9'], 'each menu answered with its decisive option');
  t.equal(h.keys.length, 12, 'no more keys than a tree needs');
  t.equal(ended(h)?.outcome, 'ivr-stuck');
});

t.test('hold: an announcement that offers a key is still the queue', async (t) => {
  const h = outbound();
  line(h, 'Thank you for calling. All of our team members are busy. Please stay on the line.');
  h.advance(1000);
  t.match(situation(h), /onHold/);
  line(h, 'Your call is important to us. Please stay on the line, or press 2 to hear our holiday hours.');
  await h.settle();
  h.advance(DEFAULT_TIMING.menuSettleMs);
  await h.settle();
  t.match(situation(h), /onHold/, 'still on hold');
  t.same(h.keys, [], 'no key pressed: a recording is not what we called for');
  line(h, 'Your call is important to us. Please stay on the line, or press 1 to leave a message.');
  await h.settle();
  t.match(situation(h), /onHold/, 'a key that offers a message box is not a voicemail greeting: still on hold');
});
