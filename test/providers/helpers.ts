// Small helpers shared by the provider tests.

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** ElevenLabsTts options the provider tests share (key and URL come from each test's fake). */
export const ELEVEN_OPTIONS = {
  voiceId: '21m00Tcm4TlvDq8ikWAM',
  modelId: 'eleven_turbo_v2_5',
  outputFormat: 'pcm_24000',
  stability: 0.5,
  similarityBoost: 0.75,
  speakerBoost: true,
  headersTimeoutMs: 2000,
} as const;
