import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { activeSpeechLevelDbfs } from '../../src/audio/level.js';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { parseFacts } from '../../src/facts/parse.js';
import { MoonshineThread } from '../../src/providers/asr/moonshine-thread.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { LineBackground } from '../../src/sim/noise/index.js';
import { testDsp } from './helpers.js';

// The process's Moonshine thread (moonshine-thread.ts): the server's decoding threads hand it their noisy lines'
// utterances. It answers each request with the words of its own audio, in the order asked; it starts with the first
// request, stops when idle and starts again; closed under a request, that request fails instead of hanging the
// stream's final (which every later event of the call waits for).

const { dsp, note } = testDsp();
if (note) t.comment(note);

const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
t.teardown(() => tts.close());

/** Her words with 300 ms of line before them and 700 ms after, as the stream's utterances have (pre-roll, edge). */
async function line(text: string): Promise<Int16Array> {
  const { pcm } = await synthesizePhoneAudio(tts, dsp, text);
  const padded = new Int16Array(pcm.length + 8000);
  padded.set(pcm, 2400);
  return padded;
}

t.test('each request gets the words of its own audio, asked together from two streams', async (t) => {
  const thread = new MoonshineThread();
  t.teardown(() => thread.close());
  t.equal(thread.running, false, 'nothing runs before the first request');
  const [price, hours] = await Promise.all([
    line('A membership is forty nine dollars a month.'),
    line('We are open six a.m. to ten p.m. every day.'),
  ]);
  await thread.load();
  t.equal(thread.running, true);
  const [a, b] = await Promise.all([thread.transcribe(price), thread.transcribe(hours)]);
  t.match(parseFacts(a.text).pricing, [{ amountMinor: 4900, period: 'month' }], `"${a.text}"`);
  t.match(parseFacts(b.text).hours, { mon: { opens: '06:00', closes: '22:00' } }, `"${b.text}"`);
  t.ok(a.confidence >= 0.5 && b.confidence >= 0.5, 'understood');
  t.ok(price.buffer.byteLength > 0, "the caller's audio is not detached: a copy crossed");
});

t.test('what the agent asked crosses with the audio: an answer about classes is nudged there too', async (t) => {
  const thread = new MoonshineThread();
  t.teardown(() => thread.close());
  // The desk's classes under sung music, where only the nudge (moonshine-bias.ts) hears them.
  const raw = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  t.teardown(() => raw.close());
  const { pcm: voice } = await synthesizePhoneAudio(raw, dsp, 'Boxing, kickboxing and some strength and conditioning.');
  const audio = new Int16Array(voice.length + 16000);
  audio.set(voice, 8000);
  new LineBackground({ kind: 'music-vocals', snrDb: 12, seed: 7 }, activeSpeechLevelDbfs(voice, 8000) ?? -20).addTo(
    audio,
  );
  const mulawLine = dsp.ulawDecode(dsp.ulawEncode(audio));
  const asked = await thread.transcribe(mulawLine, 'classes');
  t.same(
    (parseFacts(asked.text).classes ?? []).map((c) => c.name),
    ['boxing', 'kickboxing', 'strength'],
    `"${asked.text}"`,
  );
  t.notSame(await thread.transcribe(mulawLine), asked, 'and not the plain reading');
});

t.test('idle: the thread stops, and the next request starts a new one', async (t) => {
  const thread = new MoonshineThread({ idleMs: 100 });
  t.teardown(() => thread.close());
  await thread.load();
  await new Promise((r) => setTimeout(r, 400));
  t.equal(thread.running, false, 'stopped after idleMs without a request');
  const heard = await thread.transcribe(await line('A membership is forty nine dollars a month.'));
  t.match(parseFacts(heard.text).pricing, [{ amountMinor: 4900 }], `a new thread transcribes: "${heard.text}"`);
});

t.test('closed under a request: it fails, and the next request starts a new thread', async (t) => {
  const thread = new MoonshineThread();
  t.teardown(() => thread.close());
  const audio = await line('We are open from six in the morning until ten at night, seven days a week.');
  const failed = t.rejects(
    thread.transcribe(audio),
    { code: 'PROVIDER_FAILED' },
    'it fails instead of never answering',
  );
  await thread.close();
  await failed;
  const heard = await thread.transcribe(audio);
  t.match(heard.text, /six|6/i, `then a new thread: "${heard.text}"`);
});

t.test('silence is not understood: empty words, its low confidence kept', async (t) => {
  const thread = new MoonshineThread();
  t.teardown(() => thread.close());
  const heard = await thread.transcribe(new Int16Array(8000 * 2));
  t.equal(heard.text, '');
  t.ok(heard.confidence < 0.5);
});

/** A stand-in for the thread's script that loads at once and then `behaves` on a transcription. */
function standIn(behaves: 'crashes' | 'never answers'): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'moonshine-')), 'worker.mjs');
  const onTranscribe = behaves === 'crashes' ? 'process.exit(3);' : '';
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => { if (m.op === 'load') parentPort.postMessage({ id: m.id, ok: true }); else { ${onTranscribe} } });`,
  );
  return pathToFileURL(file);
}

t.test(
  'a thread that crashes fails what it held; requests fail at once for a while, then start a new one',
  async (t) => {
    const thread = new MoonshineThread({ script: standIn('crashes'), restartAfterMs: 300 });
    t.teardown(() => thread.close());
    await thread.load();
    await t.rejects(thread.transcribe(new Int16Array(800)), { code: 'PROVIDER_FAILED', message: /exited/ });
    t.equal(thread.running, false);
    await t.rejects(thread.transcribe(new Int16Array(800)), { message: /moments ago/ }, 'not started again at once');
    t.equal(thread.running, false);
    await new Promise((r) => setTimeout(r, 400));
    await thread.load();
    t.equal(thread.running, true, 'after restartAfterMs a request starts a new thread');
  },
);

t.test('a thread that never answers: the request fails at its deadline and the thread is stopped', async (t) => {
  const thread = new MoonshineThread({ script: standIn('never answers') });
  t.teardown(() => thread.close());
  const started = performance.now();
  await t.rejects(thread.transcribe(new Int16Array(800)), { code: 'PROVIDER_TIMEOUT' });
  const waited = performance.now() - started;
  t.ok(waited >= 3000, `not before the deadline (3 s + 0.3 s per second of audio): ${Math.round(waited)} ms`);
  t.equal(thread.running, false, 'stopped');
});
