import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { createSileroClassifier, SileroModel, sharedSileroModel } from '../../src/audio/silero.js';
import { createVad, VAD_FRAME_SAMPLES, type FrameClassifier } from '../../src/audio/vad.js';
import { vadPortFactory } from '../../src/call/vad-port.js';
import { loadDsp } from '../../src/dsp/index.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { createBed } from '../../src/sim/noise/index.js';
import { rms } from '../../src/sim/noise/synth.js';

// Silero VAD (src/audio/silero.ts): one shared ONNX session, per-call state, the gate that keeps it idle on a
// quiet line, and a model that fails to load is an error that says which file.

const dsp = loadDsp();

/** Feeds `pcm` frame by frame, letting the shared session run between frames as live audio does. */
async function probabilities(c: FrameClassifier, model: SileroModel, pcm: Int16Array): Promise<number[]> {
  const out: number[] = [];
  for (let o = 0; o + VAD_FRAME_SAMPLES <= pcm.length; o += VAD_FRAME_SAMPLES) {
    c.classify(pcm.subarray(o, o + VAD_FRAME_SAMPLES), out);
    await model.idle();
  }
  return out;
}

t.test('speech is speech and a gym band under no voice is not; the gate keeps the model idle in silence', async (t) => {
  const model = await sharedSileroModel();
  const { pcm: speech } = await synthesizePhoneAudio(
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    dsp,
    'We are open from six in the morning to ten at night.',
  );
  const silence = new Int16Array(8000);
  // Three seconds of a band with a singer, at -30 dBFS: 12 dB under a voice at -18 dBFS.
  const bed = createBed('music-vocals', 3).read(3 * 8000);
  const gain = (32768 * 10 ** (-30 / 20)) / rms(bed);
  const music = Int16Array.from(bed, (x) => Math.max(-32768, Math.min(32767, Math.round(x * gain))));

  const c = await createSileroClassifier(dsp);
  t.teardown(() => c.close());
  const before = model.windows;
  const quiet = await probabilities(c, model, silence);
  t.equal(model.windows, before, 'a second of silence: the model never ran');
  t.ok(
    quiet.every((p) => p < 0.5),
    'silence is not speech',
  );
  const said = await probabilities(c, model, speech);
  t.ok(model.windows > before, 'speech woke the model');
  t.ok(
    said.every((p) => p >= 0 && p <= 1),
    'probabilities in 0..1',
  );
  const speechShare = said.filter((p) => p > 0.5).length / said.length;
  t.ok(speechShare > 0.5, `speech frames called speech: ${(100 * speechShare).toFixed(0)} %`);
  const band = await probabilities(c, model, music);
  const bandShare = band.filter((p) => p > 0.5).length / band.length;
  t.ok(bandShare < 0.1, `music with a singer called speech: ${(100 * bandShare).toFixed(0)} % of frames`);
});

t.test('calls share one session: windows of calls that arrive in one turn run as one batch', async (t) => {
  const model = await sharedSileroModel();
  const a = await createSileroClassifier(dsp, { gate: false });
  const b = await createSileroClassifier(dsp, { gate: false });
  t.teardown(() => (a.close(), b.close()));
  const frame = Int16Array.from({ length: VAD_FRAME_SAMPLES }, (_, i) => Math.round(3000 * Math.sin(i / 3)));
  await model.idle();
  const runs = model.runs;
  const windows = model.windows;
  // Two frames each complete a 256-sample window (320 samples) for both calls, in the same turn.
  for (const c of [a, b]) c.classify(Int16Array.from([...frame, ...frame]));
  await model.idle();
  t.equal(model.windows - windows, 2, 'two windows');
  t.equal(model.runs - runs, 1, 'in one run');
});

t.test('a call that goes idle or closes while its window waits for the run is skipped, not run twice', async (t) => {
  const model = await sharedSileroModel();
  const frame = Int16Array.from({ length: VAD_FRAME_SAMPLES }, (_, i) => Math.round(3000 * Math.sin(i / 3)));
  await model.idle();
  const windows = model.windows;
  const a = model.stream();
  a.push(frame, true);
  a.push(frame, true); // a window waits for the next turn
  a.sleep(); // the gate closed in the same turn: the window is dropped
  a.push(frame, true);
  a.push(frame, true); // a new window: listed once
  const b = model.stream();
  b.push(frame, true);
  b.push(frame, true);
  b.close(); // the stream ended in the same turn
  await model.idle();
  t.equal(model.windows - windows, 1, "only a's second window ran");
  a.close();
});

t.test('a model that fails to load is an error naming the file; the default model builds a silero VAD', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'silero-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = join(dir, 'missing.onnx');
  await t.rejects(SileroModel.load(missing), {
    message: new RegExp(`Silero VAD model could not be loaded from ${missing}`),
  });
  const broken = join(dir, 'broken.onnx');
  await writeFile(broken, 'not a model');
  await t.rejects(SileroModel.load(broken), { message: /Silero VAD model could not be loaded from .*broken\.onnx/ });
  // The shared model is the default's (test/call/vad-kind.test.ts places a call with it through the server).
  const vad = await createVad(dsp, { kind: 'silero' });
  t.equal(vad.classifier.kind, 'silero');
  vad.close();
  const port = vadPortFactory(dsp, { kind: 'silero' })();
  port.push(new Int16Array(VAD_FRAME_SAMPLES), 0);
  port.close();
});
