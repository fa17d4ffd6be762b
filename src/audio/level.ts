// Speech level: measuring it and bringing a whole utterance to a telephone level. Offline voices come at very
// different levels (flite's kal16 speaks at about −27 dBFS while speaking, slt at about −16), and a quiet agent
// is hard to follow on a phone line, so each synthesised utterance is normalised once, before it is streamed.
// This runs where the synthesis runs (flite's worker thread), on the whole utterance, never per 20 ms frame.

/** Frames of 10 ms: short enough to follow syllables, long enough for a stable RMS. */
const FRAME_MS = 10;
/** Frames this far below the loudest one (or below the floor) are pauses, not speech. */
const GATE_BELOW_LOUDEST_DB = 30;
const FLOOR_DBFS = -55;
const FULL_SCALE = 32768;

/** The level the agent speaks at: mid-range of a telephone's active-speech level (−16 to −20 dBFS). */
export const SPEECH_LEVEL_DBFS = -18;
/** Peaks stay below this after the gain, with room for the resampler's overshoot on the way to 8 kHz. */
export const PEAK_CEILING_DBFS = -2;
/** Never amplify by more than this: an almost silent utterance is not turned into loud noise. */
const MAX_GAIN_DB = 24;
/** How fast the limiter lets go after a peak. */
const LIMITER_RELEASE_MS = 50;

const dbToLinear = (db: number): number => 10 ** (db / 20);

function frameEnergies(pcm: Int16Array, sampleRate: number): { energy: Float64Array; size: number } {
  const size = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  const n = Math.floor(pcm.length / size);
  const energy = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let e = 0;
    for (let i = f * size; i < (f + 1) * size; i++) {
      const x = pcm[i] as number;
      e += x * x;
    }
    energy[f] = e / size;
  }
  return { energy, size };
}

/**
 * Active-speech level in dBFS (a full-scale sine is −3 dBFS): the RMS over the 10 ms frames that are speech, i.e.
 * within 30 dB of the loudest frame and above −55 dBFS. Undefined when nothing is that loud.
 */
export function activeSpeechLevelDbfs(pcm: Int16Array, sampleRate: number): number | undefined {
  const { energy } = frameEnergies(pcm, sampleRate);
  let loudest = 0;
  for (const e of energy) loudest = Math.max(loudest, e);
  const gate = Math.max(loudest * dbToLinear(-2 * GATE_BELOW_LOUDEST_DB), FULL_SCALE ** 2 * dbToLinear(2 * FLOOR_DBFS));
  let sum = 0;
  let count = 0;
  for (const e of energy)
    if (e >= gate && e > 0) {
      sum += e;
      count++;
    }
  if (count === 0) return undefined;
  return 10 * Math.log10(sum / count / FULL_SCALE ** 2);
}

/** Highest absolute sample in dBFS (−Infinity for silence). */
export function peakDbfs(pcm: Int16Array): number {
  let peak = 0;
  for (const x of pcm) peak = Math.max(peak, Math.abs(x));
  return 20 * Math.log10(peak / FULL_SCALE);
}

/**
 * A copy of `pcm` with its active-speech level at `targetDbfs`, peaks held under `ceilingDbfs` by a limiter
 * (instant attack, so no sample ever exceeds the ceiling; 50 ms release). Silence comes back unchanged.
 */
export function normaliseSpeechLevel(
  pcm: Int16Array,
  sampleRate: number,
  targetDbfs = SPEECH_LEVEL_DBFS,
  ceilingDbfs = PEAK_CEILING_DBFS,
): Int16Array {
  const level = activeSpeechLevelDbfs(pcm, sampleRate);
  if (level === undefined) return pcm.slice();
  const gain = dbToLinear(Math.min(MAX_GAIN_DB, targetDbfs - level));
  const ceiling = dbToLinear(ceilingDbfs) * FULL_SCALE;
  const release = Math.exp(-1 / ((sampleRate * LIMITER_RELEASE_MS) / 1000));
  const out = new Int16Array(pcm.length);
  let envelope = 0;
  for (let i = 0; i < pcm.length; i++) {
    const y = (pcm[i] as number) * gain;
    envelope = Math.max(Math.abs(y), envelope * release);
    const limited = envelope > ceiling ? (y * ceiling) / envelope : y;
    out[i] = Math.round(limited);
  }
  return out;
}
