import { and, assertEvent, not, or, stateIn } from 'xstate';
import * as C from './context.js';
import type { CallContext } from './context.js';
import type { MachineEvent } from './events.js';
import * as T from './text.js';
import { EVIDENCE_LAG_MS } from '../src/call/caller-voice.js';

// Evidence that a sound over the agent is the caller, not the room: what the session measures on the line
// (src/call/caller-voice.ts: speech probability over the line's measured noise peak, not explained by the agent's
// echo) arrives as CALLER.EVIDENCE when it changes, and these guards decide the barge-in with it. A call whose
// session measures nothing (tests that drive only VAD edges) has `voice` undefined and keeps the VAD-only rules.

/** absent: no voice of hers over the room; present: it stands out now; held: for BARGE_IN_MIN already. */
export type VoiceEvidence = 'absent' | 'present' | 'held';

export interface CallerEvidence {
  /** undefined until the session measures the line. */
  voice: VoiceEvidence | undefined;
  /** Her speech stands less than LINE_NOISY_SNR_DB above the room's peak. */
  noisy: boolean;
  /** Her last frame that stood out, when a present or held voice went absent (its hangover later). */
  stoodOutUntilMs: number | undefined;
  /** When her voice last began to stand out (absent → present). */
  stoodOutFromMs: number | undefined;
  /** The detector takes the room for speech (chatter): its voice may be the room's. Undefined: nobody knows yet. */
  roomSpeaks: boolean | undefined;
}

/** `hersToMs`: her last frame that stood out (src/call/caller-voice.ts), when the session says. */
export type CallerEvidenceEvent = {
  type: 'CALLER.EVIDENCE';
  atMs: number;
  voice: VoiceEvidence;
  noisy: boolean;
  hersToMs?: number;
  /** The detector takes the room for speech (caller-voice.ts); unknown when not said. */
  roomSpeaks?: boolean;
};

export const noEvidence: CallerEvidence = Object.freeze({
  voice: undefined,
  noisy: false,
  stoodOutUntilMs: undefined,
  stoodOutFromMs: undefined,
  roomSpeaks: undefined,
});

type Args = { context: CallContext; event: MachineEvent };

/**
 * Words take at least this long each, on average over an utterance's first words: five words a second is faster
 * than anyone talks (conversational speech averages 300–400 ms a word), so a guess of more is not her words yet.
 */
const MIN_WORD_MS = 200;

/** The context's evidence after `event` (guards see the context before the event's own update). */
function evidenceOf(c: CallContext, e: MachineEvent): CallerEvidence {
  return e.type === 'CALLER.EVIDENCE' ? withEvidence(c.evidence, e) : c.evidence;
}

/** Context update for a CALLER.EVIDENCE (the caller region's noteEvidence action). */
export function withEvidence(before: CallerEvidence, e: CallerEvidenceEvent): CallerEvidence {
  const ended = e.voice === 'absent' && (before.voice === 'present' || before.voice === 'held');
  const stoodOutUntilMs = ended ? (e.hersToMs ?? e.atMs) : before.stoodOutUntilMs;
  const began = e.voice !== 'absent' && (before.voice === 'absent' || before.voice === undefined);
  const stoodOutFromMs = began ? e.atMs : before.stoodOutFromMs;
  return { voice: e.voice, noisy: e.noisy, stoodOutUntilMs, stoodOutFromMs, roomSpeaks: e.roomSpeaks };
}

/** A person's "hello?" is short; a recording's intro or a menu's line takes seconds. */
const PICKUP_VOICE_MAX_MS = 1500;

/**
 * The stretch of voice that last paused, from its onset to its silence edge. A blip since (a click the caller region
 * never took for speech: an onset without a silence edge of its own) leaves it as it was (priorVoice).
 */
export function pausedVoice(c: CallContext): { fromMs: number; toMs: number } | undefined {
  const onset = c.voiceOnsetMs;
  const silence = c.lastSilenceMs;
  if (onset === undefined || silence === undefined) return undefined;
  return silence >= onset ? { fromMs: onset, toMs: silence } : c.priorVoice;
}

/** The voice that last paused was as short as a pickup's hello. */
export function shortVoicePaused(c: CallContext): boolean {
  const v = pausedVoice(c);
  return v !== undefined && v.toMs - v.fromMs <= PICKUP_VOICE_MAX_MS;
}

/**
 * The voice that last paused stood over the room: the evidence is still present or held, or her last frame that
 * stood out was in that stretch (not in an earlier one whose evidence let go only after this one began).
 */
export function pausedVoiceStoodOut(c: CallContext): boolean {
  const { voice, stoodOutUntilMs } = c.evidence;
  const stretch = pausedVoice(c);
  if (stretch === undefined || voice === undefined) return false;
  return voice !== 'absent' || (stoodOutUntilMs !== undefined && stoodOutUntilMs >= stretch.fromMs);
}

/** A word's length: less overlap is the tail of the voice before (a recogniser's utterance starts early). */
const MIN_VOICE_UNDER_MS = 300;

/** Her softer words between louder ones (a noisy line's evidence lets go in them) last no longer than this. */
const HER_VOICE_RECENT_MS = 3000;

/**
 * The call's voice detector heard a voice under these words (from `fromMs` on): the current voice stretch, or the
 * one before it (her final often arrives after she has gone on), overlaps them by a word's length, or by the whole
 * stretch when it was shorter ("No."). Music heard as words has none: the detector is made for speech, while the
 * recogniser's grammar explains any sound with some words.
 */
export function voiceUnder(c: CallContext, e: MachineEvent, fromMs = -Infinity): boolean {
  assertEvent(e, 'ASR.FINAL');
  const stretches: { fromMs: number; toMs: number }[] = c.priorVoice ? [c.priorVoice] : [];
  const onset = c.voiceOnsetMs;
  const silence = c.lastSilenceMs;
  if (onset !== undefined)
    stretches.push({ fromMs: onset, toMs: silence === undefined || silence <= onset ? Infinity : silence });
  return stretches.some((v) => {
    const overlap = Math.min(v.toMs, e.endMs) - Math.max(v.fromMs, e.startMs, fromMs);
    return overlap >= Math.min(MIN_VOICE_UNDER_MS, v.toMs - v.fromMs);
  });
}

/** A noisy line whose room the detector takes for speech (people talking by the desk). */
export function talkingRoom(e: { noisy: boolean; roomSpeaks?: boolean | undefined }): boolean {
  return e.noisy && e.roomSpeaks === true;
}

export function inTalkingRoom(c: CallContext): boolean {
  return talkingRoom(c.evidence);
}

/**
 * In a room of talkers, BARGE_IN_CONFIRM waits the evidence's lag longer: there only her voice still standing out
 * confirms an interruption, and the evidence says present up to EVIDENCE_LAG_MS after her last frame that did.
 */
export function bargeInConfirmMs(c: CallContext): number {
  return c.timing.bargeInConfirmMs + (inTalkingRoom(c) ? EVIDENCE_LAG_MS : 0);
}

/** A final's audio this near her voice's stretch is hers: a word's length, and the recogniser's pre-roll. */
const NEAR_HER_WORDS_MS = 500;

const measured = ({ context, event }: Args) => evidenceOf(context, event).voice !== undefined;
const roomSpeaksNoisy = ({ context, event }: Args) => talkingRoom(evidenceOf(context, event));
const voiceHeld = ({ context, event }: Args) => evidenceOf(context, event).voice === 'held';
const voicePresent = ({ context, event }: Args) => {
  const v = evidenceOf(context, event).voice;
  return v === 'present' || v === 'held';
};

export const evidenceGuards = {
  /** The session measures the line: barge-in needs its evidence (not only the VAD's edges). */
  lineMeasured: measured,
  /** No measurement of the line (VAD edges only): the duration rules of before apply. */
  lineUnmeasured: not(measured),
  /**
   * Her voice has stood over the line's noise peak and clear of the agent's echo for BARGE_IN_MIN: an
   * interruption by its length (music, chatter and the agent's own voice never get here).
   */
  callerVoiceHeld: voiceHeld,
  /** Her voice stands over the line's noise peak and clear of the agent's echo now (or did a moment ago). */
  callerVoicePresent: voicePresent,
  /** Words over the agent count only with her voice under them, or on a line nobody measures. */
  callerVoiceOrUnmeasured: or(['lineUnmeasured', 'callerVoiceNow']),
  /**
   * Her voice stands out and, on a noisy line, the detector hears a voice now. There words over the agent need both:
   * the evidence stays present a moment after her voice (HANGOVER_MS, so that the recogniser's words of it still
   * find it), and over music the first word the recogniser made of the bar after her answer paused the agent in
   * that moment (music-15db, music-vocals: one false barge-in each). On a quiet line the hangover stays: a short
   * "sorry, wait" whose words come after the detector's silence edge still stops the agent.
   */
  callerVoiceNow: and(['callerVoicePresent', or([not('lineNoisy'), not(stateIn('#call.live.caller.silent'))])]),
  /** The line is noisy (her speech within LINE_NOISY_SNR_DB of the room's peak): only words confirm her. */
  lineNoisy: ({ context, event }: Args) => evidenceOf(context, event).noisy,
  /**
   * On a noisy line the turn's last words are still interim: the final is worth waiting for. There the offline
   * recogniser's interim words are the grammar decoder's, music made into words, and its final is Moonshine's,
   * transcribed once the utterance ended: a turn ended on the interim words was answered from them, and her
   * final came in as a late one (music-15db: "our that hiit eight a.m. to nine again noon" where Moonshine had
   * "eight a.m. to nine p.m. every day"). Bounded by the long wait, which ends the turn on what there is.
   */
  /** The recogniser said her words ended while her voice was still held on a noisy line (soundNotHerVoice). */
  wordsEndedUnderVoice: ({ context }: Args) => context.wordsEndedUnderVoice,
  finalPendingOnNoisyLine: ({ context, event }: Args) =>
    evidenceOf(context, event).noisy && context.caller.partial.trim() !== '',
  /**
   * The recogniser result adds a real word (not a backchannel) to what it had: a word heard just now. On a noisy
   * line it decodes the room all along, so only together with her voice does this say she is speaking.
   */
  bringsNewRealWord: ({ context, event }: Args) => {
    assertEvent(event, ['ASR.PARTIAL', 'ASR.FINAL']);
    if (C.isLateWords(context, event)) return false;
    const before = T.realWords(C.callerText(context)).length;
    const partial = event.type === 'ASR.PARTIAL' ? event.text : '';
    const finals = [...context.caller.finals];
    if (event.type === 'ASR.FINAL') finals.push(event.text);
    return T.realWords([...finals, partial].join(' ')).length > before;
  },
  /**
   * The first interim words of an utterance fit in the voice under them: each real word takes MIN_WORD_MS of it at
   * least, from her voice's onset to where the words' audio ends. A first guess of more words than that ("right"
   * guessed as "by eight" 240 ms into it) is no evidence of anything. Later words (an utterance may span several
   * voice onsets), finals and words that do not say where they end are taken as they come.
   */
  wordsFitHerVoice: ({ context, event }: Args) => {
    assertEvent(event, ['ASR.PARTIAL', 'ASR.FINAL']);
    const onset = context.voiceOnsetMs;
    const first = context.caller.finals.length === 0 && context.caller.partial === '';
    if (event.type === 'ASR.FINAL' || event.endMs === undefined || onset === undefined || !first) return true;
    return T.realWords(event.text).length * MIN_WORD_MS <= event.endMs - onset;
  },
  /** Her voice is there and brings a real word of its own: pause and check, sooner than BARGE_IN_MIN. */
  callerVoiceBringsRealWord: and([
    'callerVoiceNow',
    'bringsNewRealWord',
    'wordsFitHerVoice',
    not('roomWords'),
    not('roomSpeaksNoisy'),
  ]),
  /**
   * Two real words over the agent, with her voice under them (or nobody measures the line): barge-in. Not in a room
   * of talkers (roomSpeaksNoisy): there the recogniser writes the room's words all along, and a talker's loud
   * moment standing over the room for 200 ms with them stopped the greeting (chatter); her voice held for
   * BARGE_IN_MIN is what tells there.
   */
  bargeInByWords: and([
    'bringsTwoRealWords',
    'callerVoiceOrUnmeasured',
    'wordsFitHerVoice',
    not('roomWords'),
    not('roomSpeaksNoisy'),
  ]),
  /**
   * The sound the detector still hears is not her voice: her voice stands over nothing now (on a noisy line: is
   * not held), or nobody measures the line. On a quiet line with her voice present the detector is right and a
   * recogniser that closed her words at a comma's pause is not (she goes on: "five to eleven, | seven to eight on
   * saturday"). On a noisy line a moment's evidence can be the room's, but a held voice is hers: the recogniser
   * ended an utterance in the middle of her answer, the agent began over her, and nothing stopped it
   * (interrupts-over-music: 5.9 s from her onset).
   */
  soundNotHerVoice: or(['lineUnmeasured', and([not('herVoiceStandsOut'), not('detectorHearsHer')])]),
  /** Her voice stands out now: held on a noisy line, present on a quiet one. */
  herVoiceStandsOut: ({ context, event }: Args) =>
    evidenceOf(context, event).noisy ? voiceHeld({ context, event }) : voicePresent({ context, event }),
  /**
   * On a noisy line, the detector hears a voice now and does not take this room for speech (music, street, hvac: it
   * never called them speech while the agent talked): the voice is hers, however little it stands over the room's
   * loud moments. (On a quiet line her voice stands out wherever it is there; the evidence decides as before.)
   * On a noisy line the evidence lets go in the middle of an answer (her softer frames fall short of the room's
   * peak plus the margin, docs/benchmarks/barge-in.md), and the recogniser's utterance end there ended her turn
   * while she went on: the agent began over her answer (interrupts-over-music).
   */
  detectorHearsHer: and(['lineNoisy', stateIn('#call.live.caller.speaking'), 'roomNotSpeech', 'herVoiceRecent']),
  /**
   * Her voice stood over the room lately: it does now, or her last frame that did is within HER_VOICE_RECENT_MS of
   * the recogniser's words. Bounds the rule above: the room measured while the agent talked may change during her
   * turn (a radio comes on), and a voice the detector hears for seconds past her last word is not hers.
   */
  herVoiceRecent: ({ context, event }: Args) => {
    const e = evidenceOf(context, event);
    const to = context.caller.heardToMs;
    if (e.voice !== 'absent' || to === undefined) return true;
    return e.stoodOutUntilMs !== undefined && to - e.stoodOutUntilMs <= HER_VOICE_RECENT_MS;
  },
  /**
   * The voice the detector hears is only the room's: a noisy line whose room it takes for speech (people talking by
   * the desk), and no voice of hers standing over it. There the detector's edges come and go with the room every
   * second or two; taken for her turns, they restarted the wait for her answer each time, and after a question she
   * never answered audibly the agent said nothing for a minute and more (chatter).
   */
  roomVoiceOnly: ({ context, event }: Args) => roomSpeaksNoisy({ context, event }) && !voicePresent({ context, event }),
  /** A noisy line whose room the detector takes for speech. */
  roomSpeaksNoisy,
  /** In a room of talkers, the voice the detector hears stands over the room now: hers. */
  herVoiceOverTalkingRoom: and([stateIn('#call.live.caller.speaking'), 'callerVoicePresent', 'roomSpeaksNoisy']),
  /** The detector has heard this room (while the agent talked, or before it spoke) and does not take it for speech. */
  roomNotSpeech: ({ context, event }: Args) => evidenceOf(context, event).roomSpeaks === false,
  /**
   * The room's words, not hers: on a noisy line, a final with no voice of hers under it, or a partial of sound
   * after her voice ended. A grammar recogniser writes a gym's music and chatter as words ("to but it months it you
   * the or noon"): kept, they ended turns she never took and judged her "hello" with them (interrupts-over-music:
   * the agent answered the music through every question and she never got a word in). On a quiet line words the
   * detector missed are still hers.
   */
  roomWords: and([
    'lineNoisy',
    or(['finalWithoutVoice', and([stateIn('#call.live.caller.silent'), 'partialPastVoice'])]),
  ]),
  /**
   * A final with no voice under it since the committed turn: over music the recogniser's utterance outlives her
   * voice, and the final of a "hello" the greeting already answered came 1.9 s later with the music's words on it.
   */
  finalWithoutVoice: ({ context, event }: Args) =>
    event.type === 'ASR.FINAL' && !voiceUnder(context, event, context.committedToMs),
  /** A partial whose audio reaches past her voice's last end by more than the recogniser's lag: new sound. */
  partialPastVoice: ({ context, event }: Args) =>
    event.type === 'ASR.PARTIAL' && event.endMs !== undefined && C.soundAfterVoice(context, event.endMs),
  /** Still speaking when the confirmation window closes, on a line quiet enough for length to confirm her. */
  confirmedByLength: and([stateIn('#call.live.caller.speaking'), not('lineNoisy')]),
  /**
   * In a room of talkers, a final whose audio lies away from her voice's last stretch standing over the room is the
   * room's: the recogniser writes their words all along, and kept, a minute of them went into her next turn.
   */
  talkingRoomFinal: ({ context, event }: Args) => {
    assertEvent(event, 'ASR.FINAL');
    if (!inTalkingRoom(context)) return false;
    const { voice, stoodOutFromMs: from, stoodOutUntilMs } = context.evidence;
    if (from === undefined) return true;
    const to = voice === 'absent' ? (stoodOutUntilMs ?? from) : Infinity;
    return event.endMs < from - NEAR_HER_WORDS_MS || event.startMs > to + NEAR_HER_WORDS_MS;
  },
  /** A real word confirms an interruption, except in a room of talkers, where the recogniser writes theirs too. */
  wordsConfirm: and(['bringsRealWord', not('roomSpeaksNoisy')]),
  /** In a room of talkers, her voice still stands over it when the confirmation window closes. */
  confirmedInTalkingRoom: and(['roomSpeaksNoisy', 'callerVoicePresent']),
};
