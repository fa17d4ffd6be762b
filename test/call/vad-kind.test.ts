import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createVad, VAD_KINDS, type VadKind } from '../../src/audio/vad.js';
import { loadConfig } from '../../src/config/index.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { loadDsp } from '../../src/dsp/index.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';

// The detector that runs is the one configured: VAD_KIND reaches createVad through the config and main.ts, every
// kind has its own classifier, and a call reports the kind that classified its audio.

const dsp = loadDsp();

/** Speech-frame decisions of one kind's classifier on `pcm` (after a second of digital silence). */
async function speechFrames(kind: VadKind, pcm: Int16Array): Promise<number> {
  const vad = await createVad(dsp, { kind });
  try {
    const signal = new Int16Array(8000 + pcm.length);
    signal.set(pcm, 8000);
    return vad.classifier.classify(signal.subarray(0, signal.length - (signal.length % 160))).filter(Boolean).length;
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

t.test('each VAD_KIND builds its own classifier, told apart by what it does', async (t) => {
  const seen = new Map<VadKind, string>();
  for (const kind of VAD_KINDS) {
    const vad = await createVad(dsp, { kind });
    t.equal(vad.classifier.kind, kind, `${kind}: the classifier is ${vad.classifier.name}`);
    vad.close();
    const h = await speechFrames(kind, hum);
    const q = await speechFrames(kind, quietVowel);
    seen.set(kind, `${h > 40 ? 'hum' : '-'}/${q > 20 ? 'quiet' : '-'}`);
    t.comment(`${kind}: ${h}/50 hum frames and ${q}/25 quiet-vowel frames called speech`);
  }
  t.same(Object.fromEntries(seen), { fvad: 'hum/-', energy: '-/quiet', hybrid: '-/-' }, 'three behaviours');
  const dflt = await createVad(dsp);
  t.equal(dflt.classifier.kind, 'hybrid', 'the default is hybrid');
  dflt.close();
});

t.test('an unknown VAD_KIND is a configuration error that lists the kinds', async (t) => {
  const err = t.throws(() => loadConfig({ VAD_KIND: 'silero' })) as AppError;
  t.equal(err.code, 'CONFIG_INVALID');
  t.match(err.message, /VAD_KIND: must be one of hybrid, fvad, energy/);
  t.equal(loadConfig({}).VAD_KIND, 'hybrid');
});

t.test('a call through the server runs the configured classifier', async (t) => {
  // Three servers with the offline stack and the embedded database, one after another: slow on a busy machine.
  t.setTimeout(400_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'vad-kind-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  // One database for the three servers in turn: migrations run once.
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
