// Gathers a call's inbound μ-law (20 ms Twilio frames) into the chunks a streaming recogniser is sent: one send
// per chunk instead of per frame. Chunks are `speechMs` long, or `quietMs` once the VAD has heard no voice for
// `quietAfterMs` (silence needs no low latency, and every send is a syscall and a network message); without VAD
// hints every chunk is a speech chunk. A chunk also leaves when its first audio is a chunk's duration old (audio
// that stopped arriving mid-chunk is not held back) and at the voice edge (it may hold the onset). While her voice
// pauses (`pause`, a few unvoiced frames before the VAD's hangover) every frame leaves at once: the recogniser's
// endpointing counts the silence it has received, so batching it would delay her final by up to a chunk.

const BYTES_PER_MS = 8;

export interface ChunkerOptions {
  speechMs: number;
  quietMs: number;
  quietAfterMs: number;
  /** A chunk is ready: `bytes` is the caller's to keep; `sinceMs` is when its first audio arrived. */
  onChunk(bytes: Uint8Array, sinceMs: number): void;
}

export class AudioChunker {
  readonly #buf: Uint8Array;
  readonly #speechBytes: number;
  readonly #quietBytes: number;
  readonly #o: ChunkerOptions;
  #len = 0;
  #since = 0;
  #speaking = true;
  #paused = false;
  #silentSince = 0;

  constructor(o: ChunkerOptions) {
    this.#o = o;
    this.#speechBytes = Math.max(1, Math.round(o.speechMs * BYTES_PER_MS));
    this.#quietBytes = Math.max(this.#speechBytes, Math.round(o.quietMs * BYTES_PER_MS));
    this.#buf = new Uint8Array(this.#quietBytes);
  }

  /** Copies `mulaw` in (the caller's buffer may be reused); sends every chunk that is full or old enough. */
  push(mulaw: Uint8Array, now: number): void {
    const size = this.#size(now);
    let off = 0;
    while (off < mulaw.length) {
      if (this.#len === 0) this.#since = now;
      const n = Math.min(mulaw.length - off, size - this.#len);
      this.#buf.set(n === mulaw.length ? mulaw : mulaw.subarray(off, off + n), this.#len);
      this.#len += n;
      off += n;
      if (this.#len >= size) this.flush();
    }
    if (this.#paused && this.#speaking) this.flush();
    else this.tick(now);
  }

  /** Sends the gathered chunk if its first audio is a chunk's duration old (call when audio may have stopped). */
  tick(now: number): void {
    if (this.#len > 0 && now - this.#since >= this.#size(now) / BYTES_PER_MS) this.flush();
  }

  voice(speaking: boolean, now: number): void {
    if (speaking === this.#speaking) return;
    this.#speaking = speaking;
    if (speaking) this.flush();
    else this.#silentSince = now;
  }

  /** Her voice paused (true: send what is gathered and then every frame as it comes) or went on (false). */
  pause(paused: boolean): void {
    this.#paused = paused;
    if (paused) this.flush();
  }

  /** Sends what is gathered (turn end, close, voice edge). */
  flush(): void {
    if (this.#len === 0) return;
    const bytes = this.#buf.slice(0, this.#len);
    this.#len = 0;
    this.#o.onChunk(bytes, this.#since);
  }

  #size(now: number): number {
    return !this.#speaking && now - this.#silentSince >= this.#o.quietAfterMs ? this.#quietBytes : this.#speechBytes;
  }
}
