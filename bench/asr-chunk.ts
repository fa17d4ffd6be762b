import { encodeCodedSpeech } from '../src/fakes/audio.js';
import { FakeDeepgram } from '../src/fakes/deepgram.js';
import { DeepgramAsr } from '../src/providers/asr/deepgram.js';

// What sending Deepgram 100 ms chunks instead of every 20 ms frame costs in latency. Real-time 20 ms frames go
// into DeepgramAsr (chunkMs 20 and 100) against the Deepgram fake (no added delay), 8 utterances each:
//  - endpoint: end of the last speech frame → final with speech_final (Deepgram's own 300 ms endpointing);
//  - finalize: our end of turn (the call machine sends Finalize on the VAD's silence edge) → final.
//
//   npm run build && node dist/bench/asr-chunk.js

const VOCAB = ['we', 'open', 'at', 'six', 'am'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(chunkMs: number, mode: 'endpoint' | 'finalize'): Promise<number[]> {
  const fake = await new FakeDeepgram({ vocabulary: VOCAB }).start();
  const finals: number[] = [];
  const asr = new DeepgramAsr({ apiKey: 'k', baseUrl: fake.url, model: 'nova-3', endpointingMs: 300, chunkMs });
  const s = await asr.open({ onEvent: (e) => void (e.type === 'final' && finals.push(performance.now())) });
  const trailingMs = mode === 'endpoint' ? 1000 : 200;
  const out: number[] = [];
  for (let u = 0; u < 8; u++) {
    const audio = encodeCodedSpeech(VOCAB, 'we open at six am', { trailingSilenceMs: trailingMs });
    const speechEnd = audio.length - trailingMs * 8;
    const t0 = performance.now();
    let endAt = 0;
    const before = finals.length;
    for (let off = 0, k = 0; off < audio.length; off += 160, k++) {
      const wait = t0 + k * 20 - performance.now();
      if (wait > 0) await sleep(wait);
      s.push(audio.subarray(off, off + 160));
      if (endAt === 0 && off + 160 >= speechEnd) endAt = performance.now();
    }
    const from = mode === 'finalize' ? performance.now() : endAt;
    if (mode === 'finalize') s.finalize();
    const waitFrom = performance.now();
    while (finals.length === before && performance.now() - waitFrom < 3000) await sleep(1);
    out.push((finals[before] ?? NaN) - from);
    await sleep(300);
  }
  await s.close();
  await fake.close();
  return out.sort((a, b) => a - b);
}

for (const mode of ['endpoint', 'finalize'] as const) {
  for (const chunkMs of [20, 100]) {
    const r = await run(chunkMs, mode);
    const median = r[r.length >> 1] as number;
    process.stdout.write(
      `${mode.padEnd(9)} chunkMs ${String(chunkMs).padStart(3)}: median ${median.toFixed(1)} ms ` +
        `(all: ${r.map((x) => x.toFixed(0)).join(' ')})\n`,
    );
  }
}
