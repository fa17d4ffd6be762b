import { FRAME_BYTES } from './dsp-port.js';

// One utterance's μ-law audio, cut into 20 ms frames without a buffer per frame. The player used to keep every
// frame as its own 160-byte copy (an ArrayBuffer, its off-heap store and a typed array each); a reply
// synthesised seconds ahead of playback then held thousands of them per second of load, each surviving young-
// generation collections until sent. Here the audio lives in one-second blocks and a frame is a view made when
// it is sent; a block is let go once every frame in it has been handed out.

const FRAMES_PER_BLOCK = 50;
const BLOCK_BYTES = FRAMES_PER_BLOCK * FRAME_BYTES;

export class UlawFrames {
  readonly #blocks: (Buffer | undefined)[] = [];
  /** Bytes written. */
  #bytes = 0;
  /** Whole frames (the trailing partial one counts once `finish` has padded it). */
  #count = 0;

  /** Frames ready to send. */
  get count(): number {
    return this.#count;
  }

  /** Copies `mulaw` in (the caller's buffer may be reused). */
  append(mulaw: Uint8Array): void {
    let off = 0;
    while (off < mulaw.length) {
      const b = Math.floor(this.#bytes / BLOCK_BYTES);
      const at = this.#bytes - b * BLOCK_BYTES;
      const block = this.#blocks[b] ?? (this.#blocks[b] = Buffer.allocUnsafe(BLOCK_BYTES));
      const n = Math.min(mulaw.length - off, BLOCK_BYTES - at);
      block.set(n === mulaw.length ? mulaw : mulaw.subarray(off, off + n), at);
      off += n;
      this.#bytes += n;
    }
    this.#count = Math.floor(this.#bytes / FRAME_BYTES);
  }

  /** End of audio: a trailing partial frame is completed with `fill` (silence) and becomes the last frame. */
  finish(fill: number): void {
    const rest = this.#bytes % FRAME_BYTES;
    if (rest === 0) return;
    const pad = new Uint8Array(FRAME_BYTES - rest).fill(fill);
    this.append(pad);
  }

  /**
   * Frame `i` (< count) as a view of its block. Frames are taken in order: taking the last frame of a block lets
   * the block go (the view keeps it alive only as long as the send needs it).
   */
  take(i: number): Buffer {
    const b = Math.floor(i / FRAMES_PER_BLOCK);
    const k = i - b * FRAMES_PER_BLOCK;
    const block = this.#blocks[b];
    if (block === undefined) throw new RangeError(`frame ${i} was already taken or never written`);
    if (k === FRAMES_PER_BLOCK - 1) this.#blocks[b] = undefined;
    return block.subarray(k * FRAME_BYTES, (k + 1) * FRAME_BYTES);
  }

  /** Drops all audio (the utterance finished or was cleared). */
  release(): void {
    this.#blocks.length = 0;
  }
}
