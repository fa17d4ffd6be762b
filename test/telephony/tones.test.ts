// Tones in the gym's audio reach the call on the stream clock: a voicemail beep as a HeardTone (the session's
// TONE.BEEP), never speech; Twilio's dtmf messages as onDtmf with their media time (the session's DTMF.RECEIVED).
import t from 'tap';
import { DBM0_MEAN_SQUARE } from '../../src/dsp/reference/tones.js';
import { waitFor } from '../support/wait.js';
import { connectSim, startServer } from './helpers.js';

const amp = Math.sqrt(2 * DBM0_MEAN_SQUARE) * 10 ** (-12 / 20);

t.test(
  'a beep after a greeting-like sound is heard once, at its stream time, with its frequency and length',
  async (t) => {
    const ts = await startServer();
    t.teardown(() => ts.close());
    const sim = await connectSim(ts, { speed: 4 });
    const h = await ts.nextHandler();
    // 600 ms of a vowel-like sound (harmonics of 180 Hz), 400 ms of silence, then a 1 kHz beep of 500 ms.
    const pcm = new Int16Array(8 * 1500 + 8 * 300);
    for (let i = 0; i < 8 * 600; i++)
      pcm[i] = [1, 2, 3, 4].reduce((s, k) => s + (amp / k) * Math.sin((2 * Math.PI * 180 * k * i) / 8000), 0);
    for (let i = 0; i < 8 * 500; i++) pcm[8 * 1000 + i] = Math.round(amp * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    await sim.say(pcm);
    await waitFor(() => h.tones.length === 1, { timeoutMs: 3000, what: 'the beep' });
    const beep = h.tones[0]!;
    t.equal(beep.kind, 'beep');
    if (beep.kind === 'beep') {
      t.ok(Math.abs(beep.hz - 1000) <= 1, `${beep.hz} Hz`);
      t.ok(beep.durationMs >= 480 && beep.durationMs <= 500, `${beep.durationMs} ms`);
      // On the stream clock: from the media timestamp of the first frame of the greeting-like sound.
      const startedAt = h.audio.find((a) => a.pcm.some((v) => v !== 0))!.atMs;
      const at = beep.atMs - startedAt;
      t.ok(at >= 990 && at <= 1030, `starts 1000 ms into the audio (${at.toFixed(0)})`);
    }
    sim.dtmf('7');
    await waitFor(() => h.dtmf.length === 1, { timeoutMs: 2000, what: 'dtmf' });
    t.same(h.dtmf, ['7']);
    t.equal(h.tones.length, 1, 'nothing else was a tone');
    await sim.hangUp();
  },
);
