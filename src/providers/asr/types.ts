import type { Topic } from '../../facts/model.js';
import type { MetricSink } from '../metrics.js';
import type { Language } from '../../language/index.js';

// Speech recognition, streaming. Input is always Twilio's μ-law 8 kHz as received; providers that want
// something else convert inside (with the DSP addon), so callers never care.

export interface AsrCapabilities {
  readonly interimResults: boolean;
  readonly utteranceEnd: boolean;
  readonly vadEvents: boolean;
  readonly finalize: boolean;
  /** True when the recogniser accepts a dialogue hint (the offline grammar recogniser needs one). */
  readonly contextHints: boolean;
  /**
   * True when a final's confidence is the recogniser's own measure. The offline recogniser has none (its
   * alignment score is 1 for every utterance), so views do not show it.
   */
  readonly confidence: boolean;
}

export type AsrStreamEvent =
  | { type: 'speech-started'; atMs: number }
  | {
      type: 'partial';
      text: string;
      confidence: number;
      /** Stream time of the end of the audio these words were heard in, when the recogniser says. */
      endMs?: number;
    }
  | {
      type: 'final';
      text: string;
      confidence: number;
      speechFinal: boolean;
      startMs: number;
      endMs: number;
      /** Arrival of the audio holding the last word → this final (per-turn metric), when the provider knows it. */
      latencyMs?: number;
      /** The language the words are in, when the recogniser says (it was asked to listen for several). */
      language?: Language | undefined;
      /** This final answers a finalize(): the audio pushed before it has had its finals (words or none). */
      flushed?: boolean;
    }
  | { type: 'utterance-end'; lastWordEndMs: number | undefined }
  | { type: 'error'; error: Error; fatal: boolean };

/**
 * What the agent just asked about, so a grammar-based recogniser can pick its grammar; `desk`: a front-desk
 * caller's questions and message (src/frontdesk/caller-words.ts).
 */
export type AsrContext = Topic | 'yes-no' | 'open' | 'desk';

export interface AsrStream {
  push(mulaw: Uint8Array): void;
  /** Flush: emit finals for everything heard so far (turn end). */
  finalize(): void;
  setContext?(ctx: AsrContext): void;
  /**
   * Voice activity from the call's VAD (false at the start of a call, then each edge). A hint only: a provider
   * may send silence in larger batches (fewer messages) and must flush at once when voice starts.
   */
  voiceActivity?(speaking: boolean): void;
  /**
   * Her voice paused (a few unvoiced frames, before the VAD's silence edge) or went on. A hint only: a provider
   * that batches audio sends the pause's frames at once, so the recogniser's own endpointing is not delayed.
   */
  voicePause?(paused: boolean): void;
  /**
   * Words are wanted soon: a voice stands over the agent and only the recogniser's words can say whether it is an
   * interruption. A recogniser that paces its interim results itself sends them more often for a while; one whose
   * service paces them (Deepgram) ignores it.
   */
  hurry?(): void;
  close(): Promise<void>;
}

export interface AsrOpenOptions {
  onEvent(e: AsrStreamEvent): void;
  signal?: AbortSignal;
  /** This stream's own view of its metrics (a call's trace): reconnects, failed connects (../metrics.ts). */
  onMetric?: MetricSink | undefined;
  /** The call's language; none: English. */
  language?: Language | undefined;
  /**
   * Also listen for these languages and say which one each final is in (AsrStreamEvent final `language`): the
   * call may switch once (machines/language.region.ts). A recogniser that cannot ignores it.
   */
  alsoListenFor?: readonly Language[] | undefined;
}

export interface AsrProvider {
  readonly name: string;
  /** The languages it recognises (src/language/); undefined: English only. */
  readonly languages?: readonly Language[] | undefined;
  /** The recogniser's model, when it has a name (Deepgram's nova-3). */
  readonly model?: string | undefined;
  readonly capabilities: AsrCapabilities;
  open(opts: AsrOpenOptions): Promise<AsrStream>;
}
