// What a simulated Media Streams call reports when it ends (media-client.ts): turn timing and how the agent's audio played.

export interface TurnReport {
  /** Stream time the caller's utterance finished sending. */
  readonly callerEndMs: number;
  /** Caller end of speech → first agent audio frame received; undefined if the agent never answered. */
  readonly responseMs: number | undefined;
}

export interface SimReport {
  readonly turns: readonly TurnReport[];
  /** True when every agent frame received had played (and every mark was echoed) when the call ended. */
  readonly lastUtteranceFinished: boolean;
  readonly unplayedMsAtEnd: number;
  readonly droppedByClearMs: number;
  readonly clears: number;
  readonly agentFrames: number;
  readonly marksEchoed: number;
  /** Frames the agent sent that were not valid server→Twilio messages. */
  readonly badMessages: number;
  /** Playback clock ticks with an empty queue between agent frames (audible gaps). */
  readonly underruns: number;
  /** Stream times the agent's `clear` messages arrived (each one stopped the agent's audio). */
  readonly clearsAtMs: readonly number[];
  /** Stream time stretches [from, to] in which caller audio from say() went out (what she really said). */
  readonly callerSoundMs: readonly (readonly [number, number])[];
}
