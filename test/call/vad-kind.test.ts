import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { sharedSileroModel } from '../../src/audio/silero.js';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { createVad, VAD_FRAME_SAMPLES, VAD_KINDS, type VadKind } from '../../src/audio/vad.js';
import { loadConfig } from '../../src/config/index.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { loadDsp } from '../../src/dsp/index.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { seedDatabase } from '../support/database.js';

// The detector that runs is the one configured: VAD_KIND reaches createVad through the config and main.ts, every
// kind has its own classifier, and a call reports the kind that classified its audio.

const dsp = loadDsp();

/**
 * Speech-frame decisions of one kind's classifier on `pcm` (after a second of digital silence), fed a frame at a
 * time with the shared Silero session's runs between frames, as live audio has them. Counted over `pcm` only.
 */
async function speechFrames(kind: VadKind, pcm: Int16Array): Promise<number> {
  const vad = await createVad(dsp, { kind });
  const silero = await sharedSileroModel();
  try {
    const signal = new Int16Array(8000 + pcm.length);
    signal.set(pcm, 8000);
    let n = 0;
    for (let o = 0; o + VAD_FRAME_SAMPLES <= signal.length; o += VAD_FRAME_SAMPLES) {
      const [speech] = vad.classifier.classify(signal.subarray(o, o + VAD_FRAME_SAMPLES));
      if (speech === true && o >= 8000) n++;
      await silero.idle();
    }
    return n;
  } finally {
    vad.close();
  }
}

/** 60 Hz mains hum at -15 dBFS: fvad's spectral model calls it speech; the energy gate sees no speech-band share. */
const hum = Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 60 * i) / 8000)));
/** A quiet vowel-like sound at about -48 dBFS: loud enough for the energy classifier, not for fvad. */
const quietVowel = Int16Array.from({ length: 4000 }, (_, i) => {
  let s = 0;
  for (let k = 1; k * 150 < 3800; k++) {
    const f = k * 150;
    const g =
      1 / (1 + ((f - 700) / 150) ** 2) + 0.5 / (1 + ((f - 1200) / 200) ** 2) + 0.3 / (1 + ((f - 2500) / 300) ** 2);
    s += g * Math.sin((2 * Math.PI * f * i) / 8000);
  }
  return Math.round(s * 32768 * 10 ** (-48 / 20) * 0.8);
});

/** A second of white noise at about -18 dBFS: a level detector calls it speech; RNNoise adapts to it, Silero never. */
let seed = 1;
const burst = Int16Array.from({ length: 8000 }, () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return Math.round((seed / 0x7fffffff - 0.5) * 12000);
});

t.test('each VAD_KIND builds its own classifier, told apart by what it does', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const { pcm: speech } = await synthesizePhoneAudio(tts, dsp, 'We open at six every morning.');
  const speechN = Math.floor(speech.length / VAD_FRAME_SAMPLES);
  const seen = new Map<VadKind, string>();
  for (const kind of VAD_KINDS) {
    const vad = await createVad(dsp, { kind });
    t.equal(vad.classifier.kind, kind, `${kind}: the classifier is ${vad.classifier.name}`);
    vad.close();
    const h = await speechFrames(kind, hum);
    const q = await speechFrames(kind, quietVowel);
    const b = await speechFrames(kind, burst);
    const s = await speechFrames(kind, speech);
    seen.set(
      kind,
      `${h > 40 ? 'hum' : '-'}/${q > 20 ? 'quiet' : '-'}/${b > 40 ? 'noise' : '-'}/${s > speechN / 2 ? 'speech' : '-'}`,
    );
    t.comment(`${kind}: speech frames: ${h}/50 hum, ${q}/25 quiet vowel, ${b}/50 noise, ${s}/${speechN} speech`);
  }
  t.same(
    Object.fromEntries(seen),
    {
      fvad: 'hum/-/noise/speech',
      energy: '-/quiet/noise/speech',
      hybrid: '-/-/noise/speech',
      silero: '-/-/-/speech',
      rnnoise: '-/quiet/-/speech',
    },
    'five behaviours',
  );
  const dflt = await createVad(dsp);
  t.equal(dflt.classifier.kind, 'silero', 'the default is silero');
  dflt.close();
});

t.test('an unknown VAD_KIND is a configuration error that lists the kinds', async (t) => {
  const err = t.throws(() => loadConfig({ VAD_KIND: 'webrtc' })) as AppError;
  t.equal(err.code, 'CONFIG_INVALID');
  t.match(err.message, /VAD_KIND: must be one of hybrid, fvad, energy, silero, rnnoise/);
  t.equal(loadConfig({}).VAD_KIND, 'silero');
});

t.test('a call through the server runs the configured classifier', async (t) => {
  // A server per VAD_KIND with the offline stack and the embedded database, one after another: slow on a busy machine.
  t.setTimeout(400_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'vad-kind-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await seedDatabase(dataDir);
  // One database for the servers in turn: migrations run once.
  for (const kind of VAD_KINDS) {
    const env = await DemoEnvironment.start({
      dataDir,
      log: createLogger('silent'),
      env: { VAD_KIND: kind },
    });
    try {
      const phone = '+12015550199'; // a valid (fictional) number: POST /v1/calls checks destinations
      let ended!: () => void;
      const done = new Promise<void>((r) => (ended = r));
      env.routing.callees.set(phone, async (stream) => {
        // Half a second of line audio reaches the VAD, then the gym hangs up.
        await stream.say(quietVowel);
        await stream.hangUp();
      });
      const callId = await env.placeCall(phone, 'Kind Gym');
      env.routing.watch(callId, { ended: () => ended() });
      await done;
      const { body } = await env.server.metrics.render();
      const ran = VAD_KINDS.filter((k) => body.includes(`gym_agent_vad_streams_total{kind="${k}"} 1`));
      t.same(ran, [kind], `VAD_KIND=${kind}: the call's audio went through ${ran.join(', ') || 'nothing'}`);
    } finally {
      await env.close();
    }
  }
});
