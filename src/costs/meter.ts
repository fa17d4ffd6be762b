import type { LlmProvider, LlmUsage } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { priceOf, type PriceTable } from './prices.js';

// What one call used, counted as it happens, and its price. The session meters its own providers (watchLlm,
// watchTts wrap the process-wide ones for this call only) and the audio it hands the recogniser; at the end
// priceCall() turns the usage into dollars with the price table in force.

export interface CallUsage {
  /** From media start to the end of the call (Twilio bills each started minute). */
  readonly connectedMs: number;
  /** Caller audio streamed to the recogniser. */
  readonly asrMs: number;
  readonly llmInputTokens: number;
  readonly llmOutputTokens: number;
  /** Characters sent to speech synthesis, per provider that synthesised them (a fallback is another provider). */
  readonly ttsCharacters: Readonly<Record<string, number>>;
  readonly providers: { readonly asr: string; readonly llm: string };
}

export interface CallCost {
  readonly twilioMinutes: number;
  readonly asrSeconds: number;
  readonly llmInputTokens: number;
  readonly llmOutputTokens: number;
  readonly ttsCharacters: number;
  readonly usd: { readonly twilio: number; readonly asr: number; readonly llm: number; readonly tts: number };
  readonly totalUsd: number;
  /** The providers used (asr, llm, tts: the synthesisers in order of first use). */
  readonly providers: { readonly asr: string; readonly llm: string; readonly tts: readonly string[] };
  /** Providers used that the price table does not name: priced at 0. */
  readonly unpriced: readonly string[];
}

export class UsageMeter {
  readonly #asrName: string;
  readonly #llmName: string;
  #asrMs = 0;
  #input = 0;
  #output = 0;
  readonly #tts = new Map<string, number>();

  constructor(providers: { asr: string; llm: string }) {
    this.#asrName = providers.asr;
    this.#llmName = providers.llm;
  }

  /** Caller audio handed to the recogniser. */
  audio(ms: number): void {
    if (ms > 0) this.#asrMs += ms;
  }

  readonly llmUsage = (u: LlmUsage): void => {
    this.#input += Math.max(0, Math.trunc(u.inputTokens));
    this.#output += Math.max(0, Math.trunc(u.outputTokens));
  };

  tts(provider: string, characters: number): void {
    this.#tts.set(provider, (this.#tts.get(provider) ?? 0) + characters);
  }

  /** This call's view of the LLM: every request reports its usage here. */
  watchLlm(llm: LlmProvider): LlmProvider {
    const watched: LlmProvider = {
      name: llm.name,
      model: llm.model,
      capabilities: llm.capabilities,
      respond: (input, signal) => llm.respond({ ...input, onUsage: this.llmUsage }, signal),
    };
    if (llm.extractFacts) {
      const extract = llm.extractFacts.bind(llm);
      watched.extractFacts = (input, signal) => extract({ ...input, onUsage: this.llmUsage }, signal);
    }
    if (llm.warm) watched.warm = (signal) => llm.warm?.(signal) ?? Promise.resolve();
    return watched;
  }

  /**
   * This call's view of speech synthesis: the characters of every accepted request, by the provider that took it
   * (a line played from the phrase cache made no request).
   */
  watchTts(tts: TtsProvider): TtsProvider {
    const watched: TtsProvider = {
      name: tts.name,
      capabilities: tts.capabilities,
      synthesize: async (text, signal, options) => {
        const audio = await tts.synthesize(text, signal, options);
        if (audio.cached !== true) this.tts(audio.provider, text.length);
        return audio;
      },
    };
    if (tts.warm) watched.warm = (signal) => tts.warm?.(signal) ?? Promise.resolve();
    return watched;
  }

  usage(connectedMs: number): CallUsage {
    return {
      connectedMs: Math.max(0, connectedMs),
      asrMs: this.#asrMs,
      llmInputTokens: this.#input,
      llmOutputTokens: this.#output,
      ttsCharacters: Object.fromEntries(this.#tts),
      providers: { asr: this.#asrName, llm: this.#llmName },
    };
  }
}

/** Dollars to the micro-dollar, the precision stored (call_costs numeric(14, 6)). */
const micro = (v: number): number => Math.round(v * 1e6) / 1e6;

export function priceCall(u: CallUsage, prices: PriceTable): CallCost {
  const unpriced: string[] = [];
  const price = <T>(table: Readonly<Record<string, T>>, name: string): T | undefined => {
    const p = priceOf(table, name);
    if (p === undefined && !unpriced.includes(name)) unpriced.push(name);
    return p;
  };
  // A call that connected at all is billed its first minute; one that never did is not billed.
  const twilioMinutes = u.connectedMs > 0 ? Math.ceil(u.connectedMs / 60_000) : 0;
  const asrSeconds = Math.round(u.asrMs) / 1000;
  const asrPrice = price(prices.asr, u.providers.asr);
  const llmPrice = price(prices.llm, u.providers.llm);
  let ttsUsd = 0;
  let ttsCharacters = 0;
  for (const [provider, chars] of Object.entries(u.ttsCharacters)) {
    ttsCharacters += chars;
    ttsUsd += ((price(prices.tts, provider)?.perThousandChars ?? 0) * chars) / 1000;
  }
  const usd = {
    twilio: micro(twilioMinutes * (prices.twilio.perMinute + prices.twilio.streamPerMinute)),
    asr: micro(((asrPrice?.perMinute ?? 0) * asrSeconds) / 60),
    llm: micro(
      ((llmPrice?.inputPerMillion ?? 0) * u.llmInputTokens + (llmPrice?.outputPerMillion ?? 0) * u.llmOutputTokens) /
        1e6,
    ),
    tts: micro(ttsUsd),
  };
  return {
    twilioMinutes,
    asrSeconds,
    llmInputTokens: u.llmInputTokens,
    llmOutputTokens: u.llmOutputTokens,
    ttsCharacters,
    usd,
    totalUsd: micro(usd.twilio + usd.asr + usd.llm + usd.tts),
    providers: { ...u.providers, tts: Object.keys(u.ttsCharacters) },
    unpriced,
  };
}
