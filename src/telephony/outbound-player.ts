import { FRAME_MS, TWILIO_RATE, ULAW_SILENCE, type TelephonyDsp, type TelephonyResampler } from './dsp-port.js';
import { heardPrefix } from './heard-text.js';
import { toPcm } from './pcm-bytes.js';
import { sharedPacingClock, type Paced, type PacingClock } from './pacing-clock.js';
import { UlawFrames } from './ulaw-frames.js';

// Agent audio to Twilio. TTS PCM (any rate) is resampled to 8 kHz and μ-law encoded by the DSP addon, cut into
// 20 ms frames and sent on a real-time schedule with a small lead, so at most ~lead ms sit in Twilio's queue and
// a `clear` on barge-in silences the agent at once. Marks go out every ≈200 ms and after each utterance; Twilio
// echoes a mark once the audio before it has played, which is how the call learns what the callee heard.

export type SendResult = 'ok' | 'backpressure' | 'dropped' | 'closed';

/** The media socket as the player sees it (implemented by the media session over uWS). */
export interface OutboundSink {
  sendMedia(mulaw: Uint8Array): SendResult;
  sendMark(name: string): SendResult;
  sendClear(): SendResult;
  /**
   * Runs `send` with the socket's writes coalesced into one syscall: a run's lead frames, or a frame and the mark
   * after it, leave together instead of one write each. Optional (tests' sinks need not batch).
   */
  corked?(send: () => void): void;
  /** True while the socket's send buffer is over the high-water mark; the player waits for resume(). */
  backpressured(): boolean;
}

export interface UtteranceAudio {
  readonly utteranceId: string;
  /** The text being spoken, used to report what was heard. */
  readonly text: string;
  readonly sampleRate: number;
  /** s16le mono PCM; odd-sized chunks are fine. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

export interface ClearResult {
  /** The utterance that was playing when cleared, with what the callee had heard of it. */
  readonly interrupted: { utteranceId: string; heardText: string; heardMs: number } | undefined;
  /** Queued utterances that never started. */
  readonly cancelled: readonly string[];
  /** Audio sent or synthesised that will now never play. */
  readonly droppedMs: number;
}

export interface PlayerListener {
  /** The first frame of an utterance left; `text` is what it says. */
  started?(utteranceId: string, text: string): void;
  progress?(utteranceId: string, heardText: string, heardMs: number): void;
  played?(utteranceId: string): void;
  duration?(utteranceId: string, ms: number): void;
  cleared?(result: ClearResult): void;
  error?(utteranceId: string, error: Error): void;
  /**
   * Pacing telemetry: how late a frame left relative to its slot on the 20 ms grid (ms, ≥ 0), or relative to
   * the moment its audio arrived when TTS was slower than its slot (that is the producer's delay, not jitter).
   */
  frameSent?(lateMs: number): void;
}

/** Where a recording of the call hears the agent (src/recordings/call-recording.ts). Called on the pacing path. */
export interface PlayerRecordTap {
  /** A frame left for Twilio; it plays `aheadMs` from now (the lead). */
  frame(mulaw: Uint8Array, aheadMs: number): void;
  /** Twilio was told to drop what it holds (`clear`): nothing sent before now plays after now. */
  cleared(): void;
}

export interface PlayerOptions {
  /** How far ahead of real time audio is sent (ms). Twilio then holds at most lead + one frame. */
  readonly leadMs?: number;
  readonly markEveryMs?: number;
  readonly now?: () => number;
  /**
   * Where the player waits for its next slot; default the process-wide clock (pacing-clock.ts), which runs on
   * performance.now(): a custom `now` must use the same time base.
   */
  readonly clock?: PacingClock;
}

interface QueuedUtterance {
  readonly id: string;
  readonly text: string;
  readonly frames: UlawFrames;
  /** Index in `frames` of the next frame to send. */
  next: number;
  synthDone: boolean;
  totalMs: number;
  startedSending: boolean;
  /** Wall time its first frame is due to play at Twilio. */
  playStartAt: number;
  readonly abort: AbortController;
  /** Set for DTMF keys (playKeys): kept through clear(), reported to this promise instead of the listener. */
  readonly keys?: { resolve(): void; reject(e: Error): void; dropped: number };
}

interface PendingMark {
  readonly utteranceId: string;
  readonly posMs: number;
  readonly final: boolean;
}

const MAX_LEAD_MS = 200;
const AHEAD_YIELD_FRAMES = 25;
/**
 * 160 ms: an event-loop stall shorter than this (GC, a busy neighbour process) costs no audible gap, and Twilio
 * still holds at most 180 ms, which `clear` drops at once.
 */
export const DEFAULT_LEAD_MS = 160;

export interface PlayerStats {
  framesSent: number;
  framesDropped: number;
  marksSent: number;
  clears: number;
  /** Times the schedule restarted because Twilio's queue ran dry while audio was pending (late TTS or lag). */
  restarts: number;
}

export class OutboundPlayer implements Paced {
  listener: PlayerListener = {};
  /**
   * Each agent frame (μ-law) as it leaves for Twilio: the call measures the agent's echo on the caller's line
   * against what it sent (src/call/caller-voice.ts). Called on the pacing path: it must be cheap.
   */
  frameTap: ((mulaw: Uint8Array) => void) | undefined = undefined;
  /** The call's recording, when it is recorded. */
  recordTap: PlayerRecordTap | undefined = undefined;
  #sink: OutboundSink;
  readonly #dsp: TelephonyDsp;
  readonly #leadMs: number;
  readonly #markEveryFrames: number;
  readonly #now: () => number;
  readonly #clock: PacingClock;
  readonly #queue: QueuedUtterance[] = [];
  readonly #marks = new Map<string, PendingMark>();
  #markSeq = 0;
  #runStart = 0;
  #runFrames = 0;
  /** Parked on the pacing clock until #dueAt. */
  #waiting = false;
  #dueAt = 0;
  #parkSeq = 0;
  /** True after the pump ran out of audio; the next send re-bases the lateness measurement. */
  #starved = false;
  #resumedAt = 0;
  #closed = false;
  #stats: PlayerStats = { framesSent: 0, framesDropped: 0, marksSent: 0, clears: 0, restarts: 0 };

  constructor(sink: OutboundSink, dsp: TelephonyDsp, opts: PlayerOptions = {}) {
    this.#sink = sink;
    this.#dsp = dsp;
    this.#leadMs = Math.min(MAX_LEAD_MS - FRAME_MS, Math.max(0, opts.leadMs ?? DEFAULT_LEAD_MS));
    this.#markEveryFrames = Math.max(1, Math.round((opts.markEveryMs ?? 200) / FRAME_MS));
    this.#now = opts.now ?? (() => performance.now());
    this.#clock = opts.clock ?? sharedPacingClock;
  }

  /** Pacing clock: when the next frame is due. */
  get dueAt(): number {
    return this.#dueAt;
  }

  /** Pacing clock: see Paced.parkSeq. */
  get parkSeq(): number {
    return this.#parkSeq;
  }

  /** Pacing clock: the slot came. */
  wake(): void {
    this.#waiting = false;
    this.#pump();
  }

  get stats(): Readonly<PlayerStats> {
    return this.#stats;
  }

  /** True while anything is queued, being sent, or awaiting its played-mark. */
  get busy(): boolean {
    return this.#queue.length > 0 || this.#marks.size > 0;
  }

  /** Queue an utterance; utterances play in order, synthesis of later ones overlaps playback of earlier ones. */
  enqueue(audio: UtteranceAudio): void {
    if (this.#closed) return;
    const u: QueuedUtterance = {
      id: audio.utteranceId,
      text: audio.text,
      frames: new UlawFrames(),
      next: 0,
      synthDone: false,
      totalMs: 0,
      startedSending: false,
      playStartAt: 0,
      abort: new AbortController(),
    };
    this.#queue.push(u);
    void this.#synthesize(u, audio);
  }

  /**
   * DTMF keys (μ-law 8 kHz, e.g. dsp.dtmfRender) played in order with the utterances, on the same pacing. A barge-in
   * never cuts them (clear() keeps them; see there). Resolves when Twilio echoed the mark after the last tone, i.e.
   * the keys played; rejects if the call ended first or a frame of them was dropped (a broken tone is no key).
   */
  playKeys(id: string, mulaw: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the call has ended'));
    return new Promise<void>((resolve, reject) => {
      const frames = new UlawFrames();
      frames.append(mulaw);
      frames.finish(ULAW_SILENCE);
      this.#queue.push({
        id,
        text: '',
        frames,
        next: 0,
        synthDone: true,
        totalMs: frames.count * FRAME_MS,
        startedSending: false,
        playStartAt: 0,
        abort: new AbortController(),
        keys: { resolve, reject, dropped: 0 },
      });
      this.#pump();
    });
  }

  /**
   * Barge-in: drop everything queued here and at Twilio, except keys (playKeys). Keys not yet started stay queued
   * and Twilio's queue is cleared as usual; keys already on their way are not: Twilio's `clear` would cut them, so
   * it is not sent, their marks stay, and what was sent before them (at most the lead, ≈ 160 ms) still plays.
   */
  clear(): ClearResult {
    const now = this.#now();
    let interrupted: ClearResult['interrupted'];
    const cancelled: string[] = [];
    let droppedMs = 0;
    const playedNow: string[] = [];
    const kept: QueuedUtterance[] = [];
    for (const u of this.#queue) {
      if (u.keys !== undefined) {
        kept.push(u);
        continue;
      }
      u.abort.abort();
      const finished = u.next === Number.MAX_SAFE_INTEGER;
      const synthMs = finished || u.synthDone ? u.totalMs : u.frames.count * FRAME_MS;
      if (!u.startedSending) {
        droppedMs += synthMs;
        cancelled.push(u.id);
        continue;
      }
      const sentMs = finished ? u.totalMs : u.next * FRAME_MS;
      const heardMs = Math.max(0, Math.min(sentMs, now - u.playStartAt));
      if (finished && heardMs >= u.totalMs) {
        playedNow.push(u.id); // fully played, its echo just had not arrived yet
      } else if (interrupted === undefined && heardMs > 0) {
        droppedMs += Math.max(0, synthMs - heardMs);
        interrupted = { utteranceId: u.id, heardMs, heardText: this.#heard(u, heardMs) };
      } else {
        droppedMs += synthMs;
        cancelled.push(u.id);
      }
    }
    this.#queue.length = 0;
    this.#queue.push(...kept);
    this.#stats.clears++;
    if (kept.some((u) => u.startedSending)) {
      // Keys are on the line: no Twilio clear. The marks of what was dropped here will echo; they are unknown now.
      for (const [name, m] of this.#marks) if (!kept.some((u) => u.id === m.utteranceId)) this.#marks.delete(name);
    } else {
      // Twilio echoes every pending mark after a clear; those echoes mean "cancelled", not "played".
      this.#marks.clear();
      this.#stopTimer();
      this.#runFrames = 0;
      this.#runStart = 0;
      if (!this.#closed) this.#sink.sendClear();
      this.recordTap?.cleared();
    }
    const result: ClearResult = { interrupted, cancelled, droppedMs };
    for (const id of playedNow) this.listener.played?.(id);
    this.listener.cleared?.(result);
    if (kept.length > 0) this.#pump();
    return result;
  }

  /**
   * The call moved to another media stream (a redirect: keypad/handoff.ts). Whatever was queued at Twilio went with
   * the old stream and its marks will never echo: everything is dropped as by a barge-in, keys included, and later
   * audio goes to `sink`.
   */
  rebind(sink: OutboundSink): void {
    for (const u of this.#queue) if (u.keys !== undefined) u.keys.reject(new Error('the media stream was replaced'));
    this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((u) => u.keys === undefined));
    this.#sink = sink;
    this.clear();
  }

  /** An echoed mark from Twilio. Unknown names (e.g. echoes of cleared marks) are ignored. */
  onMark(name: string): void {
    const m = this.#marks.get(name);
    if (m === undefined) return;
    this.#marks.delete(name);
    const u = this.#queue.find((q) => q.id === m.utteranceId);
    if (u?.keys !== undefined) {
      this.#queue.splice(this.#queue.indexOf(u), 1);
      if (u.keys.dropped === 0) u.keys.resolve();
      else u.keys.reject(new Error(`${u.keys.dropped} frames of the keys were dropped (send buffer full)`));
      return;
    }
    if (m.final) {
      this.listener.progress?.(m.utteranceId, u?.text ?? '', m.posMs);
      if (u !== undefined) this.#queue.splice(this.#queue.indexOf(u), 1);
      this.listener.played?.(m.utteranceId);
      return;
    }
    if (u !== undefined) this.listener.progress?.(m.utteranceId, this.#heard(u, m.posMs), m.posMs);
  }

  /** The socket drained below its high-water mark. */
  resume(): void {
    this.#pump();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const u of this.#queue) {
      u.abort.abort();
      u.keys?.reject(new Error('the call has ended'));
    }
    this.#stopTimer();
  }

  async #synthesize(u: QueuedUtterance, audio: UtteranceAudio): Promise<void> {
    let resampler: TelephonyResampler | undefined;
    let oddByte: number | undefined; // 8 kHz input split mid-sample
    const emit = (pcm: Int16Array): void => {
      if (pcm.length === 0) return;
      u.frames.append(this.#dsp.ulawEncode(pcm));
      this.#pump();
    };
    try {
      // Inside the try: an unsupported rate is this utterance's error, not an unhandled rejection.
      if (audio.sampleRate !== TWILIO_RATE) resampler = this.#dsp.createResampler(audio.sampleRate, TWILIO_RATE);
      for await (const chunk of audio.chunks) {
        if (u.abort.signal.aborted || this.#closed) return;
        if (resampler !== undefined) {
          emit(resampler.pushBytes(chunk));
        } else {
          const r = toPcm(chunk, oddByte);
          oddByte = r.odd;
          emit(r.pcm);
        }
        // TTS usually streams faster than real time, and a whole reply can arrive in one burst: once half a second
        // is synthesised ahead of playback, give the event loop back between chunks, so the pacing clock and every
        // other call's media are not held up behind this call's resampling.
        if (u.frames.count - u.next > AHEAD_YIELD_FRAMES) await new Promise<void>((r) => setImmediate(r));
      }
      if (resampler !== undefined) emit(resampler.flush());
    } catch (e) {
      if (u.abort.signal.aborted) return;
      this.listener.error?.(u.id, e instanceof Error ? e : new Error(String(e)));
      // Whatever was synthesised still plays; the utterance ends normally after it.
    }
    if (u.abort.signal.aborted || this.#closed) return;
    u.frames.finish(ULAW_SILENCE);
    u.synthDone = true;
    u.totalMs = u.frames.count * FRAME_MS;
    this.listener.duration?.(u.id, u.totalMs);
    this.#pump();
  }

  #heard(u: QueuedUtterance, posMs: number): string {
    const estimateMs = u.synthDone ? u.totalMs : Math.max(u.frames.count * FRAME_MS, u.text.length * 65);
    return heardPrefix(u.text, estimateMs === 0 ? 1 : posMs / estimateMs);
  }

  #stopTimer(): void {
    // The clock drops the stale entry at its tick.
    if (this.#waiting) this.#parkSeq++;
    this.#waiting = false;
  }

  // Sends every frame (and following marks) whose slot has come, then sleeps until the next slot.
  #pump(): void {
    if (this.#closed || this.#waiting) return;
    if (this.#sink.corked) this.#sink.corked(this.#pumpFn);
    else this.#pumpNow();
  }

  readonly #pumpFn = (): void => this.#pumpNow();

  #pumpNow(): void {
    for (;;) {
      const u = this.#queue.find((q) => q.next !== Number.MAX_SAFE_INTEGER);
      if (u === undefined) return void (this.#starved = true);
      if (u.next >= u.frames.count) {
        if (!u.synthDone) return void (this.#starved = true); // waiting for TTS; #synthesize calls us again
        if (!this.#finishUtterance(u)) return;
        continue;
      }
      if (this.#sink.backpressured()) return; // resume() on drain
      const now = this.#now();
      let due = this.#runStart + this.#runFrames * FRAME_MS - this.#leadMs;
      if (this.#runFrames === 0 || now - due > this.#leadMs) {
        // Twilio's queue has run dry (first audio, a gap between sentences, or we fell behind): new run.
        if (this.#runFrames > 0) this.#stats.restarts++;
        this.#runStart = now;
        this.#runFrames = 0;
        due = now - this.#leadMs;
      }
      if (due - now >= 0.5) {
        this.#dueAt = due;
        this.#waiting = true;
        this.#parkSeq++;
        this.#clock.park(this);
        return;
      }
      if (!u.startedSending) {
        u.startedSending = true;
        u.playStartAt = this.#runStart + this.#runFrames * FRAME_MS;
        if (u.keys === undefined) this.listener.started?.(u.id, u.text);
      }
      const frame = u.frames.take(u.next);
      u.next++;
      this.#runFrames++;
      const r = this.#sink.sendMedia(frame);
      this.frameTap?.(frame);
      if (r === 'ok' || r === 'backpressure')
        this.recordTap?.frame(frame, this.#runStart + (this.#runFrames - 1) * FRAME_MS - now);
      if (r === 'dropped') {
        if (u.keys !== undefined) u.keys.dropped++;
        this.#stats.framesDropped++;
        this.#clock.framesDropped++;
      } else this.#stats.framesSent++;
      if (this.#starved) {
        this.#starved = false;
        this.#resumedAt = now;
      }
      const late = Math.max(0, now - Math.max(due, this.#runStart, this.#resumedAt));
      this.#clock.lateness.record(late);
      this.listener.frameSent?.(late);
      if (r === 'closed') return;
      if (u.keys === undefined && u.next % this.#markEveryFrames === 0 && (u.next < u.frames.count || !u.synthDone))
        this.#mark(u, false);
    }
  }

  /** All frames of `u` sent: send its final mark. Returns false when the player must stop pumping. */
  #finishUtterance(u: QueuedUtterance): boolean {
    // Even an utterance without audio gets its mark, so `played` keeps the order of the utterances.
    this.#mark(u, true);
    // Keep it in the queue (for heard-text of progress marks) but make the pump skip it.
    u.next = Number.MAX_SAFE_INTEGER;
    u.frames.release();
    return true;
  }

  #mark(u: QueuedUtterance, final: boolean): void {
    const name = `m${++this.#markSeq}`;
    const posMs = final ? u.totalMs : u.next * FRAME_MS;
    this.#marks.set(name, { utteranceId: u.id, posMs, final });
    this.#stats.marksSent++;
    this.#sink.sendMark(name);
  }
}
