import type { CallDirection, CallEmitted } from '../../machines/events.js';
import type { HangupPort } from '../call/hangup-actor.js';
import type { AsrProvider } from '../providers/asr/types.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { KeypadPort } from '../telephony/keypad/types.js';

// One call's trace as the call session feeds it: the per-turn latency stamps the call takes anyway (the same
// moments CallQuality and the Prometheus histograms use), what the call machine emits, and the call's providers
// seen through request spans. With tracing off the session holds NO_CALL_TRACE: every method returns at once and
// the providers are used as they are, so a call pays a few empty calls per turn and nothing per audio frame.

/** What the trace's root span says of the call: no phone number, no gym name (personal data stays out). */
export interface CallInfo {
  readonly callId: string;
  readonly direction: CallDirection;
  /** The gym's row, when the call store knows it. */
  readonly gymId?: string | undefined;
}

export interface CallEnd {
  readonly reason: string;
  readonly outcome?: string | undefined;
  /** The error that ended the call (its name or code only). */
  readonly error?: Error | undefined;
}

export interface CallTrace {
  /** False when tracing is off. */
  readonly recording: boolean;
  // Stamps, each a performance.now() taken once by the call (src/call/ports.ts, asr-actor.ts).
  /** The recogniser's final with words arrived; `latencyMs` since the audio of its last word arrived, if known. */
  asrFinal(at: number, latencyMs: number | undefined): void;
  /** The caller's turn ended and a reply was asked for (or adopted): the start of end_of_turn_to_first_audio. */
  replyRequested(at: number): void;
  llmFirstChunk(at: number): void;
  synthRequested(utteranceId: string, at: number): void;
  synthResolved(utteranceId: string, at: number): void;
  /** The first media frame of an utterance was sent to Twilio. */
  firstFrame(utteranceId: string, at: number): void;
  /** What the call machine emitted (an agent turn's end closes its span). */
  emitted(e: CallEmitted): void;
  // The call's providers as its requests should see them: the same provider, each request a span.
  asr(p: AsrProvider): AsrProvider;
  llm(p: LlmProvider): LlmProvider;
  tts(p: TtsProvider): TtsProvider;
  hangup(p: HangupPort | undefined): HangupPort | undefined;
  keypad(k: KeypadPort | undefined): KeypadPort | undefined;
  /** The call is over: every span of it ends (work still running gets a short grace) and the root span closes. */
  end(end: CallEnd): void;
}

const nothing = (): void => undefined;
const same = <T>(p: T): T => p;

export const NO_CALL_TRACE: CallTrace = Object.freeze({
  recording: false,
  asrFinal: nothing,
  replyRequested: nothing,
  llmFirstChunk: nothing,
  synthRequested: nothing,
  synthResolved: nothing,
  firstFrame: nothing,
  emitted: nothing,
  asr: same,
  llm: same,
  tts: same,
  hangup: same,
  keypad: same,
  end: nothing,
});
