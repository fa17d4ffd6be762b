import type { MachineEvent } from '../../machines/events.js';
import type { CallInput } from '../../machines/events.js';
import { eventsFor, type Snap } from './model.events.js';
import { situationPlans } from './model.situations.js';
import { pending } from '../../machines/context.js';

// Starting points for the model walk. The abstract state keeps only what guards need locally, so counters that
// build up over several turns (reply failures, re-prompts) and "the LLM already said goodbye" are reached by a
// scripted prefix and the walk continues from there.

export interface Plan {
  name: string;
  input: CallInput;
  prefix: MachineEvent[];
  /** Stop walking from states outside the part this plan is about. */
  stopWhen?: (s: Snap) => boolean;
  /** Events offered besides model.events.ts's (the line's situations: model.situations.ts). */
  extra?: (s: Snap) => MachineEvent[];
  /** Events offered instead of model.events.ts's. */
  events?: (s: Snap) => MachineEvent[];
  /** More of the context in the abstract state, for the guards of those events. */
  key?: (s: Snap) => string;
}

const after = (delay: string, stateId: string) =>
  ({ type: `xstate.after.${delay}.call.live.${stateId}` }) as unknown as MachineEvent;
const played = (n: number): MachineEvent => ({ type: 'SPEAKER.PLAYED', utteranceId: `c1:u${n}`, atMs: 0 });
const turnOf = (s: Snap) => JSON.stringify((s.value as { live?: { turn?: unknown } }).live?.turn ?? null);

/** Inbound greeting played to the end: listening, utterances u1 and u2 used. */
const greeted: MachineEvent[] = [{ type: 'MEDIA.START' }, played(1), played(2)];

/** The caller says a complete sentence and the short endpoint passes: thinking. */
const callerTurn: MachineEvent[] = [
  { type: 'VAD.VOICE', atMs: 0 },
  { type: 'CALLER.SPEECH_START', atMs: 0 },
  { type: 'ASR.FINAL', text: 'six', confidence: 0.9, speechFinal: true, startMs: 0, endMs: 0 },
  { type: 'VAD.SILENCE', atMs: 0 },
  after('ENDPOINT_SEMANTIC', 'turn.listening.endpointing.semantic'),
  after('ENDPOINT_SHORT_REST', 'turn.listening.endpointing.short'),
];

/**
 * The conversation without the caller's evidence: its guards are read only while the agent has the floor, and
 * walking every evidence class through the whole conversation tripled its biggest states (the plan below).
 */
const withoutEvidence = (s: Snap) => eventsFor(s).filter((e) => e.type !== 'CALLER.EVIDENCE');

export function prefixes(base: CallInput): Plan[] {
  const inbound = { ...base, direction: 'inbound' as const };
  return [
    { name: 'outbound', input: { ...base, direction: 'outbound' }, prefix: [], events: withoutEvidence },
    {
      name: 'outbound on a noisy line: her voice drops the room words heard before it',
      input: { ...base, direction: 'outbound' },
      prefix: [{ type: 'MEDIA.START' }, { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true }],
      stopWhen: (s) => !/awaitingHello/.test(turnOf(s)),
    },
    {
      name: 'her voice held while the greeting cannot be interrupted',
      input: inbound,
      prefix: [{ type: 'MEDIA.START' }, { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'held', noisy: false }],
      stopWhen: (s) => !/greeting/.test(turnOf(s)),
    },
    {
      name: "the caller's evidence while the agent has the floor",
      input: inbound,
      prefix: [{ type: 'MEDIA.START' }, after('GREETING_GUARD', 'turn.greeting')],
      stopWhen: (s) => !/speaking|interrupted/.test(turnOf(s)),
    },
    // After the greeting an inbound call is the outbound one (only MEDIA.START reads the direction): walking the
    // whole conversation twice doubled the walk's time for one transition.
    { name: 'inbound', input: inbound, prefix: [], stopWhen: (s) => !turnOf(s).includes('connecting') },
    {
      name: 'two reply failures',
      input: inbound,
      prefix: [
        ...greeted,
        ...callerTurn,
        { type: 'REPLY.ERROR', message: 'x' },
        played(3),
        ...callerTurn,
        { type: 'REPLY.ERROR', message: 'x' },
        played(4),
        ...callerTurn,
      ],
      stopWhen: (s) => !turnOf(s).startsWith('"thinking'),
    },
    {
      // Her turn on a noisy line: the recogniser's utterance end while her voice is held, then the evidence
      // letting go (machines/turn.region.ts, hearing). Only the events of that exchange are offered.
      name: 'her held voice on a noisy line outlasts the recogniser',
      input: inbound,
      prefix: [
        ...greeted,
        { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'held', noisy: true },
        { type: 'VAD.VOICE', atMs: 0 },
        { type: 'CALLER.SPEECH_START', atMs: 0 },
        { type: 'ASR.FINAL', text: 'we open at six.', confidence: 0.9, speechFinal: true, startMs: 0, endMs: 1000 },
      ],
      events: () => [
        { type: 'ASR.UTTERANCE_END', silenceMs: 200 },
        { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true },
      ],
      key: (s) => JSON.stringify([s.context.evidence.voice, s.context.wordsEndedUnderVoice]),
      stopWhen: (s) => !turnOf(s).includes('hearing'),
    },
    {
      // People talking by the desk (roomSpeaks): the detector's voice is the room's until hers stands over it,
      // through her turn and the reply to it (guard roomVoiceOnly).
      name: 'her turn in a room of talkers',
      input: inbound,
      prefix: [...greeted, { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true, roomSpeaks: true }],
      events: (s) => [
        ...(s.matches({ live: { caller: 'silent' } })
          ? [{ type: 'VAD.VOICE', atMs: 0 } as const]
          : [{ type: 'VAD.SILENCE', atMs: 0 } as const, { type: 'CALLER.SPEECH_START', atMs: 0 } as const]),
        { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'present', noisy: true, roomSpeaks: true },
        { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'held', noisy: true, roomSpeaks: true },
        { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true, roomSpeaks: true },
        { type: 'ASR.FINAL', text: 'we open at six.', confidence: 0.9, speechFinal: true, startMs: 0, endMs: 1000 },
        // The reply, its playback and the waits' timers, so that the walk goes through the reply to her turn.
        ...eventsFor(s).filter((e) => /^(xstate\.after|REPLY\.(SENTENCE|DONE)|SPEAKER\.)/.test(e.type)),
      ],
      key: (s) => JSON.stringify([s.context.evidence.voice, s.context.caller.finals.length > 0]),
      stopWhen: (s) => !/listening|thinking|speaking|interrupted/.test(turnOf(s)),
    },
    {
      name: 'two re-prompts',
      input: inbound,
      prefix: [
        ...greeted,
        after('IDLE_REPROMPT', 'turn.listening.waiting'),
        played(3),
        after('IDLE_REPROMPT', 'turn.listening.waiting'),
        played(4),
      ],
      stopWhen: (s) => !turnOf(s).includes('waiting'),
    },
    {
      name: 'the LLM says goodbye itself',
      input: inbound,
      prefix: [
        ...greeted,
        ...callerTurn,
        { type: 'REPLY.SENTENCE', text: 'Thanks, goodbye!' },
        played(3),
        { type: 'REPLY.END_CALL', reason: 'caller-request' },
        { type: 'REPLY.DONE' },
      ],
      stopWhen: () => true,
    },
    {
      // The one language switch (machines/language.region.ts): a person's Spanish words in an English call. Only
      // that event is offered, from the listening state: the rest of a switched call walks as any other.
      name: 'the person answers in Spanish',
      input: inbound,
      prefix: greeted,
      events: () => [
        {
          type: 'ASR.FINAL',
          text: 'Sí, abrimos de lunes a viernes.',
          confidence: 0.9,
          speechFinal: true,
          startMs: 0,
          endMs: 0,
        },
      ],
      stopWhen: (s) => s.matches({ live: { language: 'switched' } }),
    },
    ...situationPlans(inbound, greeted, callerTurn),
    {
      name: 'the front desk',
      input: { ...inbound, mode: 'front-desk' },
      // The desk region leaves `off` on the first event of a front-desk call; the caller's question is being answered.
      prefix: [...greeted, ...callerTurn],
      events: deskEvents,
      stopWhen: (s) => s.matches({ live: { desk: 'transferred' } }) || !/thinking|speaking|listening/.test(turnOf(s)),
    },
  ];
}

const deskOf = (s: Snap) => JSON.stringify((s.value as { live?: { desk?: unknown } }).live?.desk ?? null);

/**
 * The front desk's walk: what the receptionist's reply reports (a message started, taken, cancelled; a transfer),
 * the end of that reply and its audio, and Twilio's answers to the transfer. Nothing else moves the desk region.
 */
function deskEvents(s: Snap): MachineEvent[] {
  const ev: MachineEvent[] = [];
  if (s.matches({ live: { reply: 'generating' } }))
    ev.push(
      { type: 'REPLY.SENTENCE', text: 'Sure.' },
      { type: 'REPLY.MESSAGE_STARTED' },
      { type: 'REPLY.MESSAGE', message: { name: 'Ann Lee', callbackNumber: '+15551230000', reason: 'a refund' } },
      { type: 'REPLY.MESSAGE_CANCELLED' },
      { type: 'REPLY.TRANSFER' },
      { type: 'REPLY.DONE' },
    );
  const p = pending(s.context)[0];
  if (p !== undefined) ev.push({ type: 'SPEAKER.PLAYED', utteranceId: p.id, atMs: 0 });
  if (deskOf(s).includes('dialling'))
    ev.push(
      ...([
        { type: 'xstate.done.actor.transfer', output: { to: '+15550009999', dialled: true } },
        { type: 'xstate.done.actor.transfer', output: { to: null, dialled: false } },
        { type: 'xstate.error.actor.transfer', error: new Error('REST said no') },
      ] as unknown as MachineEvent[]),
    );
  return ev;
}
