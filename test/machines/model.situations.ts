import type { CallInput, MachineEvent } from '../../machines/events.js';
import { menuFingerprint } from '../../src/situations/menu-memory.js';
import { parseMenu } from '../../src/situations/menu.js';
import { final, type Snap } from './model.events.js';
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
  person: final('hi this is jen how can i help'),
};

const situationOf = (s: Snap) =>
  JSON.stringify((s.value as { live?: { situation?: unknown } }).live?.situation ?? null);
const turnOf = (s: Snap) => JSON.stringify((s.value as { live?: { turn?: unknown } }).live?.turn ?? null);

/** Words, detections and the remembered path, wherever the line may say them. */
function lineEvents(s: Snap): MachineEvent[] {
  const ev: MachineEvent[] = [...Object.values(WORDS)];
  ev.push(
    { type: 'AMD.RESULT', answeredBy: 'machine_start' },
    { type: 'AMD.RESULT', answeredBy: 'machine_end_beep' },
    { type: 'AMD.RESULT', answeredBy: 'human' },
    { type: 'TONE.BEEP', atMs: 0, hz: 1000, durationMs: 400 },
  );
  if (s.context.line.keys.length === 0 && s.context.line.ivr.remembered === undefined) {
    const fingerprint = menuFingerprint(parseMenu(REMEMBERED).options);
    ev.push({ type: 'IVR.REMEMBERED', path: [{ digits: '2', fingerprint }] });
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

/** The context the situation guards read, coarsened. */
function lineKey(s: Snap): string {
  const l = s.context.line;
  const menu = parseMenu(l.ivr.heard).options.map((o) => o.key);
  return JSON.stringify([
    menu,
    l.ivr.tried,
    Math.min(l.ivr.failures, 3),
    l.ivr.path.length,
    l.ivr.remembered !== undefined,
    l.screened,
    l.transferPending,
    l.party > l.introducedTo,
    s.context.history.some((h) => h.speaker === 'agent' && h.interrupted !== true),
    s.context.metrics.greetings > 0,
  ]);
}

/** Walk on while a situation has the line, or while the agent returns to a person. */
const inSituation = (s: Snap) =>
  situationOf(s) !== '"conversation"' || /standby|reintroducing|awaitingHello/.test(turnOf(s));

/** `greeted` and `callerTurn`: model.plans.ts's prefixes to listening, and to thinking after a caller's turn. */
export function situationPlans(base: CallInput, greeted: MachineEvent[], callerTurn: MachineEvent[]): Plan[] {
  const leave = { mode: 'leave' as const, callbackNumber: '+12015550123' };
  const walk = { extra: lineEvents, key: lineKey };
  return [
    {
      name: 'outbound: phone tree, hold, voicemail (leave), screening',
      input: { ...base, direction: 'outbound', voicemail: leave },
      prefix: [{ type: 'MEDIA.START' }],
      stopWhen: (s) => !inSituation(s),
      ...walk,
    },
    {
      name: 'outbound: voicemail (hang up)',
      input: { ...base, direction: 'outbound', voicemail: { mode: 'hangup', callbackNumber: undefined } },
      prefix: [{ type: 'MEDIA.START' }, WORDS.voicemail],
      stopWhen: (s) => !inSituation(s),
      ...walk,
    },
    {
      name: 'inbound, greeted: hold and transfer, back to the same person or a new one',
      input: { ...base, direction: 'inbound' },
      prefix: [...greeted, WORDS.hold],
      stopWhen: (s) => !inSituation(s),
      ...walk,
    },
    {
      name: 'the reply reports refusals, callbacks, outcomes and the line',
      input: { ...base, direction: 'inbound' },
      prefix: [...greeted, ...callerTurn],
      stopWhen: (s) => situationOf(s) !== '"conversation"' || !/thinking|speaking/.test(turnOf(s)),
      extra: replyEvents,
      key: lineKey,
    },
  ];
}
