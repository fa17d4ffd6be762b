import { Biquad, gate, Prng, RATE, Wavetable } from './synth.js';

// A voice-like source for the sung line (music-vocals) and the babble (chatter): a glottal pulse train (band-
// limited harmonics falling at about 7 dB/octave as radiated from the lips, with jitter and optional vibrato) through three formant resonators
// that glide from vowel to vowel, syllable envelopes, and noise for the consonants. That gives what VADs key on:
// harmonic energy with formant structure in 300–3400 Hz, modulated at the syllable rate.

/** F1–F3 (Hz) of an adult male voice (Peterson & Barney); other voices scale them. */
const VOWELS = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
  ae: [660, 1720, 2410],
  er: [490, 1350, 1690],
} as const;
export type Vowel = keyof typeof VOWELS;
export const VOWEL_NAMES = Object.keys(VOWELS) as Vowel[];

/** Relative level and bandwidth (Hz) of each formant. */
const FORMANT_GAIN = [1, 0.8, 0.6] as const;
const FORMANT_BW = [90, 110, 160] as const;

export type Onset = 'none' | 's' | 't' | 'k' | 'm';

export interface Syllable {
  /** Pitch at the start and the end of the syllable (Hz). */
  readonly f0: readonly [number, number];
  readonly seconds: number;
  readonly vowel: Vowel;
  readonly onset: Onset;
  readonly gain: number;
}

export interface VoiceOptions {
  /** Formant scale: 1 for a male voice, about 1.17 for a female one. */
  readonly formantScale: number;
  /** Vibrato depth in semitones (0 for speech). */
  readonly vibrato: number;
  readonly vibratoHz: number;
  /** Aspiration noise mixed into the voicing (0..1). */
  readonly breath: number;
}

// 1/k^1.2: the glottal source's −12 dB/octave plus the lips' +6 dB/octave radiation, a little darker.
const SOURCE = Wavetable.tilted(40, 1.2);
/** Formant coefficients are recomputed this often (samples): 4 ms, far faster than any vowel glide. */
const CONTROL = 32;

/** Renders syllables back to back into one sound (silence between them is the caller's business). */
export function renderSyllables(syls: readonly Syllable[], o: VoiceOptions, prng: Prng): Float32Array {
  const total = Math.ceil(syls.reduce((s, x) => s + x.seconds, 0) * RATE) + Math.round(0.05 * RATE);
  const out = new Float32Array(total);
  const formants = FORMANT_GAIN.map(() => new Biquad('bandpass', 500, 5));
  const hiss = new Biquad('highpass', 3000);
  const burst = new Biquad('bandpass', 2500, 1.5);
  let phase = 0;
  let vibPhase = prng.next();
  let pos = 0;
  let prevVowel: Vowel = syls[0]?.vowel ?? 'a';
  for (const s of syls) {
    const n = Math.round(s.seconds * RATE);
    const consonant = s.onset === 'none' ? 0 : s.onset === 's' ? 0.09 : s.onset === 'm' ? 0.06 : 0.03;
    const from = VOWELS[prevVowel];
    const to = VOWELS[s.vowel];
    for (let i = 0; i < n && pos + i < total; i++) {
      const t = i / RATE;
      if (i % CONTROL === 0) {
        // The first 60 ms glide from the previous vowel: coarticulation, not a jump.
        const g = Math.min(1, t / 0.06);
        formants.forEach((f, k) => {
          const hz = ((from[k] as number) + ((to[k] as number) - (from[k] as number)) * g) * o.formantScale;
          f.set('bandpass', hz, hz / (FORMANT_BW[k] as number));
        });
      }
      const glide = s.f0[0] + (s.f0[1] - s.f0[0]) * (i / n);
      // Vibrato grows in after 150 ms, as singers do on held notes.
      const vib = o.vibrato * Math.min(1, Math.max(0, (t - 0.15) / 0.2)) * Math.sin(2 * Math.PI * vibPhase);
      vibPhase += o.vibratoHz / RATE;
      const hz = glide * 2 ** (vib / 12) * (1 + 0.004 * prng.noise());
      phase += hz / RATE;
      const voiced = t < consonant && s.onset !== 'm' ? 0 : 1;
      const src = voiced * (SOURCE.at(phase, hz) + o.breath * prng.noise());
      let y = 0;
      for (let k = 0; k < formants.length; k++) y += (FORMANT_GAIN[k] as number) * (formants[k] as Biquad).process(src);
      if (s.onset === 'm' && t < consonant) y *= 0.3;
      if (t < consonant && (s.onset === 's' || s.onset === 't' || s.onset === 'k')) {
        const noise = s.onset === 's' ? hiss.process(prng.noise()) : burst.process(prng.noise());
        const env = s.onset === 's' ? 0.25 : 0.5 * Math.exp(-t / 0.01);
        y += noise * env;
      }
      const voicedLen = Math.max(0.02, s.seconds - consonant - 0.04);
      const env = t < consonant ? 1 : gate(t - consonant, 0.025, voicedLen, 0.04);
      out[pos + i] = (out[pos + i] as number) + y * env * s.gain;
    }
    pos += n;
    prevVowel = s.vowel;
  }
  return out;
}

/**
 * One spoken phrase: 4–5 syllables a second, pitch falling over the phrase (declination) with accents, as
 * conversational speech has.
 */
export function speechPhrase(prng: Prng, f0Base: number, seconds: number): Syllable[] {
  const out: Syllable[] = [];
  let t = 0;
  while (t < seconds) {
    const dur = prng.range(0.12, 0.28);
    const decl = 1.15 - 0.3 * (t / seconds);
    const accent = prng.chance(0.25) ? prng.range(1.08, 1.25) : 1;
    const f0 = f0Base * decl * accent;
    out.push({
      f0: [f0, f0 * prng.range(0.9, 1.02)],
      seconds: dur,
      vowel: prng.pick(VOWEL_NAMES),
      onset: prng.pick(['none', 's', 't', 'k', 'm', 'none'] as const),
      gain: prng.range(0.6, 1),
    });
    t += dur;
  }
  return out;
}
