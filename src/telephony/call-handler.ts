import type { AnsweredBy } from '../../machines/events.js';
import type { VadEdge } from '../audio/vad.js';
import type { Logger } from '../log.js';
import type { KeypadPort } from './keypad/types.js';
import type { OutboundPlayer } from './outbound-player.js';
import type { HeardTone } from './tone-listener.js';

export type { HeardTone } from './tone-listener.js';

// The per-call link between the media transport (this folder) and whatever runs the conversation. The server
// creates one CallHandler per Media Streams connection, after Twilio's `start` message, through the factory it
// was given. Production: the call session (src/call/session.ts) drives the XState call machine; tests use
// scripted handlers. Everything here is synchronous and cheap: handlers must not block the socket's thread.

export interface StartInfo {
  readonly callSid: string;
  readonly streamSid: string;
  readonly accountSid: string;
  readonly tracks: readonly string[];
  /** The <Parameter>s of our TwiML (callId, direction, ...). */
  readonly customParameters: Readonly<Record<string, string>>;
  /** Wall-clock time (epoch ms) the start message arrived; stream time 0 is about then. */
  readonly startedAt: number;
}

/**
 * One inbound media message. Its buffers are only valid during the onAudio call (the transport decodes every
 * message into the same memory): copy what you keep.
 */
export interface InboundAudio {
  /** μ-law 8 kHz exactly as Twilio sent it: give this to the recogniser. */
  readonly mulaw: Uint8Array;
  /** The same audio decoded to 16-bit PCM by the DSP addon: for VAD and recording. */
  readonly pcm: Int16Array;
  /** Stream time of the first sample (Twilio's media.timestamp, ms since the stream started). */
  readonly atMs: number;
  readonly durationMs: number;
}

/** The VAD's edges (src/audio/vad.ts), on this stream's clock. */
export type { VadEdge };

/**
 * One 20 ms frame as the detector heard it: stream time of its start, speech probability 0..1, and the raw
 * decision (probability above 0.5; before the hysteresis that makes edges).
 */
export type VadFrameListener = (atMs: number, probability: number, speech: boolean) => void;

/**
 * Adapter over the VAD (src/audio/vad.ts): fed 8 kHz PCM in stream order, returns the edges it found and, with
 * `onFrame`, tells it every frame it classified (before returning).
 */
export interface VadPort {
  push(pcm: Int16Array, atMs: number, onFrame?: VadFrameListener): readonly VadEdge[];
  /** The stream ended: frees what the detector holds (fvad's state lives in a WASM heap shared by every call). */
  close(): void;
}

export type StreamEndReason = 'stop' | 'socket-closed';

export interface CallTransport {
  readonly start: StartInfo;
  /** Plays agent audio (paced, marked) and clears it on barge-in. */
  readonly player: OutboundPlayer;
  /** Presses keys on the call (keypad/); undefined when this stream cannot (no DTMF renderer, no REST). */
  readonly keypad?: KeypadPort | undefined;
  /** Stream time now (ms since start), on the same clock as InboundAudio.atMs and VadEdge.atMs. */
  nowMs(): number;
  /** Closes the media WebSocket from our side. Ending the phone call itself is TwilioRest.hangUp. */
  close(reason: string): void;
  /** Child logger bound to this call (callSid, streamSid): no personal data. */
  readonly log: Logger;
}

export interface CallHandler {
  onAudio(audio: InboundAudio): void;
  onVad(edge: VadEdge): void;
  /** Every frame's speech probability (VadFrameListener), before the frame's edges reach onVad. Optional. */
  onVadFrame?(atMs: number, probability: number, speech: boolean): void;
  onDtmf(digit: string, atMs: number): void;
  /** A tone heard in the inbound audio (a voicemail beep), when it ended. Optional. */
  onTone?(tone: HeardTone): void;
  /** Twilio's answering-machine verdict for this call (AMD=async, amd.ts), at most once. Optional. */
  onAmd?(answeredBy: AnsweredBy): void;
  /** The stream stopped for a keypad redirect and the call waits for the next one: no frames until then. Optional. */
  onLinePaused?(): void;
  /** Called exactly once; after it the transport is dead. */
  onEnd(reason: StreamEndReason): void;
  /**
   * Settles once the call has finished after onEnd: a hang-up's drain of the recogniser, the wrap-up and the end's
   * record. The call keeps its slot until then, so a shutdown waits for it. Without it the slot goes at onEnd.
   */
  readonly finished?: Promise<void>;
}

export type CallHandlerFactory = (start: StartInfo, transport: CallTransport) => CallHandler;
