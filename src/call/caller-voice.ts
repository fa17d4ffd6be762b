import { EchoPath } from './echo-path.js';
import { NoiseFloor } from './noise-floor.js';

// Is it the caller? The speech detector hears speech in a gym's music, its singer and the people at the desk as
// readily as in her voice, and the agent's own voice coming back on the line is speech too. What tells her apart
// is physics: she is close to the microphone, so her voice stands well above the room (the line's measured peak,
// noise-floor.ts), and she is not the agent (her level is not explained by the agent's echo, echo-path.ts). Per
// 20 ms frame: the detector says speech, the level clears the room's peak by BARGE_IN_MARGIN_DB, and it clears
// the predicted echo by ECHO_MARGIN_DB. Her voice is *present* when such frames fill BARGE_IN_EVIDENCE_MS of the
// last WINDOW_MS (a kick drum or a shout across the room is a frame or three; speech fills most of a window), and
// *held* once it has been present for BARGE_IN_MIN_MS since its first such frame. The call machine gets the
// changes only (LINE.EVIDENCE), a few per interruption, and decides with them (machines/guards.ts).

export type VoiceEvidence = 'absent' | 'present' | 'held';

export interface LineEvidence {
  /** Stream time of the frame that changed it. */
  readonly atMs: number;
  readonly voice: VoiceEvidence;
  /** Her speech stands less than LINE_NOISY_SNR_DB above the room's peak: words must confirm an interruption. */
  readonly noisy: boolean;
  /** Stream time of her last frame that stood out (absent comes HANGOVER_MS and more after it); none yet: undefined. */
  readonly hersToMs: number | undefined;
  /**
   * The detector takes the room for speech: of the room's frames (below), the share it calls speech (chatter; not
   * music, sung music, street or hvac for Silero: bench in docs/benchmarks/barge-in.md). Undefined until
   * ROOM_FRAMES_MIN of them were heard: nobody knows yet.
   */
  readonly roomSpeaks: boolean | undefined;
}

export interface CallerVoiceThresholds {
  /** Frames of her voice (ms) within the last WINDOW_MS that make it present. */
  readonly bargeInEvidenceMs: number;
  /** Present this long (from its first frame) makes it held: an interruption by its length. */
  readonly bargeInMinMs: number;
  /** How far a frame must stand over the room's peak level (dB). */
  readonly bargeInMarginDb: number;
  /** A line whose room peak comes within this many dB of her speech level is noisy. */
  readonly lineNoisySnrDb: number;
}

const FRAME_MS = 20;
const WINDOW_FRAMES = 20;
/** Present stays this long after the evidence fell short, so that the recogniser's words about it still find it. */
const HANGOVER_MS = 600;
/**
 * How long after her last frame that stood out the evidence may still say present: the window falls short of
 * BARGE_IN_EVIDENCE_MS (about half of it), then the hangover.
 */
export const EVIDENCE_LAG_MS = (WINDOW_FRAMES * FRAME_MS) / 2 + HANGOVER_MS;
/** Her frame must exceed the predicted echo of the agent by this much (a 2:1 power ratio is 3 dB; 6 dB is 4:1). */
export const ECHO_MARGIN_DB = 6;
/** Quieter than this is never a caller's voice on a phone line (active speech sits at -16 to -26 dBFS). */
const MIN_VOICE_DBFS = -55;
const NOISY_HYSTERESIS_DB = 3;
/** Her last frame this recent: she is still speaking (a syllable's weak tail or a short stop lasts about this). */
const STILL_SPEAKING_MS = 80;
/** Background frames reach the room's level this late (lineFrame): a little more than BARGE_IN_MIN's default. */
const BACKGROUND_DELAY_FRAMES = 35;
/** The longest a voice over the agent is kept out of the room's level (#delayed). */
const MAX_OVER_AGENT_MS = 3000;
/** The detector's probability at which a frame is speech. */
const SPEECH_PROBABILITY = 0.5;
/**
 * The room's frames, whose speech share says whether the detector hears the room: frames while the agent talks (she
 * listens then), and before it has said anything at all (she said hello and waits), clear of the agent's echo and
 * NEAR_HER_FRAMES from any frame of hers. Not while she talks to a silent agent: there her softer words, which fall
 * short of standing out over music, would pass for the room's speech.
 */
const ROOM_FRAMES = 500;
const ROOM_FRAMES_MIN = 100;
/** The share of the room's frames the detector calls speech above which it hears the room (chatter: 57–90 %)... */
const ROOM_SPEECH_SHARE = 0.05;
/** ... and below which it no longer does (hysteresis: no evidence event for every frame near the limit). */
const ROOM_QUIET_SHARE = 0.03;
/**
 * Before the agent has spoken, the share above which the detector hears the room: there her hellos are on the line,
 * and on a loud line a hello that never stood out counts whole. A room of talkers is mostly speech to it (57–90 %).
 * Unless measured so, the share starts again from the agent's first word.
 */
const ROOM_SPEECH_SHARE_BEFORE_AGENT = 0.3;
/**
 * A room frame this near a frame of hers, before or after, is left out: the detector's speech runs past the frames
 * that stood out (her onset, a soft word's tail), and at 100 frames a hello's few edge frames would pass 5 %.
 */
const NEAR_HER_FRAMES = 25;

/**
 * The level a voice must reach to stand `marginDb` over the room's peak (never below a phone voice's floor). Until
 * the room has been measured (the first second or so of the call) nothing stands over it.
 */
function overRoomDb(peakDb: number | undefined, marginDb: number): number {
  return peakDb === undefined ? Infinity : Math.max(MIN_VOICE_DBFS, peakDb + marginDb);
}

export class CallerVoice {
  readonly floor = new NoiseFloor();
  readonly echo = new EchoPath();
  readonly #t: CallerVoiceThresholds;
  readonly #onChange: (e: LineEvidence) => void;
  readonly #window = new Uint8Array(WINDOW_FRAMES);
  #pos = 0;
  #count = 0;
  readonly #pending = new Float32Array(BACKGROUND_DELAY_FRAMES);
  readonly #pendingHers = new Uint8Array(BACKGROUND_DELAY_FRAMES);
  /** Speech clear of the echo, heard before the room was measured: judged when it reaches the room's level. */
  readonly #pendingUnjudged = new Uint8Array(BACKGROUND_DELAY_FRAMES);
  #pendingPos = 0;
  #pendingCount = 0;
  #lastHersMs = -Infinity;
  readonly #room = new Uint8Array(ROOM_FRAMES);
  #roomPos = 0;
  #roomCount = 0;
  #roomSpeech = 0;
  #roomSpeaks: boolean | undefined;
  /** Room frames waiting NEAR_HER_FRAMES for a frame of hers that would leave them out: 0 none, 1 silence, 2 speech. */
  readonly #roomPending = new Uint8Array(NEAR_HER_FRAMES);
  #roomPendingPos = 0;
  /** The agent has been audible on this call (before that, the line is the room and her hellos). */
  #agentSpoke = false;
  #presentSinceMs = 0;
  /** When the agent was first audible while her voice was there (her answer may have begun before it spoke). */
  #overAgentSinceMs: number | undefined;
  /** The agent's last audible frame: a pause of its own longer than the room's delay ends the overlap. */
  #agentAudibleMs = -Infinity;
  #shortSinceMs: number | undefined;
  #voice: VoiceEvidence = 'absent';
  #noisy = false;
  #told = false;

  constructor(t: CallerVoiceThresholds, onChange: (e: LineEvidence) => void) {
    this.#t = t;
    this.#onChange = onChange;
  }

  get voice(): VoiceEvidence {
    return this.#voice;
  }

  get noisy(): boolean {
    return this.#noisy;
  }

  /** A frame the agent sent (stream time, level). */
  agentFrame(atMs: number, levelDb: number): void {
    this.echo.agent(atMs, levelDb);
  }

  /** A frame of the caller's line: the detector's speech probability and the frame's level. */
  lineFrame(atMs: number, probability: number, levelDb: number): void {
    const speech = probability > SPEECH_PROBABILITY;
    const agentAudible = this.echo.agentAudible(atMs);
    const echoDb = this.echo.line(atMs, levelDb);
    const peak = this.floor.peakDb;
    const measured = peak !== undefined;
    const clearOfEcho = speech && levelDb >= echoDb + ECHO_MARGIN_DB;
    const hers = clearOfEcho && levelDb >= overRoomDb(peak, this.#t.bargeInMarginDb);
    // The room's first second is measured from what is surely not her (no speech) as it comes: she may talk over
    // the greeting that starts as her hello ends, and is heard only once the room is known.
    if (!speech && !measured) this.floor.background(levelDb);
    else if (agentAudible || !speech) this.#delayed(levelDb, hers, clearOfEcho && !measured, atMs);
    else this.floor.speech(levelDb);
    if (hers) this.#lastHersMs = atMs;
    if (agentAudible && !this.#agentSpoke) this.#agentStarts();
    // Speech the agent's echo explains is neither the room's speech nor its silence: left out. Before the room is
    // measured nothing can be told hers.
    const roomFrame = (agentAudible || (!this.#agentSpoke && measured)) && (!speech || clearOfEcho);
    this.#roomFrame(hers, roomFrame && atMs - this.#lastHersMs > NEAR_HER_FRAMES * FRAME_MS ? 1 + +speech : 0);
    if (agentAudible) {
      this.#agentAudibleMs = atMs;
      if (this.#voice !== 'absent') this.#overAgentSinceMs ??= atMs;
    } else if (atMs - this.#agentAudibleMs > BACKGROUND_DELAY_FRAMES * FRAME_MS) this.#overAgentSinceMs = undefined;
    this.#count += (hers ? 1 : 0) - (this.#window[this.#pos] as number);
    this.#window[this.#pos] = hers ? 1 : 0;
    this.#pos = (this.#pos + 1) % WINDOW_FRAMES;
    this.#update(atMs);
  }

  /**
   * The room's level takes frames BACKGROUND_DELAY_FRAMES late, and leaves out those that were hers: while her
   * interruption (or her backchannel) is judged and for a while after, her own frames must not become the room she
   * has to stand out from (a tenth of the window of them would lift its peak to her level). Left out only while
   * her voice has gone on over the agent for less than MAX_OVER_AGENT_MS: a caller does not talk over the agent
   * longer than that (the agent stops), so a voice that goes on is the room getting louder, and the room's level
   * must follow it (a floor fed only with what was judged "not her" would lock up below the noise). Counted from
   * when the agent was first heard over her voice, not from her voice's start: an answer that was still going when
   * the agent began (a turn ended on a line that is never quiet) had been present for seconds already, and all of
   * it went into the room at once; the room's peak rose 28 dB over two seconds, above her own level, and her voice
   * was absent while she talked over the agent (interrupts-over-music, docs/benchmarks/barge-in.md).
   *
   * A frame heard before the room was measured could not be judged then (the outbound greeting starts as her hello
   * ends, and she may talk over it at once): it is judged as it reaches the room's level, against the room measured
   * by then, and left out if it stands clearly over it. Fed in, her interruption became the room she had to stand out
   * from, and was never heard (barge-in-greeting).
   */
  #delayed(levelDb: number, hers: boolean, unjudged: boolean, atMs: number): void {
    if (this.#pendingCount === BACKGROUND_DELAY_FRAMES) {
      const level = this.#pending[this.#pendingPos] as number;
      const shortVoice = this.#voice !== 'absent' && atMs - (this.#overAgentSinceMs ?? atMs) < MAX_OVER_AGENT_MS;
      const wasHers = this.#pendingHers[this.#pendingPos] === 1 && shortVoice;
      // Judged late, against a room measured from its first second: left out of it only when it stands over the
      // room by as much as a quiet line's voice does (LINE_NOISY_SNR_DB). Over a quiet line that is her; over a room
      // of chatter, the room's own talkers, which must stay the room (bench:barge-in: the barge-in margin alone
      // doubled chatter's false held voice).
      const unjudgedHers =
        this.#pendingUnjudged[this.#pendingPos] === 1 && level >= overRoomDb(this.floor.peakDb, this.#t.lineNoisySnrDb);
      if (!wasHers && !unjudgedHers) {
        this.floor.background(level);
      }
    } else this.#pendingCount++;
    this.#pending[this.#pendingPos] = levelDb;
    this.#pendingHers[this.#pendingPos] = hers ? 1 : 0;
    this.#pendingUnjudged[this.#pendingPos] = unjudged ? 1 : 0;
    this.#pendingPos = (this.#pendingPos + 1) % BACKGROUND_DELAY_FRAMES;
  }

  /** The agent's first audible frame: a room not measured as speech so far is measured again from here. */
  #agentStarts(): void {
    this.#agentSpoke = true;
    if (this.#roomSpeaks === true) return;
    this.#room.fill(0);
    this.#roomPending.fill(0);
    this.#roomCount = 0;
    this.#roomSpeech = 0;
  }

  /**
   * One frame for the room's speech share (roomSpeaks): `frame` 1 the room's silence, 2 its speech, 0 not the room.
   * It counts NEAR_HER_FRAMES later, unless a frame of hers came in between.
   */
  #roomFrame(hers: boolean, frame: number): void {
    if (hers) this.#roomPending.fill(0);
    const due = this.#roomPending[this.#roomPendingPos] as number;
    this.#roomPending[this.#roomPendingPos] = frame;
    this.#roomPendingPos = (this.#roomPendingPos + 1) % NEAR_HER_FRAMES;
    if (due === 0) return;
    const v = due === 2 ? 1 : 0;
    if (this.#roomCount === ROOM_FRAMES) this.#roomSpeech -= this.#room[this.#roomPos] as number;
    else this.#roomCount++;
    this.#room[this.#roomPos] = v;
    this.#roomSpeech += v;
    this.#roomPos = (this.#roomPos + 1) % ROOM_FRAMES;
  }

  /**
   * Whether the detector takes the room for speech, at this share of its frames. Before the agent has spoken only a
   * room of talkers is told (ROOM_SPEECH_SHARE_BEFORE_AGENT): a lower share there may be her hellos.
   */
  #roomSpeaksAt(share: number): boolean | undefined {
    if (this.#roomSpeaks === true) return share > ROOM_QUIET_SHARE;
    if (!this.#agentSpoke) return share > ROOM_SPEECH_SHARE_BEFORE_AGENT ? true : this.#roomSpeaks;
    return share > ROOM_SPEECH_SHARE;
  }

  #update(atMs: number): void {
    const enough = this.#count * FRAME_MS >= this.#t.bargeInEvidenceMs;
    let voice = this.#voice;
    if (enough) {
      this.#shortSinceMs = undefined;
      if (this.#voice === 'absent') this.#presentSinceMs = atMs;
      // Held: present for as long again as BARGE_IN_MIN beyond the evidence it took (her voice began about
      // BARGE_IN_EVIDENCE_MS before it was present), and her frames still coming (the window outlives a word).
      const long = atMs - this.#presentSinceMs >= this.#t.bargeInMinMs - this.#t.bargeInEvidenceMs;
      voice = this.#voice === 'held' || (long && atMs - this.#lastHersMs <= STILL_SPEAKING_MS) ? 'held' : 'present';
    } else if (this.#voice !== 'absent') {
      this.#shortSinceMs ??= atMs;
      if (atMs - this.#shortSinceMs >= HANGOVER_MS) voice = 'absent';
    }
    // 3 dB of hysteresis: a line near the limit does not flip with every louder bar of the music.
    // Nothing is said before the room has been measured: until then the call keeps the VAD-only rules.
    if (this.floor.peakDb === undefined) return;
    const snr = this.floor.snrDb;
    const limit = this.#t.lineNoisySnrDb + (this.#noisy ? NOISY_HYSTERESIS_DB : 0);
    const noisy = snr !== undefined && snr < limit;
    const share = this.#roomSpeech / Math.max(1, this.#roomCount);
    const roomSpeaks = this.#roomCount < ROOM_FRAMES_MIN ? this.#roomSpeaks : this.#roomSpeaksAt(share);
    if (voice === this.#voice && noisy === this.#noisy && roomSpeaks === this.#roomSpeaks && this.#told) return;
    if (voice === 'absent') this.#overAgentSinceMs = undefined;
    this.#voice = voice;
    this.#noisy = noisy;
    this.#roomSpeaks = roomSpeaks;
    this.#told = true;
    const hersToMs = Number.isFinite(this.#lastHersMs) ? this.#lastHersMs : undefined;
    this.#onChange({ atMs, voice, noisy, hersToMs, roomSpeaks });
  }
}
