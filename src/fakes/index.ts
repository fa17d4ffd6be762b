import { FakeDeepgram, type FakeDeepgramOptions } from './deepgram.js';
import { FakeElevenLabs, type FakeElevenLabsOptions } from './elevenlabs.js';
import { FakeOpenAi, type FakeOpenAiOptions } from './openai.js';

// All three cloud fakes at once, with the two latency profiles of the benchmark issue, and the environment
// that points the app at them (keys + base URLs). Used by the latency benchmark, the demo and tests.

export { FakeDeepgram, FakeElevenLabs, FakeOpenAi };
export { encodeCodedSpeech, silenceMulaw, synthSpeech } from './audio.js';
export type { TtsFault } from './tts-stream.js';

export type LatencyProfile = 'instant' | 'modelled';

/** "modelled": ASR final 150 ms after speech end, LLM first token 350 ms then 30 tokens/s, TTS first byte 200 ms. */
export const PROFILES: Record<
  LatencyProfile,
  { asrFinalDelayMs: number; llmFirstTokenMs: number; llmTokensPerSec: number; ttsFirstByteMs: number }
> = {
  instant: { asrFinalDelayMs: 0, llmFirstTokenMs: 0, llmTokensPerSec: 0, ttsFirstByteMs: 0 },
  modelled: { asrFinalDelayMs: 150, llmFirstTokenMs: 350, llmTokensPerSec: 30, ttsFirstByteMs: 200 },
};

export interface FakeStackOptions {
  profile?: LatencyProfile;
  deepgram?: FakeDeepgramOptions;
  openai?: FakeOpenAiOptions;
  elevenlabs?: FakeElevenLabsOptions;
}

export interface FakeUrls {
  deepgram: string;
  openai: string;
  eleven: string;
}

/** The environment that points the app's real SDKs at the fakes (keys + base URLs). */
export function fakeProviderEnv(
  urls: FakeUrls,
  keys: { deepgram: string; openai: string; elevenlabs: string } = {
    deepgram: 'bench',
    openai: 'bench',
    elevenlabs: 'bench',
  },
): Record<string, string> {
  return {
    DEEPGRAM_API_KEY: keys.deepgram,
    DEEPGRAM_BASE_URL: urls.deepgram,
    OPENAI_API_KEY: keys.openai,
    OPENAI_BASE_URL: urls.openai,
    ELEVENLABS_API_KEY: keys.elevenlabs,
    ELEVENLABS_BASE_URL: urls.eleven,
  };
}

export interface FakeStack {
  deepgram: FakeDeepgram;
  openai: FakeOpenAi;
  elevenlabs: FakeElevenLabs;
  /** Environment for loadConfig(): keys and base URLs of the fakes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeStack(opts: FakeStackOptions = {}): Promise<FakeStack> {
  const p = PROFILES[opts.profile ?? 'instant'];
  const keys = { deepgram: 'fake-deepgram-key', openai: 'fake-openai-key', elevenlabs: 'fake-elevenlabs-key' };
  const deepgram = await new FakeDeepgram({
    apiKey: keys.deepgram,
    finalDelayMs: p.asrFinalDelayMs,
    ...opts.deepgram,
  }).start();
  const openai = await new FakeOpenAi({
    apiKey: keys.openai,
    chat: { firstTokenMs: p.llmFirstTokenMs, tokensPerSec: p.llmTokensPerSec },
    speech: { firstByteMs: p.ttsFirstByteMs },
    ...opts.openai,
  }).start();
  const elevenlabs = await new FakeElevenLabs({
    apiKey: keys.elevenlabs,
    timing: { firstByteMs: p.ttsFirstByteMs },
    ...opts.elevenlabs,
  }).start();
  return {
    deepgram,
    openai,
    elevenlabs,
    env: fakeProviderEnv({ deepgram: deepgram.url, openai: openai.url, eleven: elevenlabs.url }, keys),
    close: async () => {
      await Promise.all([deepgram.close(), openai.close(), elevenlabs.close()]);
    },
  };
}
