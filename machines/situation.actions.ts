import { assertEvent, assign, enqueueActions } from 'xstate';
import { answeredTopics } from '../src/facts/model.js';
import { isAutomatedSpeech } from '../src/situations/cues.js';
import { parseMenu } from '../src/situations/menu.js';
import { isMenuRepeat, menuFingerprint } from '../src/situations/menu-memory.js';
import * as C from './context.js';
import type { CallContext } from './context.js';
import type { AgentTurnReason, CallerTurnLedger, MachineEvent } from './events.js';
import { replyGenerating } from './guards.js';
import { heardIn } from './heard.js';
import { callerTurnLedger } from './ledger.js';
import type { Line } from './line.js';
import type { CallOutcome, Situation } from './outcomes.js';
import { bestKey, greeted, menuText, rememberedStep, triedOn } from './situation.guards.js';
import { reintroductionLines, screeningLine, voicemailLines } from './situation-lines.js';
import { questionIn } from './text.js';
import { commitCaller, cutPending, finishTurn, flushOutbox, patched, queueLine, type Patch } from './turns.js';
import { turnSetup } from './turn.actions.js';

/** Whose words put the call on hold (startHold). */
export type HoldWords = 'person' | 'line' | 'pending' | 'none';

/** Each action's params (undefined: none), given explicitly: when `extend` infers them, `check()` takes no guard. */
type SituationActionParams = {
  raiseAway: undefined;
  raiseBack: undefined;
  raiseEnd: { outcome: CallOutcome };
  keepWords: { situation: Situation };
  hearMenu: { fresh: boolean };
  choosePress: { how: 'remembered' | 'best' | 'zero' };
  closeWordsBeforeKey: undefined;
  pressFromReply: undefined;
  noteIvrFailure: undefined;
  notePressFailed: undefined;
  rememberPath: undefined;
  startHold: { transfer: boolean; words: HoldWords };
  personReached: undefined;
  noteHoldTimeout: undefined;
  noteHoldSound: undefined;
  noteTransferAnnounced: undefined;
  queueScreening: undefined;
  queueVoicemailMessage: undefined;
  finishSituationTurn: undefined;
  setOutcome: { outcome: CallOutcome };
  leaveFloor: undefined;
  closeForSituation: undefined;
  queueReintroduction: undefined;
  noteRefusal: undefined;
  noteCallback: undefined;
  noteOutcome: undefined;
};

const withLine = (c: CallContext, patch: Partial<Line>): Patch => ({ line: { ...c.line, ...patch } });

/** Media time of an event that carries one (a final's start, a beep, a VAD edge), else the last one known. */
function mediaTime(c: CallContext, e: MachineEvent): number | undefined {
  if (e.type === 'ASR.FINAL') return e.startMs;
  if (e.type === 'TONE.BEEP' || e.type === 'VAD.VOICE' || e.type === 'VAD.SILENCE') return e.atMs;
  return c.lastSilenceMs ?? c.voiceOnsetMs;
}

/**
 * The caller buffer's words as a situation's (a phone tree's, a hold's, ...): into the transcript with their
 * situation, never into the history the LLM reads, and the buffer emptied so no turn of a person starts with them.
 */
function situationWords(c: CallContext, situation: Situation): { patch: Patch; ledger: CallerTurnLedger | undefined } {
  const text = C.callerText(c);
  if (text.trim().length === 0) return { patch: { caller: C.emptyCaller() }, ledger: undefined };
  const seq = c.seq + 1;
  const ledger = { ...callerTurnLedger(c, seq, 'short', c.lastSilenceMs), situation };
  return { patch: { seq, caller: C.emptyCaller() }, ledger };
}

/** Queue the machine's own lines and send them to the speaker at once (the turn region stands by meanwhile). */
function sayNow(
  c: CallContext,
  lines: readonly string[],
  reason: AgentTurnReason,
): { patch: Patch; says: Array<{ utteranceId: string; text: string }> } {
  let next = c;
  for (const l of lines) next = patched(next, queueLine(next, l));
  const f = flushOutbox(next, reason);
  return { patch: { ...patched(next, f.patch) }, says: f.says };
}

/**
 * The situation region's actions (machines/situation.region.ts) and the turn region's side of them: a phone
 * tree's words and keys, hold, voicemail and screening lines, back to a person, an end with an outcome; and what
 * the conversation reports about refusals, callbacks and outcomes (REPLY.REFUSED, REPLY.CALLBACK, REPLY.OUTCOME).
 */
export const situationSetup = turnSetup.extend<SituationActionParams>({
  actions: {
    raiseAway: enqueueActions(({ enqueue }) => enqueue.raise({ type: 'SITUATION.AWAY' })),
    raiseBack: enqueueActions(({ enqueue }) => enqueue.raise({ type: 'SITUATION.BACK' })),
    raiseEnd: enqueueActions(({ enqueue }, params: { outcome: CallOutcome }) =>
      enqueue.raise({ type: 'SITUATION.END', outcome: params.outcome }),
    ),
    keepWords: enqueueActions(({ context, enqueue }, params: { situation: Situation }) => {
      const w = situationWords(context, params.situation);
      enqueue.assign(w.patch);
      if (w.ledger !== undefined) enqueue.emit(w.ledger);
    }),
    /** The late final of the words an early key was pressed on has arrived: what comes next answers the key. */
    closeWordsBeforeKey: assign(({ context }) =>
      withLine(context, { ivr: { ...context.line.ivr, keyAtMs: undefined } }),
    ),
    /** The menu's words (a fresh menu after a key press, or more of the one being heard), kept as a phone tree's. */
    hearMenu: enqueueActions(({ context, event, enqueue }, params: { fresh: boolean }) => {
      const words = event.type === 'ASR.FINAL' || event.type === 'ASR.STABLE' ? event.text : '';
      const heard = params.fresh ? words : menuText(context, event);
      // Interim words (ASR.STABLE) reach the transcript with their final, which comes after the key.
      const kept = event.type === 'ASR.STABLE' ? { ...context, caller: { ...context.caller, partial: '' } } : context;
      const w = situationWords(kept, 'phone-tree');
      enqueue.assign({ ...w.patch, ...withLine(context, { ivr: { ...context.line.ivr, heard } }) });
      if (w.ledger !== undefined) enqueue.emit(w.ledger);
    }),
    /**
     * Press a key on the menu heard: the remembered one, the best option, or 0. A menu that repeats the one the
     * last key was pressed on is a loop: that key is tried, the path steps back, and it counts as a failure.
     */
    choosePress: assign(({ context, event }, params: { how: 'remembered' | 'best' | 'zero' }) => {
      const ivr = context.line.ivr;
      const options = parseMenu(ivr.heard).options;
      const loop = isMenuRepeat(ivr.lastMenu, options);
      const tried = triedOn(context, options);
      const path = loop ? ivr.path.slice(0, -1) : ivr.path;
      const digits =
        params.how === 'remembered'
          ? (rememberedStep(context)?.digits ?? '0')
          : params.how === 'best'
            ? (bestKey(context, ivr.heard) ?? '0')
            : '0';
      const step = { digits, fingerprint: menuFingerprint(options) };
      return {
        ...withLine(context, {
          keys: [...context.line.keys, digits],
          ivr: {
            ...ivr,
            heard: '',
            lastMenu: options,
            tried: [...tried, ...[...digits].filter((d): d is (typeof tried)[number] => /^[0-9*#]$/.test(d))],
            path: [...path, step],
            pressing: digits,
            failures: ivr.failures + (loop ? 1 : 0),
            // A remembered path that no longer agrees is dropped: from here on the tree is navigated afresh.
            remembered: params.how === 'remembered' ? ivr.remembered : undefined,
            keyAtMs: event.type === 'ASR.STABLE' ? event.endMs : undefined,
          },
        }),
        metrics: { ...context.metrics, keyPresses: context.metrics.keyPresses + 1 },
      };
    }),
    /** The LLM chose keys for a menu the words did not reveal (press_keys): pressed as it said. */
    pressFromReply: assign(({ context, event }) => {
      assertEvent(event, 'REPLY.PRESS_KEYS');
      const heard = [...context.history].reverse().find((h) => h.speaker === 'caller')?.text ?? '';
      const options = parseMenu(heard).options;
      const ivr = context.line.ivr;
      return {
        ...withLine(context, {
          keys: [...context.line.keys, event.digits],
          ivr: {
            ...ivr,
            heard: '',
            lastMenu: options,
            path: [...ivr.path, { digits: event.digits, fingerprint: menuFingerprint(options) }],
            pressing: event.digits,
            remembered: undefined,
          },
        }),
        metrics: { ...context.metrics, keyPresses: context.metrics.keyPresses + 1 },
      };
    }),
    noteIvrFailure: assign(({ context }) => {
      const ivr = context.line.ivr;
      return withLine(context, { ivr: { ...ivr, failures: ivr.failures + 1, path: ivr.path.slice(0, -1) } });
    }),
    notePressFailed: enqueueActions(({ context, event, enqueue }) => {
      const detail = 'error' in event ? String(event.error) : 'unknown';
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `key press failed: ${detail}` });
    }),
    rememberPath: assign(({ context, event }) => {
      assertEvent(event, 'IVR.REMEMBERED');
      // Only before the first key: a path learnt mid-tree would not start where we are.
      if (context.line.keys.length > 0 || event.path.length === 0) return {};
      return withLine(context, { ivr: { ...context.line.ivr, remembered: event.path } });
    }),
    /**
     * On hold. The words that put us there: `person`, from the conversation ("we open at six; let me get the
     * manager"), the person's turn kept in the history unless a recording said them (a queue's announcement) or
     * nobody has been greeted yet; `line`, a recording's; `pending`, interim words at a pause, which come again
     * with their final and are kept then; `none`, no words recognised (sound without a voice, or silence after a
     * key), which may as well be a loud front desk whose person's hello was not made out.
     */
    startHold: enqueueActions(({ context, event, enqueue }, params: { transfer: boolean; words: HoldWords }) => {
      const persons = params.words === 'person' && greeted(context) && !isAutomatedSpeech(C.callerText(context));
      // A queue's recognised words put us here (not a person we talk to): the hold has sounded already.
      const line = {
        ...context.line,
        holdSinceMs: mediaTime(context, event),
        holdWordsEndMs: event.type === 'ASR.FINAL' ? event.endMs : undefined,
        holdSounded: !persons && params.words !== 'none',
      };
      if (params.transfer) line.transferPending = true;
      if (params.words === 'pending' || params.words === 'none') {
        enqueue.assign({ line });
        return;
      }
      const w = persons ? commitCaller(context, 'short', context.lastSilenceMs) : situationWords(context, 'hold');
      enqueue.assign({ ...w.patch, line });
      if (w.ledger !== undefined) enqueue.emit(w.ledger);
    }),
    /**
     * A person speaks: the key path that got here is remembered (call.ivrPath), time on hold is counted, and a
     * voice after a transfer is a new party whose topics are asked afresh (the facts stay; refusals stay too).
     */
    personReached: enqueueActions(({ context, event, enqueue }) => {
      const l = context.line;
      if (l.ivr.path.length > 0) enqueue.emit({ type: 'call.ivrPath', callId: context.callId, path: l.ivr.path });
      const now = mediaTime(context, event);
      const held = l.holdSinceMs !== undefined && now !== undefined ? Math.max(0, now - l.holdSinceMs) : 0;
      const answered = answeredTopics(context.facts);
      enqueue.assign({
        ...withLine(context, {
          party: l.transferPending ? l.party + 1 : l.party,
          transferPending: false,
          holdSinceMs: undefined,
          holdWordsEndMs: undefined,
          holdSounded: false,
          ivr: { ...l.ivr, heard: '', tried: [], failures: 0, remembered: undefined },
        }),
        ...(l.transferPending ? { asked: context.asked.filter((t) => answered.has(t)) } : {}),
        metrics: { ...context.metrics, holdMs: context.metrics.holdMs + held },
      });
    }),
    /** "Let me transfer you", the transfer still to come: the voice after the next hold is a new party. */
    noteTransferAnnounced: assign(({ context }) => withLine(context, { transferPending: true })),
    /** An announcement recognised on hold ("your call is important to us"): the hold is a queue's. */
    noteHoldSound: assign(({ context }) => withLine(context, { holdSounded: true })),
    noteHoldTimeout: assign(({ context }) => ({
      metrics: { ...context.metrics, holdMs: context.metrics.holdMs + context.timing.holdMaxMs },
    })),
    queueScreening: enqueueActions(({ context, enqueue }) => {
      const s = sayNow(context, [screeningLine(context.gymName, context.language)], 'screening');
      enqueue.assign(s.patch);
      for (const say of s.says) enqueue.sendTo('speaker', { type: 'SPEAKER.SAY', ...say });
      enqueue.raise({ type: 'AGENT.SAID' });
    }),
    queueVoicemailMessage: enqueueActions(({ context, enqueue }) => {
      const lines = voicemailLines(context.gymName, context.line.voicemail.callbackNumber, context.language);
      const s = sayNow(context, lines, 'voicemail');
      enqueue.assign(s.patch);
      for (const say of s.says) enqueue.sendTo('speaker', { type: 'SPEAKER.SAY', ...say });
      enqueue.raise({ type: 'AGENT.SAID' });
    }),
    finishSituationTurn: enqueueActions(({ context, enqueue, system }) => {
      const f = finishTurn(context, false, heardIn(system));
      enqueue.assign(f.patch);
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
    }),
    setOutcome: assign(({ context }, params: { outcome: CallOutcome }) =>
      withLine(context, { outcome: params.outcome }),
    ),

    // ---- the turn region's side
    /** Someone other than a person has the line: stop talking, drop the reply, close the agent turn. */
    leaveFloor: enqueueActions(({ context, enqueue, check, system }) => {
      if (check(replyGenerating)) enqueue.raise({ type: 'REPLY.CANCEL' });
      const heard = heardIn(system);
      let patch: Patch = {};
      if (C.pending(context).length > 0) {
        enqueue.sendTo('speaker', { type: 'SPEAKER.CLEAR' });
        enqueue.raise({ type: 'AGENT.CLEARED' });
        patch = cutPending(context, undefined, heard).patch;
      }
      const f = finishTurn(patched(context, patch), C.pending(context).length > 0, heard);
      if (f.ledger !== undefined) enqueue.emit(f.ledger);
      enqueue.assign({ ...patch, ...f.patch, endRequested: undefined, idlePrompts: 0 });
    }),
    closeForSituation: assign(({ context, event }) => {
      assertEvent(event, 'SITUATION.END');
      return { closeReason: 'agent-ended' as const, ...withLine(context, { outcome: event.outcome }) };
    }),
    queueReintroduction: assign(({ context }) => {
      let next: CallContext = context;
      const lines = reintroductionLines(context.gymName, C.nextTopic(context), context.flow, context.language);
      for (const l of lines) next = patched(next, queueLine(next, l));
      return {
        outbox: next.outbox,
        lastSaid: next.lastSaid,
        // A new person: only what was asked of her is said again when she asks to hear it.
        lastQuestion: lines.map(questionIn).findLast((q) => q !== undefined),
        ...withLine(context, { introducedTo: context.line.party }),
      };
    }),

    // ---- what the conversation reports
    noteRefusal: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REPLY.REFUSED');
      // The first words that refused a topic stand (the store keeps one per topic too).
      if (context.line.refusals.some((r) => r.topic === event.refusal.topic)) return;
      enqueue.assign(withLine(context, { refusals: [...context.line.refusals, event.refusal] }));
      enqueue.emit({ type: 'ledger.refusal', callId: context.callId, refusal: event.refusal });
    }),
    noteCallback: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REPLY.CALLBACK');
      enqueue.assign(withLine(context, { callback: event.request }));
      enqueue.emit({ type: 'ledger.callback', callId: context.callId, request: event.request });
    }),
    noteOutcome: assign(({ context, event }) => {
      assertEvent(event, 'REPLY.OUTCOME');
      return { ...withLine(context, { outcome: event.outcome }), endRequested: 'agent-ended' as const };
    }),
  },
});
