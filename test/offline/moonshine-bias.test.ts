import t from 'tap';
import { activeSpeechLevelDbfs } from '../../src/audio/level.js';
import { frames20ms, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { parseFacts } from '../../src/facts/parse.js';
import { PhraseBias } from '../../src/providers/asr/moonshine-bias.js';
import { best, transcribeLine } from '../../src/providers/asr/moonshine.js';
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

const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);

t.test('a phrase is nudged at its start, and its next token only where the written tokens began it', async (t) => {
  const bias = new PhraseBias(
    [
      [10, 11],
      [20, 21, 22],
    ],
    [[30, 31]],
    new Set([9]),
  );
  t.same(sorted(bias.next([1])), [10, 20, 30], 'the first tokens; a capitalised one to start the transcript');
  t.same(sorted(bias.next([1, 5])), [10, 20], 'mid-sentence: not the capitalised one');
  t.same(sorted(bias.next([1, 5, 9])), [10, 20, 30], 'after a sentence ends, it again');
  t.same(sorted(bias.next([1, 5, 20])), [10, 20, 21]);
  t.same(sorted(bias.next([1, 20, 21])), [10, 20, 22]);
  t.same(sorted(bias.next([1, 30])), [10, 20, 31], 'a capitalised phrase begun goes on');
  t.same(sorted(bias.next([1, 21])), [10, 20], 'a later token alone begins nothing');
});

t.test("the nudge chooses the token; the log-probability is the model's own", async (t) => {
  // Four tokens: logits 2, 1, 0.5 and 3 (the last one excepted, as the end token is at the first step).
  const logits = { data: Float32Array.of(2, 1, 0.5, 3), dims: [1, 1, 4] };
  const lse = Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.5) + Math.exp(3));
  t.same(best(logits, 3), { token: 0, logP: 2 - lse }, 'the best but the excepted, its true probability');
  const nudged = best(logits, 3, new Set([1]));
  t.equal(nudged.token, 1, '1 + BOOST beats 2');
  t.ok(Math.abs(nudged.logP - (1 - lse)) < 1e-6, 'its probability without the boost');
  t.equal(best(logits, 3, new Set([3])).token, 0, 'an excepted token is never chosen, boosted or not');
  t.equal(best(logits, -1, new Set([0])).token, 0, 'boosted past the best one: 2 + BOOST over 3');
  t.equal(best(logits, -1, new Set([1, 3])).token, 3, 'the best one boosted too stays');
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

t.test("the offline recogniser tells Moonshine what the agent asked: the context at the utterance's end", async (t) => {
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
  stream.setContext?.('hours');
  // The question changes while the utterance is open (on a line that is never quiet, one runs into her answer).
  const frames = [...frames20ms(dsp.ulawEncode(await said('We offer yoga.')))];
  frames.forEach((f, i) => {
    if (i === Math.floor(frames.length / 2)) stream.setContext?.('classes');
    stream.push(f);
  });
  stream.finalize();
  await stream.close();
  t.same(about, ['classes']);
});
