import { ULAW_SILENCE } from '../telephony/dsp-port.js';

// Twilio's outbound audio queue as the simulator models it: audio plays in arrival order on the playback clock;
// a mark is due once every byte queued before it has played; `clear` drops the queue and releases every mark.

const NO_AUDIO = new Uint8Array(0);
const NO_MARKS: string[] = [];
const SHORT_GAP_TICKS = 10; // a dry spell shorter than this (200 ms) inside speech is an audible stutter

export class PlaybackQueue {
  #segments: Uint8Array[] = [];
  #head = 0;
  #received = 0;
  #played = 0;
  #marks: { name: string; pos: number }[] = [];
  #dryTicks = -1; // -1: not speaking
  droppedBytes = 0;
  clears = 0;
  marksEchoed = 0;
  underruns = 0;

  get queuedBytes(): number {
    return this.#received - this.#played;
  }

  get empty(): boolean {
    return this.queuedBytes === 0;
  }

  get pendingMarks(): number {
    return this.#marks.length;
  }

  enqueue(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#dryTicks > 0 && this.#dryTicks <= SHORT_GAP_TICKS) this.underruns++;
    this.#dryTicks = 0;
    this.#segments.push(bytes);
    this.#received += bytes.length;
  }

  /** Returns true when the mark is due at once (nothing queued ahead of it). */
  addMark(name: string): boolean {
    if (this.empty) {
      this.marksEchoed++;
      return true;
    }
    this.#marks.push({ name, pos: this.#received });
    return false;
  }

  /**
   * Plays up to n bytes; returns the audio (silence-padded to n; empty unless `withAudio`, which only recording
   * needs), agent bytes played and marks now due.
   */
  play(n: number, withAudio = true): { audio: Uint8Array; bytes: number; marks: string[] } {
    const audio = withAudio ? new Uint8Array(n).fill(ULAW_SILENCE) : NO_AUDIO;
    let filled = 0;
    while (filled < n && this.#segments.length > 0) {
      const seg = this.#segments[0] as Uint8Array;
      const take = Math.min(n - filled, seg.length - this.#head);
      if (withAudio) audio.set(seg.subarray(this.#head, this.#head + take), filled);
      filled += take;
      this.#head += take;
      if (this.#head === seg.length) {
        this.#segments.shift();
        this.#head = 0;
      }
    }
    this.#played += filled;
    if (filled === 0 && this.#dryTicks >= 0) this.#dryTicks++;
    const due: string[] = this.#marks.length === 0 ? NO_MARKS : [];
    while (this.#marks.length > 0 && (this.#marks[0] as { pos: number }).pos <= this.#played) {
      due.push((this.#marks.shift() as { name: string }).name);
    }
    this.marksEchoed += due.length;
    return { audio, bytes: filled, marks: due };
  }

  /** Drops queued audio; returns every pending mark, to be echoed at once. */
  clear(): string[] {
    this.clears++;
    this.droppedBytes += this.queuedBytes;
    this.#segments = [];
    this.#head = 0;
    this.#received = this.#played;
    this.#dryTicks = -1;
    const names = this.#marks.map((m) => m.name);
    this.#marks = [];
    this.marksEchoed += names.length;
    return names;
  }
}
