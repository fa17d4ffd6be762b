import { SILENT_DBFS } from '../audio/ulaw-level.js';

// A live call's line as an observer may use it beyond its events (the live monitor, src/monitor/): how loud each leg
// is, every μ-law frame of both legs for someone listening in, and hanging the call up. The session hands every frame
// of both legs here with the level it measured anyway (the barge-in evidence measures both legs): a frame costs one
// comparison and a check for a listener, which is undefined unless somebody listens, so a call nobody listens to pays
// nothing more. A listener runs on the media path: it must copy what it keeps and return at once; one that throws is
// detached and the call goes on.

/** Which side of the call a frame is: the gym's audio as it arrives, or the agent's as it leaves for the line. */
export type Leg = 'caller' | 'agent';
/** `mulaw` is only valid during the call (the transport reuses its buffer): copy it to keep it. */
export type FrameListener = (leg: Leg, mulaw: Uint8Array) => void;

export interface LegLevels {
  /** The loudest frame of each leg since the last read, in dBFS (SILENT_DBFS when no frame came). */
  readonly caller: number;
  readonly agent: number;
}

export class CallLine {
  readonly #hangUp: () => void;
  #callerPeak = SILENT_DBFS;
  #agentPeak = SILENT_DBFS;
  #listener: FrameListener | undefined;
  #live = true;

  /** `hangUp` asks the call to end (the session sends OPERATOR.HANGUP to its machine). */
  constructor(hangUp: () => void) {
    this.#hangUp = hangUp;
  }

  get live(): boolean {
    return this.#live;
  }

  /** A frame of the gym's audio, with its level. */
  callerFrame(mulaw: Uint8Array, levelDb: number): void {
    if (levelDb > this.#callerPeak) this.#callerPeak = levelDb;
    if (this.#listener !== undefined) this.#hear('caller', mulaw);
  }

  /** A frame of the agent's audio as it leaves for the line, with its level. */
  agentFrame(mulaw: Uint8Array, levelDb: number): void {
    if (levelDb > this.#agentPeak) this.#agentPeak = levelDb;
    if (this.#listener !== undefined) this.#hear('agent', mulaw);
  }

  /** The loudest frame of each leg since the last call of this, and starts the next window. */
  takeLevels(): LegLevels {
    const levels = { caller: this.#callerPeak, agent: this.#agentPeak };
    this.#callerPeak = SILENT_DBFS;
    this.#agentPeak = SILENT_DBFS;
    return levels;
  }

  /**
   * Every frame of both legs goes to `listener` until the returned function is called or the call ends. One
   * listener at a time (whoever fans out to several people is one listener); a second replaces the first.
   */
  listen(listener: FrameListener): () => void {
    if (!this.#live) return () => undefined;
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }

  /** Asks the call to hang up now; false when it has already ended. */
  hangUp(): boolean {
    if (!this.#live) return false;
    this.#hangUp();
    return true;
  }

  /** The call ended: nobody listens any more and hanging up does nothing. */
  end(): void {
    this.#live = false;
    this.#listener = undefined;
  }

  #hear(leg: Leg, mulaw: Uint8Array): void {
    try {
      this.#listener?.(leg, mulaw);
    } catch {
      // The listener's own failure (a socket that went away under it) is its business: it is dropped, not the call.
      this.#listener = undefined;
    }
  }
}
