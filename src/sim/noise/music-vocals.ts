import { musicBed, type BarContext, type MusicBed } from './music.js';
import { midiHz, Prng, RATE, type Timeline } from './synth.js';
import { renderSyllables, VOWEL_NAMES, type Syllable } from './voice.js';

// Music with a singer: the track of music.ts and a sung line over its verses and choruses. The singer is the
// formant voice of voice.ts with vibrato on held notes, singing a melody that walks the key's scale and lands on
// chord tones on the beat, phrase by phrase with breaths between. Sung vowels are harmonic, formant-shaped energy
// in the speech band at a syllabic rhythm: what a VAD listens for, which is why this bed is the hard one.

/** Sings two-bar phrases: a phrase over the first bar pair, a rest or a second phrase over the next. */
export function musicVocalsBed(seed: number): MusicBed {
  const prng = new Prng(seed ^ 0x5f3759df);
  const female = prng.chance(0.5);
  // A singer's range: the melody sits two or three octaves above the bass root.
  const octave = female ? 36 : 24;
  let note: number | undefined;
  let resting = false;

  const sing = (tl: Timeline, bar: BarContext) => {
    if (bar.section !== 'verse' && bar.section !== 'chorus') return;
    if (bar.barInSection % 2 === 0) resting = bar.section === 'verse' && prng.chance(0.35);
    if (resting) return;
    const scale = [...bar.scale, ...bar.scale.map((s) => s + 12)].map((s) => s + octave - 12);
    const chordTones = bar.chord.map((c) => c + octave - 24);
    note ??= chordTones[0] as number;
    const syls: Syllable[] = [];
    // Start on the beat or just after it; the last beat of a phrase's second bar is a breath.
    let beats = prng.pick([0, 0.5]);
    const end = bar.barInSection % 2 === 1 ? 3 : 4;
    const lead = beats;
    while (beats < end) {
      const len = Math.min(end - beats, prng.pick([0.5, 0.5, 1, 1, 1.5, 2]));
      const onBeat = Number.isInteger(beats);
      // Chord tones on the beat, scale steps between: a melody, not a random walk over every note.
      const pool = onBeat ? chordTones : scale;
      const near = pool.filter((n) => Math.abs(n - (note as number)) <= 5);
      note = prng.pick(near.length > 0 ? near : pool);
      const hz = midiHz(note);
      syls.push({
        f0: [hz * 0.985, hz],
        seconds: (len * bar.beat) / RATE,
        vowel: prng.pick(VOWEL_NAMES),
        onset: prng.pick(['none', 'none', 'm', 's', 't'] as const),
        gain: bar.section === 'chorus' ? 1 : 0.85,
      });
      beats += len;
    }
    const voice = renderSyllables(
      syls,
      { formantScale: female ? 1.17 : 1, vibrato: 0.35, vibratoHz: 5.5, breath: 0.04 },
      prng,
    );
    tl.add(bar.at + lead * bar.beat, voice, 1.6);
  };
  return musicBed(seed, sing);
}
