import t from 'tap';
import { activeSpeechLevelDbfs } from '../../src/audio/level.js';
import { frames20ms, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { parseFacts } from '../../src/facts/parse.js';
import { PhraseBias } from '../../src/providers/asr/moonshine-bias.js';
import { transcribeLine } from '../../src/providers/asr/moonshine.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrContext } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { LineBackground, type BackgroundKind } from '../../src/sim/noise/index.js';
import { testDsp } from './helpers.js';

// Asked which classes the gym offers, Moonshine is nudged towards class names (moonshine-bias.ts), and takes the
// nudged reading only where the model itself finds it nearly as likely. Real model files, flite's voice, the
// generated beds (docs/benchmarks/asr-noise.md has the measurement across answers and beds).

const { dsp, note } = testDsp();
if (note) t.comment(note);

const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
t.teardown(() => tts.close());

/** `text` in her voice with a second of line either side, the bed under it at `snrDb` (seed 7). */
async function said(text: string, kind?: BackgroundKind, snrDb = 12): Promise<Int16Array> {
  const { pcm: voice } = await synthesizePhoneAudio(tts, dsp, text);
  const line = new Int16Array(voice.length + 16000);
  line.set(voice, 8000);
  if (kind) new LineBackground({ kind, snrDb, seed: 7 }, activeSpeechLevelDbfs(voice, 8000) ?? -20).addTo(line);
  return dsp.ulawDecode(dsp.ulawEncode(line));
}

const classes = (text: string): string[] => (parseFacts(text).classes ?? []).map((c) => c.name).sort();

t.test('a phrase is nudged at its start, and its next token only where the written tokens began it', async (t) => {
  const bias = new PhraseBias([
    [10, 11],
    [20, 21, 22],
  ]);
  t.same([...bias.next([1])].sort(), [10, 20], 'the first tokens, anywhere');
  t.same([...bias.next([1, 5, 20])].sort(), [10, 20, 21]);
  t.same([...bias.next([1, 20, 21])].sort(), [10, 20, 22]);
  t.same([...bias.next([1, 21])].sort(), [10, 20], 'a later token alone begins nothing');
});

t.test('asked about classes, the desk naming them under sung music is heard', async (t) => {
  const line = await said('Boxing, kickboxing and some strength and conditioning.', 'music-vocals');
  const plain = await transcribeLine(dsp, line);
  const asked = await transcribeLine(dsp, line, 'classes');
  t.same(classes(asked.text), ['boxing', 'kickboxing', 'strength'], `nudged: "${asked.text}"`);
  t.notSame(classes(plain.text), classes(asked.text), `plain: "${plain.text}"`);
});

t.test('the nudge puts no class into words or music that hold none', async (t) => {
  for (const text of ['We have a sauna and a pool.', 'No classes at the moment, sorry.', 'Hello, who is this?'])
    for (const [kind, snrDb] of [
      [undefined, 0],
      ['music-vocals', 12],
      ['chatter', 6],
    ] as const) {
      const heard = await transcribeLine(dsp, await said(text, kind, snrDb), 'classes');
      t.same(classes(heard.text), [], `${kind ?? 'quiet'}: "${text}" → "${heard.text}"`);
    }
  const bed = new Int16Array(8000 * 3);
  new LineBackground({ kind: 'music-vocals', snrDb: 0, seed: 5 }, -20).addTo(bed);
  t.equal((await transcribeLine(dsp, bed, 'classes')).text, '', 'a song alone is not understood');
});

t.test("the offline recogniser tells Moonshine what the agent asked: the stream's context", async (t) => {
  const about: (AsrContext | undefined)[] = [];
  const transcriber = {
    load: async () => {},
    transcribe: async (_pcm: Int16Array, context?: AsrContext) => {
      about.push(context);
      return { text: 'We offer yoga.', confidence: 0.9 };
    },
  };
  const asr = new OfflineAsr({ dsp, moonshine: 'always', transcriber, vad: { kind: 'energy' } });
  t.teardown(() => asr.close());
  const stream = await asr.open({ onEvent: () => {} });
  stream.setContext?.('classes');
  for (const f of frames20ms(dsp.ulawEncode(await said('We offer yoga.')))) stream.push(f);
  stream.finalize();
  await stream.close();
  t.same(about, ['classes']);
});
