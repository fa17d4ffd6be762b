import { activeSpeechLevelDbfs } from '../src/audio/level.js';
import { synthesizePhoneAudio } from '../src/audio/speech.js';
import { VAD_FRAME_MS, VAD_FRAME_SAMPLES } from '../src/audio/vad.js';
import type { Dsp } from '../src/dsp/types.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { LineBackground, type BackgroundKind } from '../src/sim/noise/index.js';

// The VAD benchmark's audio. Speech: flite utterances in two voices at flite's own levels (11 dB apart),
// separated by known silences, resampled 16 → 8 kHz. A frame is labelled speech when it lies inside an
// utterance (first to last frame where the clean TTS signal is above -55 dBFS), so short gaps between words count
// as speech, as they should for turn-taking. Backgrounds: the simulator's generated beds (src/sim/noise/, seeded)
// at a set SNR under the speech's active level, and line clicks. Everything ends with a μ-law round trip, as a
// Twilio media stream delivers it.

const UTTERANCES = [
  "We're open five a m to eleven p m Monday through Friday.",
  'Yes.',
  'Membership is forty nine dollars a month.',
  'Hmm, let me think.',
  'We have yoga, pilates, spin and zumba classes.',
  'On weekends we open at eight.',
  'Sure, the annual plan is four hundred ninety nine dollars a year.',
  'No.',
];
const GAPS_MS = [900, 1500, 600, 2500, 1200, 800, 1800, 1000];

export interface Labelled {
  readonly pcm: Int16Array;
  readonly labels: readonly boolean[];
  readonly utterances: readonly { start: number; end: number }[];
  /** Active speech level of the utterances (dBFS): the beds are set under it. */
  readonly levelDbfs: number;
}

function frameDb(frame: Int16Array): number {
  let e = 0;
  for (const s of frame) e += s * s;
  return e === 0 ? -120 : 10 * Math.log10(e / frame.length / 32768 ** 2);
}

export async function speechCorpus(dsp: Dsp): Promise<Labelled> {
  const voices = [
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    new FliteTts({ voice: 'kal16', mode: 'inline', levelDbfs: null }),
  ];
  const parts: Int16Array[] = [];
  const labels: boolean[] = [];
  const utterances: { start: number; end: number }[] = [];
  const levels: number[] = [];
  let frame = 0;
  for (let i = 0; i < UTTERANCES.length; i++) {
    const gap = new Int16Array(((GAPS_MS[i] as number) / VAD_FRAME_MS) * VAD_FRAME_SAMPLES);
    parts.push(gap);
    for (let k = 0; k < gap.length / VAD_FRAME_SAMPLES; k++) labels.push(false);
    frame += gap.length / VAD_FRAME_SAMPLES;
    const { pcm } = await synthesizePhoneAudio(voices[i % 2] as FliteTts, dsp, UTTERANCES[i] as string);
    const level = activeSpeechLevelDbfs(pcm, 8000);
    if (level !== undefined) levels.push(level);
    const n = Math.floor(pcm.length / VAD_FRAME_SAMPLES);
    const loud: number[] = [];
    for (let k = 0; k < n; k++)
      if (frameDb(pcm.subarray(k * VAD_FRAME_SAMPLES, (k + 1) * VAD_FRAME_SAMPLES)) > -55) loud.push(k);
    const first = loud[0] ?? 0;
    const last = loud[loud.length - 1] ?? n - 1;
    for (let k = 0; k < n; k++) labels.push(k >= first && k <= last);
    utterances.push({ start: frame + first, end: frame + last });
    parts.push(pcm.subarray(0, n * VAD_FRAME_SAMPLES));
    frame += n;
  }
  const pcm = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  // The voices' mean level in dB: at a nominal SNR the louder voice is ~5 dB above it, the quieter ~5 dB below.
  const levelDbfs = levels.reduce((a, l) => a + l, 0) / Math.max(1, levels.length);
  return { pcm, labels, utterances, levelDbfs };
}

export type Background = BackgroundKind | 'clicks';

/** `seconds` of a background alone, at the level it has under speech of `levelDbfs` at `snrDb`. */
export function backgroundOnly(dsp: Dsp, kind: Background, seconds: number, levelDbfs: number, snrDb: number) {
  return withBackground(dsp, new Int16Array(seconds * 8000), kind, levelDbfs, snrDb, 7);
}

/** `clean` with a background added, then through the codec. Deterministic by seed. */
export function withBackground(
  dsp: Dsp,
  clean: Int16Array,
  kind: Background | 'none',
  levelDbfs: number,
  snrDb: number,
  seed = 1,
): Int16Array {
  const out = clean.slice();
  if (kind === 'clicks') {
    // Line clicks: a 2 ms burst every 700 ms, over a faint hiss so the line is not digital silence.
    let s = 12345 + seed;
    const rnd = (): number => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff - 0.5;
    };
    for (let i = 0; i < out.length; i++) {
      const n = (i % 5600 < 16 ? rnd() * 20000 : 0) + rnd() * 20;
      out[i] = Math.max(-32768, Math.min(32767, Math.round((out[i] as number) + n)));
    }
  } else if (kind !== 'none') {
    new LineBackground({ kind, snrDb, seed }, levelDbfs).addTo(out);
  }
  return dsp.ulawDecode(dsp.ulawEncode(out));
}
