import { z } from 'zod';
import { parseJsonSetting } from '../config/json-setting.js';

// The price table of the cost per call (COST_PRICES). Prices are list prices in US dollars, per provider name as
// the providers call themselves (src/providers/*: deepgram, soundswallower, openai, offline-interviewer, elevenlabs,
// flite). A provider the table does not name costs 0 and is listed as unpriced on the call, so a missing price shows
// instead of hiding in a sum. A configured table is merged over the defaults, provider by provider.

const usd = z.number().finite().min(0).max(1000);

const tablesSchema = z
  .object({
    twilio: z.object({ perMinute: usd, streamPerMinute: usd }).strict().partial(),
    asr: z.record(z.string().min(1).max(60), z.object({ perMinute: usd }).strict()),
    llm: z.record(z.string().min(1).max(60), z.object({ inputPerMillion: usd, outputPerMillion: usd }).strict()),
    tts: z.record(z.string().min(1).max(60), z.object({ perThousandChars: usd }).strict()),
  })
  .strict()
  .partial();

export interface PriceTable {
  /** Twilio Programmable Voice per started minute, and Media Streams per minute (billed the same way). */
  readonly twilio: { readonly perMinute: number; readonly streamPerMinute: number };
  readonly asr: Readonly<Record<string, { readonly perMinute: number }>>;
  readonly llm: Readonly<Record<string, { readonly inputPerMillion: number; readonly outputPerMillion: number }>>;
  readonly tts: Readonly<Record<string, { readonly perThousandChars: number }>>;
}

/**
 * List prices at the time of writing (docs/operations.md has them with their sources): a US outbound call
 * $0.014/min plus Media Streams $0.004/min; Deepgram Nova-3 streaming $0.0077/min; gpt-4o-mini $0.15 / $0.60 per
 * million input / output tokens; ElevenLabs $0.10 and OpenAI tts-1-hd $0.03 per thousand characters; the offline
 * recogniser, interviewer and voice cost nothing.
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  twilio: { perMinute: 0.014, streamPerMinute: 0.004 },
  asr: { deepgram: { perMinute: 0.0077 }, soundswallower: { perMinute: 0 } },
  llm: {
    openai: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    'offline-interviewer': { inputPerMillion: 0, outputPerMillion: 0 },
  },
  tts: {
    elevenlabs: { perThousandChars: 0.1 },
    openai: { perThousandChars: 0.03 },
    flite: { perThousandChars: 0 },
    espeak: { perThousandChars: 0 },
  },
});

/** The table from COST_PRICES (inline JSON or a JSON file's path) over the defaults; unset = the defaults. */
export function loadPriceTable(setting: string | undefined): PriceTable {
  if (setting === undefined) return DEFAULT_PRICES;
  const t = parseJsonSetting('COST_PRICES', setting, tablesSchema, 'price table');
  return Object.freeze({
    twilio: { ...DEFAULT_PRICES.twilio, ...t.twilio },
    asr: { ...DEFAULT_PRICES.asr, ...t.asr },
    llm: { ...DEFAULT_PRICES.llm, ...t.llm },
    tts: { ...DEFAULT_PRICES.tts, ...t.tts },
  });
}

/** A provider's entry: by its full name, else by the part before ':' (flite:kal16 is flite). */
export function priceOf<T>(table: Readonly<Record<string, T>>, provider: string): T | undefined {
  if (Object.hasOwn(table, provider)) return table[provider];
  const base = provider.split(/[:@]/)[0] ?? provider;
  return Object.hasOwn(table, base) ? table[base] : undefined;
}
