import type { FliteVoice } from './flite.js';
import type { MetricSink } from '../metrics.js';

// Text to speech, streaming PCM (signed 16-bit little-endian mono) at a declared rate. The outbound
// pipeline resamples whatever rate arrives to 8 kHz μ-law with the DSP addon.

export interface TtsCapabilities {
  readonly sampleRate: number;
  readonly streaming: boolean;
}

export interface TtsAudio {
  readonly sampleRate: number;
  /** Raw s16le PCM bytes; chunk boundaries may split a sample (odd byte counts are fine downstream). */
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly provider: string;
  /** The model or voice that speaks it (ElevenLabs model, OpenAI TTS model, flite voice), when the provider says. */
  readonly model?: string | undefined;
  /** Played from the phrase cache (phrase-cache.ts): no request was made, no characters billed. */
  readonly cached?: boolean | undefined;
}

/** An ElevenLabs voice (premade or cloned) with what a brand sets of it; unset parts are the configured ones. */
export interface ElevenLabsVoice {
  readonly voiceId: string;
  /** The model (ELEVENLABS_MODEL otherwise); it still follows the call's language. */
  readonly model?: string | undefined;
  /** 0..1 (ELEVENLABS_STABILITY otherwise). */
  readonly stability?: number | undefined;
  /** 0..1, ElevenLabs' similarity_boost (ELEVENLABS_SIMILARITY otherwise). */
  readonly similarity?: number | undefined;
}

/**
 * The voice one call speaks with (a gym's or campaign's brand voice, else a flow variant's; src/voices/): each
 * provider takes its own entry and speaks its configured voice without one, so a failover keeps the call's voice
 * where the next provider has one named.
 */
export interface VoiceChoice {
  readonly elevenlabs?: ElevenLabsVoice | undefined;
  /** An OpenAI speech voice (alloy, coral, ...). */
  readonly openai?: string | undefined;
  readonly flite?: FliteVoice | undefined;
  /** An espeak-ng voice variant (m3, f1, klatt, …): the offline voice of the languages flite does not speak. */
  readonly espeak?: string | undefined;
}

export interface SynthesisOptions {
  readonly voice?: VoiceChoice | undefined;
  /**
   * The language of the text, a BCP-47 tag ("en-US", "es-MX"; the call's language). undefined: the provider's
   * default (English). Only a provider that speaks it is asked (TtsProvider.speaks).
   */
  readonly language?: string | undefined;
  /** This request's own view of its metrics (a call's trace): first byte, failures, fail-overs (../metrics.ts). */
  readonly onMetric?: MetricSink | undefined;
}

export interface TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  /** Resolves once the provider accepted the request and audio is about to flow (status and type checked). */
  synthesize(text: string, signal: AbortSignal, options?: SynthesisOptions): Promise<TtsAudio>;
  /** Whether it can speak a language (BCP-47 tag); absent: every language the call path uses (the cloud voices). */
  speaks?(language: string): boolean;
  /** Optional: open the network connection ahead of the first request (start-up, call start). May reject. */
  warm?(signal?: AbortSignal): Promise<void>;
}
