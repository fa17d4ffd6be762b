import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { activeSpeechLevelDbfs } from '../../src/audio/level.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import { OfflineAsrWorkers } from '../../src/providers/asr/offline-workers.js';
import type { AsrProvider, AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { LineBackground } from '../../src/sim/noise/index.js';
import { testDsp } from './helpers.js';

// In a call the recogniser's utterances follow the call's own detector (voiceActivity() edges), not the stream's
// hybrid segmenter: next to an air conditioner the hybrid's energy gate opened utterances on the fan's louder
// moments, and the decoder turned them into words nobody said ("uh", "at", "it's"): the agent took the line for a
// queue and never greeted (issue 15, the hvac persona). The call's detector heard no voice there.

const { dsp, note } = testDsp();
if (note) t.comment(note);

const ANSWER = 'we are open six a.m. to ten p.m. monday through friday';
const FRAME_MS = 20;

interface Edge {
  readonly atMs: number;
  readonly speaking: boolean;
}

/** `pcm` (8 kHz) as μ-law frames, pushed with the call's voice edges where they fall; the finals' words. */
async function decode(asr: AsrProvider, pcm: Int16Array, edges: readonly Edge[] | undefined): Promise<string[]> {
  const events: AsrStreamEvent[] = [];
  const stream = await asr.open({ onEvent: (e) => events.push(e) });
  stream.setContext?.('hours');
  if (edges) stream.voiceActivity?.(false);
  let ms = 0;
  for (const f of frames20ms(dsp.ulawEncode(pcm))) {
    for (const e of edges ?? []) if (e.atMs === ms) stream.voiceActivity?.(e.speaking);
    stream.push(f);
    ms += FRAME_MS;
  }
  stream.finalize();
  // The worker answers finalize() after everything before it (a stream's messages keep their order).
  for (let i = 0; i < 200 && !events.some((e) => e.type === 'final' && e.endMs >= ms); i++)
    await new Promise((r) => setTimeout(r, 25));
  await stream.close();
  return events.flatMap((e) => (e.type === 'final' && e.text !== '' ? [e.text] : []));
}

async function fixtures() {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  const answer = (await synthesizePhoneAudio(tts, dsp, ANSWER)).pcm;
  await tts.close();
  const level = activeSpeechLevelDbfs(answer, 8000) as number;
  /** 10 s of an air conditioner alone, 15 dB under her voice: the hvac persona's line. */
  const hvac = new Int16Array(8000 * 10);
  new LineBackground({ kind: 'hvac', snrDb: 15, seed: 6 }, level).addTo(hvac);
  /** Her answer between 400 ms and 900 ms of a quiet line. */
  const quiet = dsp.ulawDecode(new Uint8Array([...mulawSilence(400), ...dsp.ulawEncode(answer), ...mulawSilence(900)]));
  const answerMs = Math.round(answer.length / 8);
  return { hvac, quiet, answerMs };
}

const lines = fixtures();

for (const where of ['the calling thread', 'a worker thread'] as const) {
  t.test(`on ${where}: utterances follow the call's detector`, async (t) => {
    const asr: AsrProvider & { close(): void } =
      where === 'the calling thread' ? new OfflineAsr({ dsp }) : new OfflineAsrWorkers({ threads: 1 });
    t.teardown(() => asr.close());
    const { hvac, quiet, answerMs } = await lines;

    const own = await decode(asr, hvac, undefined);
    const led = await decode(asr, hvac, []);
    t.comment(
      `an air conditioner alone, own segmenter: ${JSON.stringify(own)}; the call's detector: ${JSON.stringify(led)}`,
    );
    // Without words from the own segmenter the test would not show that leading changed anything.
    t.ok(own.length > 0, 'the hybrid segmenter decodes words out of the fan');
    t.same(led, [], 'with the call hearing no voice, nothing is decoded');

    // Her voice edge reaches the stream late (3 speech frames, then the model's window): the pre-roll covers it.
    const edges = [
      { atMs: 400 + 120, speaking: true },
      { atMs: 400 + answerMs + 200, speaking: false },
    ];
    const words = (await decode(asr, quiet, edges)).join(' ');
    t.match(words, /six a\.?m\.? to ten p\.?m\.?/, `her answer from the call's edges: "${words}"`);
  });
}
