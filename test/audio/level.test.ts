import t from 'tap';
import {
  activeSpeechLevelDbfs,
  normaliseSpeechLevel,
  PEAK_CEILING_DBFS,
  peakDbfs,
  SPEECH_LEVEL_DBFS,
} from '../../src/audio/level.js';
import { FliteTts, FLITE_VOICES } from '../../src/providers/tts/flite.js';

// The agent's offline voice came out about 11 dB quieter than the receptionist's (kal16 ≈ −27 dBFS while
// speaking): every flite utterance is now brought to the telephone level with a peak limiter.

const RATE = 16000;

/** A 440 Hz tone of `amplitude` (0..1 of full scale) for `ms`, then `silenceMs` of silence. */
function toneBurst(amplitude: number, ms: number, silenceMs = 0): Int16Array {
  const n = (RATE * ms) / 1000;
  const out = new Int16Array(n + (RATE * silenceMs) / 1000);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  return out;
}

const sineDbfs = (amplitude: number) => 20 * Math.log10(amplitude / Math.SQRT2);

t.test('active-speech level: RMS of the speech, pauses left out', async (t) => {
  const level = activeSpeechLevelDbfs(toneBurst(0.1, 500), RATE);
  t.ok(Math.abs((level ?? 0) - sineDbfs(0.1)) < 0.1, `tone at ${sineDbfs(0.1).toFixed(1)} dBFS: ${level?.toFixed(2)}`);
  const withPauses = activeSpeechLevelDbfs(toneBurst(0.1, 500, 2000), RATE);
  t.ok(Math.abs((withPauses ?? 0) - (level ?? 0)) < 0.2, 'four times as much silence does not lower it');
  t.equal(activeSpeechLevelDbfs(new Int16Array(RATE), RATE), undefined, 'silence has no speech level');
});

t.test('normalising: quiet speech is raised to the target, loud speech lowered, peaks limited', async (t) => {
  for (const amplitude of [0.02, 0.1, 0.9]) {
    const out = normaliseSpeechLevel(toneBurst(amplitude, 400, 300), RATE);
    const level = activeSpeechLevelDbfs(out, RATE) ?? -Infinity;
    t.ok(
      Math.abs(level - SPEECH_LEVEL_DBFS) < 0.5,
      `from ${sineDbfs(amplitude).toFixed(1)} to ${level.toFixed(2)} dBFS`,
    );
    t.ok(peakDbfs(out) <= PEAK_CEILING_DBFS + 0.01, `peak ${peakDbfs(out).toFixed(2)} dBFS within the ceiling`);
  }
  // A click 30 dB above quiet speech: the gain that lifts the speech must not clip the click.
  const clicky = toneBurst(0.01, 400, 100);
  clicky[1000] = 0.3 * 32767;
  const out = normaliseSpeechLevel(clicky, RATE);
  t.ok(peakDbfs(out) <= PEAK_CEILING_DBFS + 0.01, `click limited to ${peakDbfs(out).toFixed(2)} dBFS`);
  t.same(normaliseSpeechLevel(new Int16Array(100), RATE), new Int16Array(100), 'silence stays silence');
});

/** flite's 16 kHz output for `text`, all chunks together. */
async function spoken(tts: FliteTts, text: string): Promise<Int16Array> {
  const audio = await tts.synthesize(text, new AbortController().signal);
  const bytes: Buffer[] = [];
  for await (const c of audio.chunks) bytes.push(Buffer.from(c));
  const all = Buffer.concat(bytes);
  return new Int16Array(all.buffer, all.byteOffset, all.length / 2);
}

t.test('every flite voice speaks at the telephone level, unclipped', async (t) => {
  const text = "Hi, is this Iron Temple Fitness? I'm calling with a few quick questions about your hours.";
  for (const voice of FLITE_VOICES) {
    const pcm = await spoken(new FliteTts({ voice, mode: 'inline' }), text);
    const level = activeSpeechLevelDbfs(pcm, 16000) ?? -Infinity;
    t.ok(level >= -20 && level <= -16, `${voice}: ${level.toFixed(1)} dBFS active speech (−16 to −20)`);
    t.ok(peakDbfs(pcm) <= PEAK_CEILING_DBFS + 0.01, `${voice}: peak ${peakDbfs(pcm).toFixed(1)} dBFS`);
  }
  // flite's own level on request (the simulated receptionist): kal16 alone is far below a telephone level.
  const raw = await spoken(new FliteTts({ voice: 'kal16', mode: 'inline', levelDbfs: null }), text);
  const level = activeSpeechLevelDbfs(raw, 16000) ?? 0;
  t.ok(level < -24, `kal16 as flite makes it: ${level.toFixed(1)} dBFS`);
  t.throws(() => new FliteTts({ levelDbfs: 0 }), { code: 'BAD_ARGUMENT' }, 'a level that would clip is refused');
});
