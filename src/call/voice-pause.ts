// Where her voice pauses inside speech: `pauseMs` of unvoiced VAD frames while the VAD still holds the caller
// speaking (its silence edge comes only after a 200 ms hangover). Long enough to pass over the gaps between
// words, far shorter than the hangover: the earliest moment worth acting on her words (an early reply on the
// interim transcript, the recogniser's audio sent at once). Its first voiced frame ends the pause.

export class VoicePause {
  readonly #pauseMs: number;
  readonly #onPause: (paused: boolean) => void;
  #speaking = false;
  #quietMs = 0;
  #paused = false;

  /** `pauseMs` 0: never reports a pause. */
  constructor(pauseMs: number, onPause: (paused: boolean) => void) {
    this.#pauseMs = pauseMs;
    this.#onPause = onPause;
  }

  /** One VAD frame of `frameMs`: its own speech decision, before the hysteresis. */
  frame(speech: boolean, frameMs: number): void {
    if (this.#pauseMs <= 0) return;
    if (speech) {
      this.#quietMs = 0;
      this.#set(false);
      return;
    }
    this.#quietMs += frameMs;
    if (this.#speaking && this.#quietMs >= this.#pauseMs) this.#set(true);
  }

  /** The VAD's edges: a pause exists only inside speech; the silence edge ends it (the turn region takes over). */
  edge(speaking: boolean): void {
    this.#speaking = speaking;
    if (!speaking) this.#set(false);
  }

  #set(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.#onPause(paused);
  }
}
