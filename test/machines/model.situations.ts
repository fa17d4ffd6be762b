import type { CallInput, MachineEvent } from '../../machines/events.js';
import { menuFingerprint } from '../../src/situations/menu-memory.js';
import { parseMenu } from '../../src/situations/menu.js';
import { pending } from '../../machines/context.js';
import { eventsFor, final, type Snap } from './model.events.js';
import type { Plan } from './model.plans.js';

// The line's situations in the model walk (model.test.ts): the words, detections and tool calls that move the
// situation region, offered only in plans of their own (so the conversation's walks stay the size they were), and
// the part of the context the situation guards read, added to the abstract state of those plans.

const DECISIVE = 'for membership press 2';
const WEAK = 'for personal training press 1 for all other inquiries press 3';
const REMEMBERED = 'for personal training press 1 for membership press 2';

const WORDS = {
  decisive: final(DECISIVE),
  weak: final(WEAK),
  firstOfRemembered: final('for personal training press 1'),
  invalid: final('sorry i did not get that'),
  hold: final('please hold'),
  transfer: final('let me transfer you'),
  voicemail: final('please leave a message after the tone'),
  full: final('the mailbox is full'),
  screening: final("please say your name and why you're calling"),
  // A person's words have her voice under them (the situation guards ask the voice detector): a second of it,
  // after the words that put us on hold have ended (words right after them are their sentence going on).
  person: { ...final('hi this is jen how can i help'), startMs: 1200, endMs: 2200 },
  noise: final('music'),
  // An announcement heard as other words, after the words that put us on hold: a queue's, not a person's.
  misheard: { ...final('year to holiday important just'), startMs: 1200, endMs: 2200 },
};

const situationOf = (s: Snap) =>
  JSON.stringify((s.value as { live?: { situation?: unknown } }).live?.situation ?? null);
const turnOf = (s: Snap) => JSON.stringify((s.value as { live?: { turn?: unknown } }).live?.turn ?? null);

// What still happens while a recording has the line: voice edges, timers and actor completions, the agent's own
// audio, a hang-up, a dead recogniser (closing meanwhile); no partials, no conversation words, no reply.
const LINE_BASE = new Set(['CALL.HANGUP', 'VAD.VOICE', 'VAD.SILENCE', 'CALLER.SPEECH_START', 'SPEAKER.PLAYED']);
function lineBase(s: Snap): MachineEvent[] {
  return eventsFor(s).filter(
    (e) =>
      LINE_BASE.has(e.type) ||
      e.type.startsWith('xstate.') ||
      (e.type === 'ASR.ERROR' && e.fatal) ||
      (e.type === 'SPEAKER.PLAYED' && e.utteranceId !== 'stale'),
  );
}

/** Words, detections and the remembered path (unless `remembered` is false), wherever the line may say them. */
function lineEvents(s: Snap, words: readonly MachineEvent[] = Object.values(WORDS), remembered = true): MachineEvent[] {
  const ev: MachineEvent[] = [...lineBase(s), ...words];
  ev.push(
    { type: 'AMD.RESULT', answeredBy: 'machine_start' },
    { type: 'AMD.RESULT', answeredBy: 'machine_end_beep' },
    { type: 'AMD.RESULT', answeredBy: 'human' },
    { type: 'TONE.BEEP', atMs: 0, hz: 1000, durationMs: 400 },
  );
  if (remembered && s.context.line.keys.length === 0 && s.context.line.ivr.remembered === undefined) {
    // Two levels: personal training (not an option pressed at once unless remembered), then membership.
    const first = menuFingerprint(parseMenu(REMEMBERED).options);
    const second = menuFingerprint(parseMenu(DECISIVE).options);
    const path = [
      { digits: '1', fingerprint: first },
      { digits: '2', fingerprint: second },
    ];
    ev.push({ type: 'IVR.REMEMBERED', path });
  }
  return ev;
}

/** What the conversation's reply may report about the line (OpenAI tools, the offline interviewer). */
function replyEvents(s: Snap): MachineEvent[] {
  if (!s.matches({ live: { reply: 'generating' } })) return [];
  return [
    { type: 'REPLY.REFUSED', refusal: { topic: 'pricing', words: 'check our website' } },
    { type: 'REPLY.CALLBACK', request: { topics: ['pricing'], words: 'call back after two', person: 'Mike' } },
    { type: 'REPLY.OUTCOME', outcome: 'wrong-number' },
    { type: 'REPLY.PRESS_KEYS', digits: '0' },
    { type: 'REPLY.HOLD' },
    { type: 'REPLY.VOICEMAIL', full: false },
    { type: 'REPLY.VOICEMAIL', full: true },
  ];
}

// The fingerprints are worked out from the words each time (concept lexicons): once per menu is enough.
const heardPrints = new Map<string, string>();
const menuPrints = new WeakMap<object, string>();
function heardPrint(heard: string): string {
  let print = heardPrints.get(heard);
  if (print === undefined) heardPrints.set(heard, (print = menuFingerprint(parseMenu(heard).options)));
  return print;
}
function menuPrint(menu: Parameters<typeof menuFingerprint>[0]): string {
  let print = menuPrints.get(menu);
  if (print === undefined) menuPrints.set(menu, (print = menuFingerprint(menu)));
  return print;
}

/** The context the situation guards read, coarsened. */
function lineKey(s: Snap): string {
  // Closing or ended: no situation guard is asked any more.
  if (s.status !== 'active' || turnOf(s).includes('closing')) return '';
  const l = s.context.line;
  const ivr = l.ivr;
  // The phone tree's guards read the menus by their fingerprints (options and what they reach), the keys tried by
  // which ones (a key pressed twice is no different from once), the remembered step of the level reached, and
  // failures up to the third: the raw lists grow with every loop, and would make the walk endless.
  const step = ivr.remembered?.[ivr.path.length];
  return JSON.stringify([
    heardPrint(ivr.heard),
    menuPrint(ivr.lastMenu),
    [...new Set(ivr.tried)].sort().join(''),
    Math.min(ivr.failures, 3),
    step === undefined ? (ivr.remembered === undefined ? '-' : 'past') : `${step.digits}:${step.fingerprint}`,
    // A key typed ahead on interim words whose final has not come yet.
    ivr.keyAtMs !== undefined,
    // The voicemail's message and the screening sentence play utterance by utterance; elsewhere nothing is said.
    /voicemail|screening/.test(situationOf(s)) ? pending(s.context).length : 0,
    l.transferPending,
    l.party > l.introducedTo,
    s.context.history.some((h) => h.speaker === 'agent' && h.interrupted !== true),
    s.context.metrics.greetings > 0,
    // Whether the voice detector has heard a voice at all: words of a person need one under them.
    s.context.voiceOnsetMs !== undefined,
  ]);
}

/** Walk on while the line is in `situation` (its own transitions; the one that leaves it is the last step). */
const within = (situation: string) => (s: Snap) =>
  !situationOf(s).includes(`"${situation}"`) || turnOf(s).includes('closing');

/** `greeted` and `callerTurn`: model.plans.ts's prefixes to listening, and to thinking after a caller's turn. */
export function situationPlans(base: CallInput, greeted: MachineEvent[], callerTurn: MachineEvent[]): Plan[] {
  const leave = { mode: 'leave' as const, callbackNumber: '+12015550123' };
  const outbound = { ...base, direction: 'outbound' as const, voicemail: leave };
  const start: MachineEvent[] = [{ type: 'MEDIA.START' }];
  const walk = { events: (s: Snap) => lineEvents(s), key: lineKey };
  const fresh = [WORDS.weak, WORDS.decisive, WORDS.invalid, WORDS.person, WORDS.hold, WORDS.noise];
  const remembered = [WORDS.firstOfRemembered, WORDS.decisive, WORDS.person, WORDS.noise];
  const plans: Plan[] = [
    {
      name: 'outbound: what answers (the conversation state moves the line)',
      input: outbound,
      prefix: start,
      stopWhen: (s) => situationOf(s) !== '"conversation"' || !turnOf(s).includes('awaitingHello'),
      // Also interim words: a queue's recording at its pause, and music heard as words with no voice under it.
      events: (s: Snap) => [
        ...lineEvents(s),
        { type: 'ASR.STABLE', text: 'please stay on the line' },
        { type: 'ASR.STABLE', text: 'for personal training press 1', endMs: 500 },
        { type: 'ASR.PARTIAL', text: 'noon do' },
        // Words grown from sound well after the pause: no RECOGNISER_LAG wait.
        { type: 'ASR.PARTIAL', text: 'noon do new', endMs: 800 },
      ],
      key: lineKey,
    },
    {
      // Navigated afresh: every menu, retry and loop up to giving up. Without the remembered path, whose walk
      // multiplied this one by every way it can agree or not (the next plan).
      name: 'a phone tree',
      input: outbound,
      prefix: [...start, WORDS.weak],
      stopWhen: within('phoneTree'),
      events: (s: Snap) => lineEvents(s, [...fresh, WORDS.voicemail], false).filter((e) => e.type !== 'AMD.RESULT'),
      key: lineKey,
    },
    {
      // The remembered path arrives while the first menu plays, and is replayed level by level while the menus
      // agree; once it is dropped the tree is navigated afresh, which the plan before walks.
      name: 'a phone tree with a remembered path',
      input: outbound,
      prefix: [...start, WORDS.weak],
      stopWhen: (s) =>
        within('phoneTree')(s) || (s.context.line.keys.length > 0 && s.context.line.ivr.remembered === undefined),
      // Also the menu's first pause (interim words with their time): the key typed ahead, its words closed late.
      events: (s: Snap) => [
        ...lineEvents(s, remembered).filter((e) => e.type !== 'AMD.RESULT' && e.type !== 'TONE.BEEP'),
        { type: 'ASR.STABLE', text: 'for personal training press 1', endMs: 500 },
      ],
      key: lineKey,
    },
    {
      // Also closing while on hold (the recogniser died): HOLD_MAX then finds the call closing already.
      name: 'on hold',
      input: outbound,
      prefix: [...start, WORDS.hold],
      stopWhen: (s) => !situationOf(s).includes('"onHold"'),
      ...walk,
    },
    {
      name: 'a voicemail (leave a message)',
      input: outbound,
      prefix: [...start, WORDS.voicemail],
      stopWhen: within('voicemail'),
      ...walk,
    },
    {
      name: 'a voicemail (hang up)',
      input: { ...outbound, voicemail: { mode: 'hangup', callbackNumber: undefined } },
      prefix: [...start, WORDS.voicemail],
      stopWhen: within('voicemail'),
      ...walk,
    },
    {
      name: 'call screening',
      input: outbound,
      prefix: [...start, WORDS.screening],
      stopWhen: within('screening'),
      ...walk,
    },
    {
      // A call that asks only the hours, asked in the greeting: nothing is left to ask before a transfer.
      name: 'greeted, then a hold or a transfer: back to the same person or a new one',
      input: { ...base, direction: 'inbound', brief: { topicsToAsk: ['hours'], factsToConfirm: [] } },
      prefix: greeted,
      stopWhen: (s) =>
        !/standby|reintroducing/.test(turnOf(s)) &&
        !(situationOf(s) === '"conversation"' && turnOf(s).includes('waiting')),
      events: (s: Snap) => lineEvents(s, [WORDS.hold, WORDS.transfer, WORDS.person]),
      key: lineKey,
    },
    {
      // Prices and classes never asked: "let me transfer you" leaves them to ask first, then the transfer.
      name: 'greeted, then "let me transfer you" with topics never asked',
      input: { ...base, direction: 'inbound' },
      prefix: [...greeted, WORDS.transfer],
      stopWhen: (s) => !situationOf(s).includes('transferAnnounced'),
      events: (s: Snap) => lineEvents(s, [WORDS.hold, WORDS.transfer, WORDS.person]),
      key: lineKey,
    },
    {
      name: 'the reply reports refusals, callbacks, outcomes and the line',
      input: { ...base, direction: 'inbound' },
      prefix: [...greeted, ...callerTurn],
      stopWhen: (s) => situationOf(s) !== '"conversation"' || !/thinking|speaking/.test(turnOf(s)),
      events: replyEvents,
      key: lineKey,
    },
    {
      name: 'an early reply holds what it reports',
      input: { ...base, direction: 'inbound' },
      // callerTurn without its end-of-turn timers: the reply starts early, in the wait.
      prefix: [...greeted, ...callerTurn.filter((e) => !e.type.startsWith('xstate.after.'))],
      stopWhen: (s) => !s.matches({ live: { reply: { generating: 'preemptive' } } }),
      events: replyEvents,
      key: lineKey,
    },
  ];
  // Where a walk stops, only the state value matters: the context of a state never left is not told apart.
  return plans.map((p) => ({ ...p, key: (s: Snap) => (p.stopWhen?.(s) === true ? '' : (p.key?.(s) ?? '')) }));
}
