// Reply latency with the cloud providers against the protocol fakes (modelled latencies: LLM first token
// 350 ms then 30 tokens/s, TTS first byte 200 ms): time from the LLM request to the first TTS audio byte,
// when sentences stream to TTS as they complete (ours) vs when TTS waits for the whole reply (the original
// system's policy). Same fakes, same reply, same run. `npm run bench:providers [-- --turns N] [-- --json]`.
import { startFakeStack } from '../src/fakes/index.js';
import { emptyFacts } from '../src/facts/model.js';
import { OpenAiLlm } from '../src/providers/llm/openai.js';
import type { ConversationInput } from '../src/providers/llm/types.js';
import { replyEvents } from '../src/providers/sentences.js';
import { ElevenLabsTts } from '../src/providers/tts/elevenlabs.js';

const REPLY =
  'Thanks, that is really helpful. And how much is a monthly membership at your gym? Do you also have a day pass?';

const INPUT: ConversationInput = {
  gymName: 'Bench Gym',
  direction: 'outbound',
  facts: emptyFacts(),
  missing: ['pricing'],
  asked: ['hours'],
  history: [{ speaker: 'caller', text: 'We are open six to ten every day.' }],
  reason: 'reply',
};

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function firstByte(tts: ElevenLabsTts, text: string, signal: AbortSignal): Promise<void> {
  const audio = await tts.synthesize(text, signal);
  for await (const _ of audio.chunks) break;
}

async function main(): Promise<void> {
  const turns = arg('--turns', 10);
  const json = process.argv.includes('--json');
  const stack = await startFakeStack({ profile: 'modelled', openai: { reply: () => ({ text: REPLY }) } });
  const llm = new OpenAiLlm({ apiKey: stack.env.OPENAI_API_KEY!, baseURL: stack.env.OPENAI_BASE_URL, model: 'bench' });
  const tts = new ElevenLabsTts({
    apiKey: stack.env.ELEVENLABS_API_KEY!,
    baseUrl: stack.env.ELEVENLABS_BASE_URL,
    voiceId: '21m00Tcm4TlvDq8ikWAM',
    modelId: 'eleven_turbo_v2_5',
    outputFormat: 'pcm_24000',
    stability: 0.5,
    similarityBoost: 0.75,
    speakerBoost: true,
  });
  const streaming: number[] = [];
  const whole: number[] = [];
  const llmDone: number[] = [];

  // Ours: the first sentence goes to TTS as soon as it is complete, while the LLM keeps streaming.
  async function measureStreaming(): Promise<void> {
    const ac = new AbortController();
    const t0 = performance.now();
    let first: Promise<number> | undefined;
    for await (const ev of replyEvents(llm.respond(INPUT, ac.signal))) {
      if (ev.type === 'sentence' && !first)
        first = firstByte(tts, ev.text, ac.signal).then(() => performance.now() - t0);
    }
    llmDone.push(performance.now() - t0);
    streaming.push(await (first as Promise<number>));
  }

  // The original policy: TTS of the whole reply once the LLM has finished.
  async function measureWhole(): Promise<void> {
    const ac = new AbortController();
    const t0 = performance.now();
    const parts: string[] = [];
    for await (const ev of replyEvents(llm.respond(INPUT, ac.signal))) if (ev.type === 'sentence') parts.push(ev.text);
    await firstByte(tts, parts.join(' '), ac.signal);
    whole.push(performance.now() - t0);
  }

  for (let i = 0; i < turns; i++) {
    await measureStreaming();
    await measureWhole();
  }
  await stack.close();
  const rows = [
    { impl: 'sentence-streaming', metric: 'llm-request-to-first-tts-byte-ms', p50: median(streaming), turns },
    { impl: 'whole-reply', metric: 'llm-request-to-first-tts-byte-ms', p50: median(whole), turns },
    { impl: 'fake-llm', metric: 'llm-request-to-stream-end-ms', p50: median(llmDone), turns },
  ];
  if (json) for (const r of rows) console.log(JSON.stringify(r));
  else {
    for (const r of rows)
      console.log(`${r.impl.padEnd(20)} ${r.metric.padEnd(34)} p50 ${r.p50.toFixed(1)} ms (${turns} turns)`);
    console.log(`whole-reply / sentence-streaming: ${(median(whole) / median(streaming)).toFixed(2)}x`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
