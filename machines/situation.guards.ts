import { and, assertEvent, not, or, stateIn } from 'xstate';
import { chooseOption } from '../src/situations/menu-choice.js';
import { isInvalidEntry, isMenuRepeat, menuAgrees } from '../src/situations/menu-memory.js';
import { isMenuPrompt, parseMenu, type Key, type MenuOption } from '../src/situations/menu.js';
import * as Cue from '../src/situations/cues.js';
import { soundsLikePickup } from '../src/situations/pickup.js';
import { plain } from '../src/situations/words.js';
import { callerText, joinNonBlank, nextTopic, soundAfterVoice, type CallContext } from './context.js';
import type { MachineEvent } from './events.js';
import { pausedVoice, pausedVoiceStoodOut, shortVoicePaused, talkingRoom, voiceUnder } from './evidence.js';
import type { IvrStep } from './outcomes.js';
import { realWords } from './text.js';

/**
 * A person's pickup standing over a room of talkers ("Thank you for calling Harbor Athletic Club, this is Sam, how can
 * I help you?" is about 4 s).
 */
const NEAR_PICKUP_MAX_MS = 4000;

// The situation region's named guards: what the words, the answering-machine detection and the beep say about who
// is on the line. Each reads the incoming recogniser final on its own (a recording's sentences are judged as they
// come), the phone tree's menu as heard since the last key press. The cue lexicons are src/situations/'s (one per
// concept). Pure, like machines/guards.ts.

type Args = { context: CallContext; event: MachineEvent };

/** The incoming final's words. */
function finalText(e: MachineEvent): string {
  assertEvent(e, 'ASR.FINAL');
  return e.text;
}
/** The words of a final, or the interim words her pause made stable (a menu can be recognised on either). */
export function heardText(e: MachineEvent): string {
  assertEvent(e, ['ASR.FINAL', 'ASR.STABLE']);
  return e.text;
}
/** The menu heard since the last key press, with the incoming words. */
export function menuText(c: CallContext, e: MachineEvent): string {
  const t = heardText(e);
  return c.line.ivr.heard.length > 0 ? `${c.line.ivr.heard} ${t}` : t;
}

/** The remembered step for the menu being heard (the level is the number of keys that moved forward). */
export function rememberedStep(c: CallContext): IvrStep | undefined {
  return c.line.ivr.remembered?.[c.line.ivr.path.length];
}

/**
 * Does the menu heard so far agree with the remembered level? Words that fit both orders ("on billing press one for
 * careers …", its "for" lost) are matched in either: the remembered menu is what settles the order.
 */
function replayAgreement(c: CallContext, text: string, finished: boolean) {
  const step = rememberedStep(c);
  if (step === undefined) return 'none';
  const menu = parseMenu(text);
  const agrees = (options: readonly MenuOption[]) =>
    menuAgrees(step.fingerprint, step.digits as Key, options, finished);
  const first = agrees(menu.options);
  return first !== 'same' && menu.otherReading !== undefined && agrees(menu.otherReading) === 'same' ? 'same' : first;
}

/** Keys already tried on this menu: those pressed on it before, if it is the menu the last key was pressed on. */
export function triedOn(c: CallContext, options: readonly MenuOption[]): Key[] {
  return isMenuRepeat(c.line.ivr.lastMenu, options) ? c.line.ivr.tried : [];
}

/** The key to press for the menu heard so far (undefined: no option reaches a person). */
export function bestKey(c: CallContext, text: string): Key | undefined {
  const menu = parseMenu(text);
  return chooseOption(menu, triedOn(c, menu.options), c.language).option?.key;
}

/** The agent has greeted someone on this call. */
export const greeted = (c: CallContext) => c.metrics.greetings > 0;
/**
 * The agent has said a whole turn that nobody talked over. After that, "Mike is not available" or "what are you
 * calling about?" answer us: a person's words, not a greeting or a screening assistant (which talk over us).
 */
const heardOut = (c: CallContext) => c.history.some((h) => h.speaker === 'agent' && h.interrupted !== true);
/** How far apart a recogniser's partials are in audio (the offline recogniser's 300 ms, Deepgram's about as often). */
const PARTIAL_STEP_MS = 300;
/** Nobody comes back to a hold this soon: words starting sooner are the sentence that put us there. */
const HOLD_WORDS_TAIL_MS = 1000;
/** More keys than a tree needs to reach a person: four levels, each with a retry and a 0 (tree-two-level needs 2). */
const MAX_KEY_PRESSES = 12;
const keysSpent = (c: CallContext) => c.line.keys.length >= MAX_KEY_PRESSES;
/** Words only a voicemail says, whoever the agent talked to before. */
const surelyVoicemail = (t: string) => Cue.isMailboxFull(t) || /\b(tone|beep)\b/.test(plain(t));

/** A person has the line: the conversation, or a person about to transfer the call who is still asked first. */
export const personOnLine = or([
  stateIn('#call.live.situation.conversation'),
  stateIn('#call.live.situation.transferAnnounced'),
]);
/** The reply of a committed turn (a preemptive one's events are held until it is adopted). */
const replyCommitted = stateIn('#call.live.reply.generating.committed');

export const situationGuards = {
  personOnLine,
  hearsVoicemail: ({ context, event }: Args) => {
    const t = finalText(event);
    return Cue.isVoicemailGreeting(t) && (!heardOut(context) || surelyVoicemail(t));
  },
  hearsMailboxFull: ({ event }: Args) => Cue.isMailboxFull(finalText(event)),
  hearsMenu: ({ event }: Args) => isMenuPrompt(heardText(event)),
  hearsScreening: ({ context, event }: Args) => !heardOut(context) && Cue.isScreening(finalText(event)),
  hearsTransfer: ({ event }: Args) => Cue.isTransferCue(finalText(event)),
  hearsHold: ({ event }: Args) => Cue.isHoldCue(finalText(event)),
  /**
   * Words that start within HOLD_WORDS_TAIL of the words that put us on hold: their sentence going on ("let me
   * transfer you to the manager, | one moment", split at its comma), not someone back from the hold.
   */
  continuesHoldWords: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    const end = context.line.holdWordsEndMs;
    return end !== undefined && event.startMs < end + HOLD_WORDS_TAIL_MS;
  },
  /**
   * Words on a hold that has sounded (machines/line.ts `holdSounded`) that no person back from it would say first:
   * an announcement or the music, however the recogniser made them ("your call is important to us" came out as
   * "year to holiday important just", with the announcer's voice under it).
   */
  queueWordsOnSoundedHold: ({ context, event }: Args) => context.line.holdSounded && !Cue.isHoldEnded(finalText(event)),
  /**
   * Words of a person after a key press or a hold: "hi, thanks for holding", or real words (not "uh-huh", not
   * music heard as one stray word) that are no recording's (menu, announcement, greeting, screening, retry).
   */
  hearsPerson: ({ context, event }: Args) => {
    const t = finalText(event);
    if (!voiceUnder(context, event)) return false;
    if (Cue.isHoldEnded(t)) return true;
    return realWords(t).length >= 2 && !Cue.isAutomatedSpeech(t) && !Cue.isHoldCue(t) && !isInvalidEntry(t);
  },
  /**
   * A queue's recording answered ("all of our team members are busy, please stay on the line"): at its pause,
   * before anybody was greeted. Its final may come late or not at all: over hold music the recogniser's utterance
   * runs on, and a recording is never asked to finish its turn.
   */
  pauseHearsQueue: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.STABLE');
    return !greeted(context) && Cue.isHoldCue(event.text);
  },
  replyCommitted,
  /** The LLM's leave_voicemail tool says the mailbox is full. */
  replySaysMailboxFull: and([
    replyCommitted,
    ({ event }: Args) => {
      assertEvent(event, 'REPLY.VOICEMAIL');
      return event.full;
    },
  ]),
  amdSaysMachine: ({ event }: Args) => {
    assertEvent(event, 'AMD.RESULT');
    return event.answeredBy.startsWith('machine_');
  },
  /** Twilio's DetectMessageEnd: the greeting has ended (with or without a beep). */
  amdSaysMessageEnd: ({ event }: Args) => {
    assertEvent(event, 'AMD.RESULT');
    return event.answeredBy.startsWith('machine_end_');
  },
  /** A beep before the agent was heard out by anyone: the voicemail's, its greeting not recognised. */
  beepBeforeAnyone: ({ context }: Args) => !heardOut(context),
  leavesVoicemail: ({ context }: Args) => context.line.voicemail.mode === 'leave',

  // ---- phone tree
  /** The remembered key of this menu level is heard saying what it said then: press it now. */
  replayAgrees: ({ context, event }: Args) => replayAgreement(context, menuText(context, event), false) === 'same',
  /**
   * Interim words already show the remembered key's menu (a pause in it: "for billing, press one"): the key is
   * pressed now, not after the menu's end (phone systems take a key typed ahead). Only with the words' media time
   * (the late final of them must be told from what answers the key) and not while an earlier early key's words
   * are still open (their interims are the menu we pressed on).
   */
  replayAgreesEarly: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.STABLE');
    return (
      event.endMs !== undefined &&
      context.line.ivr.keyAtMs === undefined &&
      replayAgreement(context, menuText(context, event), false) === 'same'
    );
  },
  /** The final of the interim words an early key was pressed on: the menu we pressed on, closed late. */
  closesWordsBeforeKey: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    const at = context.line.ivr.keyAtMs;
    return at !== undefined && event.startMs < at;
  },
  /** The menu finished (silence) and still agrees with the remembered level. */
  replayAgreesFinished: ({ context }: Args) => replayAgreement(context, context.line.ivr.heard, true) === 'same',
  /** An option that surely reaches a person (front desk, membership, operator) was heard: no need to wait. */
  decisiveOptionHeard: ({ context, event }: Args) => {
    if (keysSpent(context)) return false; // the finished menu gives up (ivrGivenUp)
    const menu = parseMenu(menuText(context, event));
    return chooseOption(menu, triedOn(context, menu.options), context.language).decisive;
  },
  menuStartsWithRemembered: and(['hearsMenu', 'replayAgrees']),
  menuStartsWithRememberedEarly: and(['hearsMenu', 'replayAgreesEarly']),
  menuStartsDecisive: and(['hearsMenu', 'decisiveOptionHeard']),
  /** The finished menu offers an option worth pressing. */
  menuHasOption: ({ context }: Args) => bestKey(context, context.line.ivr.heard) !== undefined,
  /** 0 (the operator by convention) has not been tried on this menu. */
  zeroUntried: ({ context }: Args) => !triedOn(context, parseMenu(context.line.ivr.heard).options).includes('0'),
  /** The tree did not take the key ("sorry, I didn't get that", "invalid selection"). */
  hearsInvalidEntry: ({ event }: Args) => isInvalidEntry(finalText(event)),
  /** The menu after a key press is the one we pressed on: the key looped back. */
  hearsSameMenu: ({ context, event }: Args) =>
    isMenuRepeat(context.line.ivr.lastMenu, parseMenu(menuText(context, event)).options),
  /** Two failures already (a loop, "didn't get that", no answer): a third means we are stuck. */
  ivrFailuresLeft: ({ context }: Args) => context.line.ivr.failures < 2,
  invalidEntryRetry: and(['hearsInvalidEntry', 'ivrFailuresLeft']),
  /**
   * Three menus did not take our keys, or the keys pressed are more than any tree needs to reach a person: a loop
   * through two or more menus (A → B → A) whose words the recogniser hears differently each time, so that no
   * menu is ever heard as the one before.
   */
  ivrGivenUp: ({ context }: Args) => context.line.ivr.failures >= 3 || keysSpent(context),
  /** Words were heard after the key press (a person's, not yet judged to have ended). */
  wordsAfterPress: ({ context }: Args) => context.caller.finals.length > 0,

  // ---- who answered (outbound)
  /**
   * Her words so far (finals and the partial) sound like a person picking up ("hello?", "Iron Gym, this is Sam",
   * "how can I help you"): she waits for us, greet at her first pause. Not a recording's intro, a menu, a hold or
   * screening announcement, nor words not yet made out (src/situations/pickup.ts).
   */
  pickupHeard: ({ context }: Args) => soundsLikePickup(callerText(context), context.gymName),
  /** Her voice has just paused (the VAD.SILENCE of her speech) on words that sound like a person picking up. */
  pickupPaused: and([stateIn('#call.live.caller.speaking'), 'pickupHeard']),
  /**
   * On a noisy line, a person by the phone saying hello again: the voice that paused was as short as a hello, stood
   * over the room, and followed an earlier short voice that paused into the line sounding. There the recogniser's
   * words of the room after her pause say nothing about who answered: taken for a queue's music, her three hellos
   * each ended in lineSounding and the line was held as a queue, nobody greeted for five minutes (music-10db).
   * HELLO_SETTLE's silence greets her. One short voice is not enough: a queue's "please hold" over its own music is
   * short and stands over it too (who-answered.test.ts), and greeted into, the agent would close on the queue as idle.
   */
  helloRepeatedNear: ({ context: c }: Args) => {
    const before = c.shortVoiceMs;
    const now = pausedVoice(c);
    const repeated = before !== undefined && now !== undefined && before < now.fromMs;
    return c.evidence.noisy && repeated && shortVoicePaused(c) && pausedVoiceStoodOut(c);
  },
  /**
   * A voice stood over a room the detector takes for speech, as long as a person's pickup at most, and let go: the
   * person by the phone in a busy gym said hello and waits. There the detector hears the room's talkers for seconds
   * on end, so her hello is no stretch of its own to pause (pickupPaused, helloRepeatedNear), and the recogniser
   * writes the room's words around it: judged by those, nobody was ever greeted (chatter: lineSounding, then held
   * as a queue for five minutes). A queue's music, a menu's or a voicemail's silence is not speech to Silero, and a
   * recording's announcement over them goes on for longer than a pickup without letting go.
   */
  nearVoicePausedInTalkingRoom: ({ context, event }: Args) => {
    assertEvent(event, 'CALLER.EVIDENCE');
    const { voice: was, stoodOutFromMs: from } = context.evidence;
    const to = event.hersToMs ?? event.atMs;
    return (
      event.voice === 'absent' &&
      (was === 'present' || was === 'held') &&
      talkingRoom(event) &&
      from !== undefined &&
      to - from <= NEAR_PICKUP_MAX_MS
    );
  },
  /**
   * The partial's words come from audio after her voice paused (more than RECOGNISER_LAG past its last voiced
   * frame): new sound on the line. A busy recogniser's late words of the pause itself end inside it, however late
   * they arrive. Words from a recogniser that does not say where they end are taken as new (RECOGNISER_LAG's wait
   * covers its lateness).
   */
  wordsAfterPause: ({ context, event }: Args) =>
    event.type !== 'ASR.PARTIAL' || event.endMs === undefined || soundAfterVoice(context, event.endMs),
  /** New words on a line whose voice detector hears no voice: music or a recording, not a person who waits. */
  soundWithoutVoice: and(['callerSilent', 'wordsAfterPause']),
  /**
   * The partial adds real words to the one before it and reaches more than a partial's step past her pause: words
   * of sound after the pause, which need no RECOGNISER_LAG wait ("please hold" heard "please hello on to our our",
   * then "… uh how" from the music after it, while the greeting waited out HELLO_SETTLE).
   */
  wordsGrowAfterPause: ({ context, event }: Args) =>
    event.type === 'ASR.PARTIAL' &&
    event.endMs !== undefined &&
    context.lastSilenceMs !== undefined &&
    event.endMs > context.lastSilenceMs + PARTIAL_STEP_MS &&
    realWords(event.text).length > realWords(context.caller.partial).length,
  soundGrowsWithoutVoice: and(['callerSilent', 'wordsGrowAfterPause']),
  /** ... with the recogniser's final that came after her pause. */
  finalSoundsLikePickup: ({ context, event }: Args) =>
    soundsLikePickup(joinNonBlank(context.caller.finals, finalText(event)), context.gymName),

  // ---- back to a person
  notGreeted: not(({ context }: Args) => greeted(context)),
  /** A voice the agent has not introduced itself to (after a transfer). */
  newParty: ({ context }: Args) => context.line.party > context.line.introducedTo,
  /** A person put us on hold to transfer the call: the voice that comes back is a new one. */
  transferPending: ({ context }: Args) => context.line.transferPending,
  /** A topic nobody was asked about yet: the person about to transfer the call may know it. */
  unaskedTopicLeft: ({ context }: Args) => greeted(context) && nextTopic(context) !== undefined,
  /** Leave or skip a voicemail: VOICEMAIL_ACTION. */
  skipsVoicemail: ({ context }: Args) => context.line.voicemail.mode === 'hangup',
  /** A situation's end arrives while the turn region is already closing (e.g. MAX_CALL during the message). */
  closingAlready: stateIn('#call.live.turn.closing'),
};
