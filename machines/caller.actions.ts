import { assertEvent, assign, cancel, enqueueActions, raise } from 'xstate';
import { callBase } from './call.base.js';
import * as C from './context.js';
import { withEvidence } from './evidence.js';

/** The caller region's actions: the caller's voice from raw VAD edges, and the recogniser's words. */
export const callerSetup = callBase.extend({
  actions: {
    noteEvidence: assign({
      evidence: ({ context, event }) => {
        assertEvent(event, 'CALLER.EVIDENCE');
        return withEvidence(context.evidence, event);
      },
    }),
    notePartial: assign({
      caller: ({ context, event }) => {
        assertEvent(event, 'ASR.PARTIAL');
        return { ...context.caller, partial: event.text, heardToMs: C.laterOf(context.caller.heardToMs, event.endMs) };
      },
    }),
    /** A final closes the recogniser's utterance: the partial of it is not pending any more. */
    dropPartial: assign(({ context, event }) => {
      assertEvent(event, 'ASR.FINAL');
      return { caller: { ...context.caller, partial: '' }, finalsToMs: C.laterOf(context.finalsToMs, event.endMs) };
    }),
    /**
     * A late final closes the interim words of its utterance; if it is the late words of a turn committed before
     * any came (C.UnheardTurn), they are recorded under that turn's seq, in its place in the transcript.
     */
    recordLateWords: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'ASR.FINAL');
      enqueue.assign({
        caller: { ...context.caller, partial: '' },
        finalsToMs: C.laterOf(context.finalsToMs, event.endMs),
      });
      const u = context.unheardTurn;
      // Words of its audio only: a final of an earlier turn's audio is that turn's, not this one's.
      const ofIt = u !== undefined && event.endMs > u.fromMs && event.endMs <= u.toMs + context.timing.recogniserLagMs;
      const words = event.text.trim();
      if (!ofIt || words === '') return;
      const text = C.joinNonBlank([u.text], words);
      enqueue.assign({ unheardTurn: { ...u, text } });
      enqueue.emit({
        type: 'ledger.callerTurn',
        callId: context.callId,
        seq: u.seq,
        text,
        confidence: event.confidence,
        startMs: u.fromMs,
        endMs: u.toMs,
        endpoint: u.endpoint,
        late: true,
      });
    }),
    appendFinal: assign(({ context, event }) => {
      assertEvent(event, 'ASR.FINAL');
      return { caller: C.withFinal(context.caller, event), finalsToMs: C.laterOf(context.finalsToMs, event.endMs) };
    }),
    noteOnset: assign({
      voiceOnsetMs: ({ event }) => {
        assertEvent(event, 'VAD.VOICE');
        return event.atMs;
      },
      priorVoice: ({ context: c }) =>
        c.voiceOnsetMs !== undefined && c.lastSilenceMs !== undefined && c.lastSilenceMs > c.voiceOnsetMs
          ? { fromMs: c.voiceOnsetMs, toMs: c.lastSilenceMs }
          : c.priorVoice,
      silenceHeadStartMs: 0,
    }),
    armSpeechStart: raise(({ context }) => ({ type: 'CALLER.SPEECH_START' as const, atMs: context.voiceOnsetMs }), {
      id: 'speechStart',
      delay: 'VAD_MIN_SPEECH',
    }),
    disarmSpeechStart: cancel('speechStart'),
    // No CALLER.SPEECH_END is raised: the turn region reacts to the same VAD.SILENCE, guarded by callerSpeaking
    // (guards see the context before this event), in the same microstep: one snapshot instead of two.
    endCallerSpeech: assign(({ context, event }) => {
      assertEvent(event, 'VAD.SILENCE');
      const t = context.timing;
      const elapsed = t.endpointFromLastVoice && event.detectedAtMs !== undefined ? event.detectedAtMs - event.atMs : 0;
      return { lastSilenceMs: event.atMs, silenceHeadStartMs: Math.min(Math.max(0, elapsed), t.endpointShortMs) };
    }),
  },
});
