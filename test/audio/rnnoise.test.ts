import t from 'tap';
import { createRnnoiseClassifier } from '../../src/audio/rnnoise.js';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { createVad, VAD_FRAME_SAMPLES, type FrameClassifier } from '../../src/audio/vad.js';
import { loadDsp } from '../../src/dsp/index.js';
import { FliteTts } from '../../src/providers/tts/flite.js';

// RNNoise's voice probability as a speech detector (src/audio/rnnoise.ts): it runs on the line's 8 kHz frames
// (through the denoiser's 48 kHz), gives every frame a probability, and is what VAD_KIND=rnnoise builds
// (test/call/vad-kind.test.ts places a call with it through the server).

const dsp = loadDsp();

function probabilities(c: FrameClassifier, pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let o = 0; o + VAD_FRAME_SAMPLES <= pcm.length; o += VAD_FRAME_SAMPLES)
    c.classify(pcm.subarray(o, o + VAD_FRAME_SAMPLES), out);
  return out;
}

t.test('speech is speech, silence is not, every frame has a probability in 0..1', async (t) => {
  const { pcm: speech } = await synthesizePhoneAudio(
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    dsp,
    'We are open from six in the morning to ten at night.',
  );
  const c = await createRnnoiseClassifier(dsp);
  t.teardown(() => c.close());
  const quiet = probabilities(c, new Int16Array(8000));
  t.equal(quiet.length, 50, 'one probability per frame');
  t.ok(
    quiet.every((p) => p < 0.5),
    'silence is not speech',
  );
  const said = probabilities(c, speech);
  t.ok(
    said.every((p) => p >= 0 && p <= 1),
    'probabilities in 0..1',
  );
  const share = said.filter((p) => p > 0.5).length / said.length;
  t.ok(share > 0.5, `speech frames called speech: ${(100 * share).toFixed(0)} %`);
});

t.test('VAD_KIND=rnnoise builds it', async (t) => {
  const vad = await createVad(dsp, { kind: 'rnnoise' });
  t.equal(vad.classifier.kind, 'rnnoise');
  t.equal(vad.classifier.name, 'rnnoise+gate');
  vad.close();
});
