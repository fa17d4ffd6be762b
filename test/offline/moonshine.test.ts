import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { activeSpeechLevelDbfs } from '../../src/audio/level.js';
import { frames20ms, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { parseFacts } from '../../src/facts/parse.js';
import {
  looping,
  Moonshine,
  MOONSHINE_MIN_CONFIDENCE,
  pastUnderstanding,
  repeatsItself,
  sharedMoonshine,
  toModelRate,
} from '../../src/providers/asr/moonshine.js';
import { NOISY_MAX_HMMPF, SEARCH_DEFAULTS } from '../../src/providers/asr/decoder-pool.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import { OrderedEvents } from '../../src/providers/asr/ordered-events.js';
import type { AsrStream, AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { LineBackground, type BackgroundKind } from '../../src/sim/noise/index.js';
import { testDsp } from './helpers.js';

// Moonshine (moonshine.ts) gives the offline recogniser's finals on noisy lines: the grammar decoder makes the
// grammar's words of music and loses her answers under it; Moonshine, trained on real speech in real noise, hears
// them (docs/benchmarks/asr-noise.md). These drive the real model files (scripts/fetch-models.mjs) on flite's
// voice with the generated beds.

const { dsp, note } = testDsp();
if (note) t.comment(note);

const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
t.teardown(() => tts.close());

const ANSWER = 'A membership is forty nine dollars a month.';

/** `seconds` of the bed alone, then the answer over it, then a second of the bed: 8 kHz line audio. */
async function answerOver(kind: BackgroundKind | undefined, snrDb: number, seconds = 3): Promise<Int16Array> {
  const { pcm: voice } = await synthesizePhoneAudio(tts, dsp, ANSWER);
  const pcm = new Int16Array(8000 * (seconds + 1) + voice.length);
  pcm.set(voice, 8000 * seconds);
  if (kind) new LineBackground({ kind, snrDb, seed: 4 }, activeSpeechLevelDbfs(voice, 8000) ?? -20).addTo(pcm);
  return dsp.ulawDecode(dsp.ulawEncode(pcm));
}

t.test('Moonshine hears her price under music at 10 dB, and is not sure of any words in the music alone', async (t) => {
  const model = await sharedMoonshine();
  const line = await answerOver('music', 10, 0);
  const heard = await model.transcribe(toModelRate(dsp, line));
  t.match(parseFacts(heard.text).pricing, [{ amountMinor: 4900, period: 'month' }], `heard "${heard.text}"`);
  t.ok(heard.confidence > 0.5, `confident: ${heard.confidence.toFixed(2)}`);
  const bed = new Int16Array(8000 * 3);
  new LineBackground({ kind: 'music-vocals', snrDb: 0, seed: 5 }, -20).addTo(bed);
  const music = await model.transcribe(toModelRate(dsp, bed));
  t.ok(
    music.confidence < MOONSHINE_MIN_CONFIDENCE,
    `a song with a singer and no caller: "${music.text}" at ${music.confidence.toFixed(2)}, not understood`,
  );
});

t.test('decoding stops only where the transcript could no longer be understood, whatever came next', async (t) => {
  // Random runs of token log-probabilities; what the stopped run decides must be what the whole run decides.
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const understood = (logPs: readonly number[]): boolean =>
    logPs.length > 0 && Math.exp(logPs.reduce((a, b) => a + b, 0) / logPs.length) >= MOONSHINE_MIN_CONFIDENCE;
  let stopped = 0;
  const wrong: string[] = [];
  for (let run = 0; run < 2000; run++) {
    const max = 1 + Math.floor(random() * 90);
    const sure = random();
    const logPs = Array.from({ length: max }, () => Math.log(Math.max(1e-6, random() < sure ? 0.9 : random() * 0.2)));
    let sum = 0;
    for (const [i, logP] of logPs.entries()) {
      sum += logP;
      if (!pastUnderstanding(sum, i + 1, max - i - 1)) continue;
      stopped++;
      // Every way the run could have gone on (ended here, or any number of certain tokens more) is not understood.
      for (let more = 0; more <= max - i - 1; more++)
        if (understood([...logPs.slice(0, i + 1), ...Array<number>(more).fill(0)])) wrong.push(`${run}@${i}+${more}`);
      if (understood(logPs)) wrong.push(`${run}: whole run`);
      break;
    }
  }
  t.same(wrong, [], 'no stopped run could have been understood');
  t.ok(stopped > 200, `runs of music-like tokens stop early (${stopped} of 2000)`);
  t.notOk(pastUnderstanding(-0.1 * 10, 10, 0), 'ten sure tokens');
  t.notOk(pastUnderstanding(0, 0, 0), 'nothing written yet');
});

t.test('a phrase written four times in a row is a loop (what it writes for chatter it cannot place)', async (t) => {
  const sorry = [306, 29915, 29885, 7423, 29892];
  t.ok(looping([1, ...sorry, ...sorry, ...sorry, ...sorry]), "I'm sorry, ×4");
  t.notOk(looping([1, 29896, 29900, 29900, 29900, 29900]), 'one token ×4: "10000" is written digit by digit');
  t.ok(looping([1, ...Array<number>(8).fill(285)]), 'one token ×8');
  t.notOk(looping([1, ...sorry, ...sorry, ...sorry]), 'three times: not yet');
  t.notOk(looping([1, 5, 6, 5, 6, 7, 5, 6, 5, 6]), 'a list that comes back to a word');
});

t.test(
  'one phrase twice over and nothing else is the model repeating itself (what it writes for chatter)',
  async (t) => {
    t.ok(repeatsItself("I'm going to go to the hospital. I'm going to go to the hospital. I'm going to go to"));
    t.ok(repeatsItself("I'm going to be on my own. I'm going to be on my own."));
    t.notOk(repeatsItself('We have yoga. We have yoga, spin and pilates.'), 'a real answer after the repeat');
    t.notOk(repeatsItself('Seven days a week, seven days a week we open at six.'));
    t.notOk(repeatsItself('bye bye'), 'shorter than a phrase');
    t.notOk(repeatsItself('A membership is forty nine dollars a month.'));
  },
);

t.test('a missing model names the command that fetches it', async (t) => {
  await t.rejects(Moonshine.load(mkdtempSync(join(tmpdir(), 'no-model-'))), /npm run models/);
});

/** The finals of a stream fed `line` (finalized at the end), with the policy given. */
async function finals(line: Int16Array, moonshine: 'never' | 'noisy' | 'always'): Promise<string[]> {
  const asr = new OfflineAsr({ dsp, moonshine, vad: { kind: 'energy' } });
  try {
    const events: AsrStreamEvent[] = [];
    const stream = await asr.open({ onEvent: (e) => events.push(e) });
    stream.setContext?.('pricing');
    for (const f of frames20ms(dsp.ulawEncode(line))) stream.push(f);
    stream.finalize();
    await stream.close();
    return events.flatMap((e) => (e.type === 'final' && e.text ? [e.text] : []));
  } finally {
    asr.close();
  }
}

/** Moonshine writes sentences ("A membership is $49…"); the grammar decoder only has lower-case words. */
const MOONSHINE = /[A-Z0-9$]/;

t.test('policy noisy: Moonshine gives the finals on a music line, the grammar decoder on a quiet one', async (t) => {
  const music = (await finals(await answerOver('music', 10), 'noisy')).join(' ');
  t.match(music, MOONSHINE, `music line: Moonshine's "${music}"`);
  t.match(parseFacts(music).pricing, [{ amountMinor: 4900, period: 'month' }]);
  const quiet = (await finals(await answerOver(undefined, 0), 'noisy')).join(' ');
  t.notMatch(quiet, MOONSHINE, `quiet line: the grammar's "${quiet}"`);
  t.match(parseFacts(quiet).pricing, [{ amountMinor: 4900, period: 'month' }]);
  const never = (await finals(await answerOver('music', 10), 'never')).join(' ');
  t.notMatch(never, MOONSHINE, `policy never on the music line: the grammar's "${never}"`);
  const always = (await finals(await answerOver(undefined, 0), 'always')).join(' ');
  t.match(always, MOONSHINE, `policy always on the quiet line: Moonshine's "${always}"`);
});

t.test(
  'where Moonshine writes the finals the search is capped, and a quiet line gets the full search back',
  async (t) => {
    const asr = new OfflineAsr({ dsp, moonshine: 'noisy', vad: { kind: 'energy' } });
    t.teardown(() => asr.close());
    const limits = async (line: Int16Array): Promise<{ before: number; after: number }> => {
      const stream = (await asr.open({ onEvent: () => {} })) as AsrStream & { searchLimit: number };
      const before = stream.searchLimit;
      for (const f of frames20ms(dsp.ulawEncode(line))) stream.push(f);
      stream.finalize();
      const after = stream.searchLimit;
      await stream.close();
      return { before, after };
    };
    t.equal((await limits(await answerOver('music', 10))).after, NOISY_MAX_HMMPF, 'music line: capped');
    // The pool hands the quiet line's stream the decoder the music line capped; its utterance gives the limit back.
    t.same(await limits(await answerOver(undefined, 0)), { before: NOISY_MAX_HMMPF, after: SEARCH_DEFAULTS.maxhmmpf });
  },
);

t.test("a final transcribed later keeps its place: the next utterance's events wait for it", async (t) => {
  const got: string[] = [];
  const events = new OrderedEvents((e) => got.push(e.type === 'final' ? `final:${e.text}` : e.type));
  events.emit({ type: 'speech-started', atMs: 0 });
  let transcribed!: (e: AsrStreamEvent[]) => void;
  events.later(new Promise((r) => (transcribed = r)));
  events.emit({ type: 'speech-started', atMs: 900 });
  events.emit({ type: 'partial', text: 'and', confidence: 0.5 });
  t.same(got, ['speech-started'], 'nothing passes the pending final');
  transcribed([{ type: 'final', text: 'we open at six', confidence: 0.9, speechFinal: true, startMs: 0, endMs: 800 }]);
  await events.drained();
  t.same(got, ['speech-started', 'final:we open at six', 'speech-started', 'partial']);
  events.emit({ type: 'utterance-end', lastWordEndMs: undefined });
  t.equal(got.at(-1), 'utterance-end', 'and with nothing pending, events go straight through');
});

t.test('a consumer that throws on a delivered final does not stop the events after it', async (t) => {
  const got: string[] = [];
  const events = new OrderedEvents((e) => {
    if (e.type === 'final') throw new Error('consumer bug');
    got.push(e.type);
  });
  events.later(Promise.resolve([{ type: 'final', text: 'x', confidence: 1, speechFinal: true, startMs: 0, endMs: 1 }]));
  events.emit({ type: 'utterance-end', lastWordEndMs: undefined });
  await events.drained();
  t.same(got, ['utterance-end']);
});
