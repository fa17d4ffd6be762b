import type { Config } from '../src/config/index.js';

/**
 * Every turn-taking threshold the call machine uses, in milliseconds. Built from config with
 * timingFromConfig(); tests build it by hand. Passed to the machine as part of its input so one process can run
 * calls with different tunings (benchmarks, A/B).
 */
export interface TurnTiming {
  /** Voice must last this long after a VAD.VOICE edge before it counts as caller speech (drops clicks). */
  readonly vadMinSpeechMs: number;
  /**
   * Semantic end of turn: the wait after the caller's last voiced frame when her words are complete and something
   * besides the silence says she has finished (the recogniser closed them as a sentence). At most endpointShortMs;
   * equal to it switches the semantic end of turn off.
   */
  readonly endpointSemanticMs: number;
  /** End-of-turn wait after caller silence when the words so far look like a complete utterance. */
  readonly endpointShortMs: number;
  /** End-of-turn wait when the utterance ends on a filler, a conjunction or mid-list. */
  readonly endpointLongMs: number;
  /** Hard maximum wait after caller silence for the recogniser's words; with none by then the sound was noise. */
  readonly endpointMaxMs: number;
  /** Caller speech over the agent for this long interrupts it (words can interrupt earlier). */
  readonly bargeInMinMs: number;
  /** After a duration-only interruption, words must arrive within this window or the agent resumes. */
  readonly bargeInConfirmMs: number;
  /**
   * Her voice is present over the agent when frames of speech that stand bargeInMarginDb over the line's measured
   * noise peak, and clear of the agent's echo, fill this many ms of the last 400 (src/call/caller-voice.ts).
   */
  readonly bargeInEvidenceMs: number;
  /** How far (dB) a frame must stand over the line's noise peak to be her voice. */
  readonly bargeInMarginDb: number;
  /** Her speech within this many dB of the line's noise peak makes the line noisy: only words confirm her there. */
  readonly lineNoisySnrDb: number;
  /** Silence after the agent's turn before a re-prompt. */
  readonly idleRepromptMs: number;
  /** Re-prompts before the agent politely closes an unanswered call. */
  readonly idleReprompts: number;
  /** Maximum call length; then the agent says goodbye. */
  readonly maxCallMs: number;
  /** Reply deadline: no sentence from the LLM by then → a short holding line. */
  readonly providerDeadlineMs: number;
  /** A reply still unfinished after this long is abandoned (counts as a reply error). */
  readonly replyMaxMs: number;
  /** Outbound: wait this long for the callee's "hello" before greeting anyway. */
  readonly outboundHelloTimeoutMs: number;
  /** Start of the greeting that caller speech cannot interrupt (per-state policy; 0 = fully interruptible). */
  readonly greetingUninterruptibleMs: number;
  /** Goodbye fallback: hang up after the goodbye's duration plus this margin even if its mark never returns. */
  readonly goodbyeMarginMs: number;
  /** How long playback waits for SPEAKER.CLEARED after a clear before treating the queue as empty. */
  readonly clearSettleMs: number;
  /** The hang-up actor gets this long before the call is ended anyway. */
  readonly hangupTimeoutMs: number;
  /**
   * The caller hung up with words still in the recogniser (speaking, or a partial without its final): it is asked
   * for its final and the call ends when that arrives or after this long (0 = end at once, the words so far kept).
   */
  readonly hangupDrainMs: number;
  /**
   * The end-of-turn waits count from the caller's last voiced frame (VAD.SILENCE `atMs`), not from when the
   * silence edge arrives (`detectedAtMs`, after the VAD's hangover): the time already elapsed is subtracted.
   */
  readonly endpointFromLastVoice: boolean;
  /**
   * Preemptive generation: start the reply as soon as the recogniser's final arrives during the end-of-turn wait;
   * its output is held until the turn commits with the same words (adopted) or dropped (caller went on, new words).
   */
  readonly preemptiveGeneration: boolean;
  /**
   * Her voice paused this long (unvoiced frames, before the VAD's hangover): interim words that look complete
   * start the early reply (ASR.STABLE); 0 = off. Needs preemptiveGeneration.
   */
  readonly earlyReplyPauseMs: number;
  /** On hold this long without a person speaking: hang up (outcome hold-timeout). */
  readonly holdMaxMs: number;
  /**
   * A phone-tree menu has finished when its voice has been silent this long: longer than the pauses between its
   * options (0.3–1 s), shorter than the time a tree waits for a key (3–5 s) before it repeats itself.
   */
  readonly menuSettleMs: number;
  /** After a key press, this long without a word from the tree counts as a press that did nothing. */
  readonly ivrResponseMs: number;
  /**
   * Words after a key press or a hold are a person's once their voice has been silent this long: a person waits
   * for an answer, a recording goes on after a sentence's pause.
   */
  readonly personSettleMs: number;
  /** A voicemail greeting ended without a beep (some have none): speak after this long of silence. */
  readonly beepWaitMs: number;
  /**
   * Outbound: first words that do not sound like a person picking up (a recording's intro, a screening assistant,
   * words not yet made out) get the greeting only after her voice has been silent this long, counted from her last
   * voiced frame: longer than a recording's pause between its intro and its menu (0.3–0.8 s), short enough that
   * a person who said something unclear and waits hears us within about a second.
   */
  readonly helloSettleMs: number;
  /**
   * Outbound, after that pause: recognised words go on coming with no voice under them (a queue's music after
   * "please hold", a recording). Partials this long after the pause are not the late words of the pause itself.
   */
  readonly recogniserLagMs: number;
  /** ... and go on this long: a queue, not a person waiting in silence. The agent holds until a voice speaks. */
  readonly lineSoundingMs: number;
  /**
   * "Let me transfer you", and the agent asked what this person may still know first: silent this long after
   * the agent's last word, the transfer is under way (no re-prompt into it).
   */
  readonly transferWaitMs: number;
}

/** Waits of the phone situations that are properties of phone systems, not tunings (see TurnTiming). */
const SITUATION_TIMING = {
  menuSettleMs: 1500,
  ivrResponseMs: 8000,
  personSettleMs: 900,
  beepWaitMs: 2500,
  helloSettleMs: 1100,
  recogniserLagMs: 500,
  lineSoundingMs: 4000,
  transferWaitMs: 3000,
} as const;

/** Map the validated environment config to the machine's timing. */
export function timingFromConfig(cfg: Config): TurnTiming {
  return Object.freeze({
    vadMinSpeechMs: cfg.VAD_MIN_SPEECH_MS,
    endpointSemanticMs: cfg.ENDPOINT_SEMANTIC_MS,
    endpointShortMs: cfg.ENDPOINT_SHORT_MS,
    endpointLongMs: cfg.ENDPOINT_LONG_MS,
    endpointMaxMs: cfg.ENDPOINT_MAX_MS,
    bargeInMinMs: cfg.BARGE_IN_MIN_MS,
    bargeInConfirmMs: cfg.BARGE_IN_CONFIRM_MS,
    bargeInEvidenceMs: cfg.BARGE_IN_EVIDENCE_MS,
    bargeInMarginDb: cfg.BARGE_IN_MARGIN_DB,
    lineNoisySnrDb: cfg.LINE_NOISY_SNR_DB,
    idleRepromptMs: cfg.IDLE_REPROMPT_MS,
    idleReprompts: cfg.IDLE_REPROMPT_COUNT,
    maxCallMs: cfg.MAX_CALL_MS,
    providerDeadlineMs: cfg.PROVIDER_DEADLINE_MS,
    replyMaxMs: cfg.PROVIDER_DEADLINE_MS * 4,
    outboundHelloTimeoutMs: cfg.OUTBOUND_HELLO_TIMEOUT_MS,
    greetingUninterruptibleMs: cfg.GREETING_UNINTERRUPTIBLE_MS,
    goodbyeMarginMs: cfg.GOODBYE_MARGIN_MS,
    clearSettleMs: 1000,
    hangupTimeoutMs: Math.max(5000, cfg.PROVIDER_DEADLINE_MS * 2),
    hangupDrainMs: cfg.HANGUP_ASR_DRAIN_MS,
    endpointFromLastVoice: cfg.ENDPOINT_FROM_LAST_VOICE,
    preemptiveGeneration: cfg.PREEMPTIVE_GENERATION,
    earlyReplyPauseMs: cfg.EARLY_REPLY_PAUSE_MS,
    holdMaxMs: cfg.HOLD_MAX_MS,
    menuSettleMs: SITUATION_TIMING.menuSettleMs,
    ivrResponseMs: SITUATION_TIMING.ivrResponseMs,
    personSettleMs: SITUATION_TIMING.personSettleMs,
    beepWaitMs: SITUATION_TIMING.beepWaitMs,
    helloSettleMs: SITUATION_TIMING.helloSettleMs,
    recogniserLagMs: SITUATION_TIMING.recogniserLagMs,
    lineSoundingMs: SITUATION_TIMING.lineSoundingMs,
    transferWaitMs: SITUATION_TIMING.transferWaitMs,
  });
}

/** Defaults identical to the config defaults; handy for tests and benchmarks. */
export const DEFAULT_TIMING: TurnTiming = Object.freeze({
  vadMinSpeechMs: 120,
  endpointSemanticMs: 250,
  endpointShortMs: 400,
  endpointLongMs: 1500,
  endpointMaxMs: 3000,
  bargeInMinMs: 600,
  bargeInConfirmMs: 900,
  bargeInEvidenceMs: 200,
  bargeInMarginDb: 4,
  lineNoisySnrDb: 20,
  idleRepromptMs: 7000,
  idleReprompts: 2,
  maxCallMs: 300_000,
  providerDeadlineMs: 2500,
  replyMaxMs: 10_000,
  outboundHelloTimeoutMs: 3000,
  greetingUninterruptibleMs: 1200,
  goodbyeMarginMs: 1500,
  clearSettleMs: 1000,
  hangupTimeoutMs: 5000,
  hangupDrainMs: 5000,
  endpointFromLastVoice: true,
  preemptiveGeneration: true,
  earlyReplyPauseMs: 80,
  holdMaxMs: 300_000,
  ...SITUATION_TIMING,
});
