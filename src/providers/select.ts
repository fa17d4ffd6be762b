import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Dsp } from '../dsp/types.js';
import { OfflineAsr } from './asr/offline.js';
import { assertMoonshineFiles } from './asr/moonshine.js';
import type { AsrProvider } from './asr/types.js';
import { OfflineInterviewer } from './llm/offline.js';
import type { LlmProvider } from './llm/types.js';
import type { MetricSink } from './metrics.js';
import { FallbackTts } from './tts/fallback.js';
import { CachedTts, PhraseCache } from './tts/phrase-cache.js';
import { EspeakTts } from './tts/espeak.js';
import { FliteTts } from './tts/flite.js';
import type { TtsProvider } from './tts/types.js';

// The providers that do each job, built from configuration (the choice itself: choice.ts). A cloud
// provider's module (and its SDK) is loaded only when it is chosen: the three SDKs cost an offline server about
// 3 s of CPU to import (2.9 of 3.8 s for this file; ElevenLabs' alone 2.1), for code it never runs.

import { chooseProviders, type ProviderChoice, type TtsName } from './choice.js';

export { chooseProviders, TTS_NAMES, type ProviderChoice, type TtsName } from './choice.js';

export interface SelectedProviders {
  choice: ProviderChoice;
  asr: AsrProvider;
  llm: LlmProvider;
  /** Failover adapter over the configured TTS list (also for a single provider: deadline + breaker). */
  tts: FallbackTts;
}

export interface SelectDeps {
  dsp: Dsp;
  log: Logger;
  onMetric?: MetricSink;
  /** The server's wall clock (a campaign demo's simulated one): what a callback's "after two" is read against. */
  now?: (() => Date) | undefined;
}

async function buildTts(name: TtsName, cfg: Config, deps: SelectDeps): Promise<TtsProvider> {
  switch (name) {
    case 'elevenlabs': {
      const { ElevenLabsTts } = await import('./tts/elevenlabs.js');
      return new ElevenLabsTts({
        apiKey: cfg.ELEVENLABS_API_KEY ?? '',
        baseUrl: cfg.ELEVENLABS_BASE_URL,
        voiceId: cfg.ELEVENLABS_VOICE_ID,
        modelId: cfg.ELEVENLABS_MODEL,
        outputFormat: cfg.ELEVENLABS_OUTPUT_FORMAT,
        stability: cfg.ELEVENLABS_STABILITY,
        similarityBoost: cfg.ELEVENLABS_SIMILARITY,
        speakerBoost: cfg.ELEVENLABS_SPEAKER_BOOST,
        onMetric: deps.onMetric,
      });
    }
    case 'openai': {
      const { OpenAiTts } = await import('./tts/openai-tts.js');
      return new OpenAiTts({
        apiKey: cfg.OPENAI_API_KEY ?? '',
        baseURL: cfg.OPENAI_BASE_URL,
        model: cfg.OPENAI_TTS_MODEL,
        voice: cfg.OPENAI_TTS_VOICE,
        onMetric: deps.onMetric,
      });
    }
    case 'flite':
      return new FliteTts({ voice: cfg.FLITE_VOICE });
    case 'espeak':
      // Its 24 MB of voice data is read by its worker at the first sentence it speaks, not here.
      return new EspeakTts({ variant: cfg.ESPEAK_VARIANT });
  }
}

async function buildAsr(choice: ProviderChoice['asr'], cfg: Config, deps: SelectDeps): Promise<AsrProvider> {
  if (choice === 'offline') {
    const asr = { moonshine: cfg.ASR_OFFLINE_MOONSHINE };
    // A missing model stops start-up, not the first noisy call.
    if (asr.moonshine !== 'never') assertMoonshineFiles();
    if (cfg.ASR_OFFLINE_THREADS === 0) return new OfflineAsr({ dsp: deps.dsp, ...asr });
    const { OfflineAsrWorkers } = await import('./asr/offline-workers.js');
    return new OfflineAsrWorkers({
      threads: cfg.ASR_OFFLINE_THREADS === 'auto' ? undefined : cfg.ASR_OFFLINE_THREADS,
      dsp: { path: cfg.DSP_ADDON_PATH, forceScalar: cfg.DSP_FORCE_SCALAR },
      asr,
    });
  }
  const { DeepgramAsr } = await import('./asr/deepgram.js');
  return new DeepgramAsr({
    apiKey: cfg.DEEPGRAM_API_KEY ?? '',
    baseUrl: cfg.DEEPGRAM_BASE_URL,
    model: cfg.DEEPGRAM_MODEL,
    endpointingMs: cfg.DEEPGRAM_ENDPOINTING_MS,
    log: deps.log,
    onMetric: deps.onMetric,
  });
}

async function buildLlm(choice: ProviderChoice['llm'], cfg: Config, deps: SelectDeps): Promise<LlmProvider> {
  if (choice === 'offline') return new OfflineInterviewer({ now: deps.now });
  const { OpenAiLlm } = await import('./llm/openai.js');
  return new OpenAiLlm({
    apiKey: cfg.OPENAI_API_KEY ?? '',
    baseURL: cfg.OPENAI_BASE_URL,
    model: cfg.OPENAI_MODEL,
    // A callback's "after two" is read in the gym's zone; this one when the call does not name its own.
    timeZone: cfg.CALL_DEFAULT_TIMEZONE,
    ...(deps.now ? { now: deps.now } : {}),
    onMetric: deps.onMetric,
  });
}

/** Build the providers once at start-up and log the choice (names only: no keys, no URLs with secrets). */
export async function selectProviders(cfg: Config, deps: SelectDeps): Promise<SelectedProviders> {
  const choice = chooseProviders(cfg);
  const asr = await buildAsr(choice.asr, cfg, deps);
  const llm = await buildLlm(choice.llm, cfg, deps);
  const built = await Promise.all(choice.tts.map((n) => buildTts(n, cfg, deps)));
  const phrases = new PhraseCache({ maxBytes: cfg.TTS_CACHE_MB * 1024 * 1024 });
  const tts = new FallbackTts({
    providers: cfg.TTS_CACHE_MB === 0 ? built : built.map((p) => new CachedTts(p, phrases, deps.onMetric)),
    firstByteTimeoutMs: cfg.TTS_FIRST_BYTE_TIMEOUT_MS,
    createResampler: (from, to) => deps.dsp.createResampler(from, to),
    log: deps.log,
    onMetric: deps.onMetric,
  });
  deps.log.info(
    {
      asr: asr.name,
      llm: llm.name,
      tts: tts.name,
      baseUrls: {
        deepgram: cfg.DEEPGRAM_BASE_URL !== undefined,
        openai: cfg.OPENAI_BASE_URL !== undefined,
        elevenlabs: cfg.ELEVENLABS_BASE_URL !== undefined,
      },
    },
    'providers selected',
  );
  return { choice, asr, llm, tts };
}

/**
 * Open the cloud providers' connections ahead of the first call (for start-up; the speaker actor warms TTS
 * again when a call starts, skipped while a connection is fresh). Failures are logged, never thrown: the first
 * real request opens its own connection and has the full error handling.
 */
export async function warmProviders(p: Pick<SelectedProviders, 'llm' | 'tts'>, log: Logger): Promise<void> {
  const tasks = [
    { name: p.llm.name, run: p.llm.warm?.bind(p.llm) },
    { name: p.tts.name, run: p.tts.warm.bind(p.tts) },
  ];
  await Promise.all(
    tasks.map(async (t) => {
      try {
        await t.run?.();
      } catch (e) {
        log.warn({ provider: t.name, err: (e as Error).message }, 'provider warm-up failed');
      }
    }),
  );
}
