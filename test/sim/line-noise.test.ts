import t from 'tap';
import { LineBackground } from '../../src/sim/noise/index.js';
import { waitFor } from '../support/wait.js';
import { connectSim, startServer } from '../telephony/helpers.js';

// The simulator's line noise: the bed reaches the server in every caller frame, also while she says nothing,
// at the level asked for, and her speech arrives mixed with it (before μ-law, as from a room).

const rmsDbfs = (pcm: Int16Array) => {
  let e = 0;
  for (const v of pcm) e += v * v;
  return 10 * Math.log10(e / Math.max(1, pcm.length) / 32768 ** 2);
};

t.test('the background plays under silence and under speech at its set level', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const handler = ts.nextHandler();
  const sim = await connectSim(ts, { speed: 4 });
  const h = await handler;
  // Hum at 10 dB under a -20 dBFS voice: the bed at -30 dBFS.
  sim.setLineNoise(new LineBackground({ kind: 'hvac', snrDb: 10, seed: 1 }, -20));
  await waitFor(() => h.audio.length >= 60, { timeoutMs: 10_000, what: '60 frames' });
  // A 1 kHz tone at -20 dBFS RMS stands in for her voice.
  const tone = Int16Array.from({ length: 8000 }, (_, i) =>
    Math.round(32768 * 0.1 * Math.SQRT2 * Math.sin(i / (8000 / (2 * Math.PI * 1000)))),
  );
  await sim.say(tone);
  await sim.hangUp();
  await h.endedP;
  const joined = (frames: readonly { pcm: Int16Array }[]) => {
    const out = new Int16Array(frames.reduce((n, f) => n + f.pcm.length, 0));
    let o = 0;
    for (const f of frames) {
      out.set(f.pcm, o);
      o += f.pcm.length;
    }
    return out;
  };
  // Her tone's frames are told from the bed's by level (frames in flight when say() was called make counting
  // frames unreliable on a busy machine); the first frames were sent before the noise was set.
  const loud = h.audio.findIndex((a, i) => i >= 10 && rmsDbfs(a.pcm) > -22);
  t.ok(loud > 10, `her speech starts at frame ${loud}`);
  const quiet = rmsDbfs(joined(h.audio.slice(10, loud)));
  t.ok(Math.abs(quiet - -30) < 2, `between her words the line carries the bed at ${quiet.toFixed(1)} dBFS`);
  const speechFrames = h.audio.slice(loud, loud + 50);
  t.ok(
    speechFrames.every((a) => rmsDbfs(a.pcm) > -22),
    'a second of speech frames',
  );
  const speech = rmsDbfs(joined(speechFrames.slice(1, -1)));
  const expected = 10 * Math.log10(10 ** (-20 / 10) + 10 ** (-30 / 10));
  t.ok(
    Math.abs(speech - expected) < 1.5,
    `speech plus bed at ${speech.toFixed(1)} dBFS (powers add: ${expected.toFixed(1)})`,
  );
});

t.test('saying nothing is done at once (a hold that ends mid-frame must not wait for a later say)', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts, { speed: 4 });
  const said = await Promise.race([
    sim.say(new Int16Array(0)).then(() => 'resolved'),
    new Promise((r) => setTimeout(() => r('still waiting'), 2000)),
  ]);
  t.equal(said, 'resolved');
  await sim.hangUp();
});
