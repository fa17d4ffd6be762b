import {
  attackDecay,
  Biquad,
  type Bed,
  gate,
  midiHz,
  Prng,
  RATE,
  timelineBed,
  type Timeline,
  Wavetable,
} from './synth.js';

// Gym music: a four-on-the-floor track at 120–128 BPM, bar by bar. Kick (a pitched-down decaying sine with a
// click), snare and hi-hats (filtered noise bursts), a bass line, and chords played by several detuned harmonic
// voices with envelopes, in a song structure (intro, verses, choruses, breakdowns with a snare build) drawn from
// the seed, so a long call does not hear one loop. music-vocals.ts sings over it through the `layer` hook.

export type SongSection = 'intro' | 'verse' | 'chorus' | 'breakdown' | 'build';

export interface BarContext {
  /** Absolute sample where the bar starts. */
  readonly at: number;
  /** Samples per beat. */
  readonly beat: number;
  readonly section: SongSection;
  /** Bar index within its section. */
  readonly barInSection: number;
  /** MIDI notes of the bar's chord (root first) and of the key's scale. */
  readonly chord: readonly number[];
  readonly scale: readonly number[];
  readonly keyRoot: number;
}

/** Something more played over each bar (the sung line). */
export type BarLayer = (tl: Timeline, bar: BarContext) => void;

export interface MusicBed extends Bed {
  readonly bpm: number;
}

interface Progression {
  readonly roots: readonly number[];
  readonly minor: readonly boolean[];
}
const MAJOR_KEY: readonly Progression[] = [
  { roots: [0, 7, 9, 5], minor: [false, false, true, false] }, // I–V–vi–IV
  { roots: [9, 5, 0, 7], minor: [true, false, false, false] }, // vi–IV–I–V
];
const MINOR_KEY: readonly Progression[] = [
  { roots: [0, 8, 3, 10], minor: [true, false, false, false] }, // i–VI–III–VII
  { roots: [0, 5, 8, 7], minor: [true, true, false, false] }, // i–iv–VI–V
];
const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11];
const MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10];

const BASS = Wavetable.tilted(16, 1);
const KEYS = Wavetable.tilted(10, 1.4);

function kick(): Float32Array {
  const n = Math.round(0.32 * RATE);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    phase += (48 + 110 * Math.exp(-t / 0.028)) / RATE;
    out[i] = Math.sin(2 * Math.PI * phase) * attackDecay(t, 0.002, 0.11);
  }
  return out;
}

function noiseHit(prng: Prng, seconds: number, filters: Biquad[], tau: number, body?: [number, number]): Float32Array {
  const n = Math.round(seconds * RATE);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    let x = prng.noise();
    for (const f of filters) x = f.process(x);
    out[i] = x * attackDecay(t, 0.001, tau) + (body ? Math.sin(2 * Math.PI * body[0] * t) * Math.exp(-t / body[1]) : 0);
  }
  return out;
}

/** A few takes of each drum, so repeated hits are not sample-identical. */
function kit(prng: Prng) {
  const takes = <T>(make: () => T): T[] => [make(), make(), make()];
  return {
    kick: kick(),
    snare: takes(() =>
      noiseHit(prng, 0.22, [new Biquad('bandpass', 1900, 0.7)], 0.07, [prng.range(175, 200), 0.045]).map(
        (x) => x * 1.6,
      ),
    ),
    hat: takes(() => noiseHit(prng, 0.06, [new Biquad('highpass', 3000), new Biquad('highpass', 3200)], 0.014)),
    openHat: takes(() => noiseHit(prng, 0.25, [new Biquad('highpass', 2800)], 0.09)),
  };
}

/** One chord note: three voices a few cents apart, each with its own phase, through a gentle low-pass. */
function chordNote(note: number, seconds: number, attack: number, release: number, prng: Prng): Float32Array {
  const n = Math.round((seconds + release) * RATE);
  const out = new Float32Array(n);
  const lp = new Biquad('lowpass', 2600);
  const voices = [-9, 0, 8].map((cents) => ({ hz: midiHz(note + cents / 100), phase: prng.next() }));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const v of voices) {
      v.phase += v.hz / RATE;
      s += KEYS.at(v.phase, v.hz);
    }
    out[i] = lp.process(s / 3) * gate(i / RATE, attack, seconds, release);
  }
  return out;
}

function bassNote(note: number, seconds: number): Float32Array {
  const n = Math.round((seconds + 0.04) * RATE);
  const out = new Float32Array(n);
  const lp = new Biquad('lowpass', 420, 1.1);
  const hz = midiHz(note);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += hz / RATE;
    out[i] = lp.process(BASS.at(phase, hz)) * gate(i / RATE, 0.005, seconds, 0.04);
  }
  return out;
}

/** The song's sections, drawn one after another from the seed. */
function* structure(prng: Prng): Generator<{ section: SongSection; bars: number }> {
  yield { section: 'intro', bars: prng.pick([4, 8]) };
  for (;;) {
    yield { section: 'verse', bars: prng.pick([8, 16]) };
    yield { section: 'chorus', bars: 8 };
    if (prng.chance(0.5)) {
      yield { section: 'breakdown', bars: 4 };
      yield { section: 'build', bars: 2 };
      yield { section: 'chorus', bars: 8 };
    }
  }
}

export function musicBed(seed: number, layer?: BarLayer): MusicBed {
  const prng = new Prng(seed);
  const bpm = prng.int(120, 128);
  const beat = (60 / bpm) * RATE;
  const minorKey = prng.chance(0.5);
  const prog = prng.pick(minorKey ? MINOR_KEY : MAJOR_KEY);
  const keyRoot = prng.int(38, 45); // D2–A2: the bass register
  const scale = (minorKey ? MINOR_SCALE : MAJOR_SCALE).map((s) => keyRoot + s);
  const drums = kit(prng.fork(1));
  const pick = prng.fork(2);
  const sections = structure(prng.fork(3));
  let current = sections.next().value as { section: SongSection; bars: number };
  let barInSection = 0;
  let bar = 0;

  const renderBar = (tl: Timeline) => {
    const at = bar * 4 * beat;
    const step = (eighth: number) => at + eighth * (beat / 2);
    const degree = bar % 4;
    const root = keyRoot + (prog.roots[degree] as number);
    const third = prog.minor[degree] ? 3 : 4;
    const chord = [root + 24, root + 24 + third, root + 31, ...(pick.chance(0.3) ? [root + 34] : [])];
    const { section } = current;
    const lastBar = barInSection === current.bars - 1;
    const drumsOn = section !== 'breakdown';
    for (let b = 0; b < 4 && drumsOn && section !== 'build'; b++) tl.add(at + b * beat, drums.kick, 0.9);
    if (section === 'verse' || section === 'chorus') {
      for (const b of [1, 3]) tl.add(at + b * beat, pick.pick(drums.snare), 0.45);
      for (let e = 0; e < 8; e++) {
        const open = section === 'chorus' && e % 2 === 1;
        tl.add(step(e), pick.pick(open ? drums.openHat : drums.hat), open ? 0.12 : e % 2 === 0 ? 0.2 : 0.13);
      }
      // A fill into the next section: sixteenth snares on the last beat.
      if (lastBar) for (let s = 0; s < 4; s++) tl.add(at + 3 * beat + (s * beat) / 4, pick.pick(drums.snare), 0.3);
    } else if (section === 'intro') {
      for (let e = 1; e < 8; e += 2) tl.add(step(e), pick.pick(drums.hat), 0.15);
    } else if (section === 'build') {
      // The snare roll doubles its rate each bar and grows louder.
      const per = barInSection === 0 ? 4 : 8;
      for (let s = 0; s < 4 * per; s++)
        tl.add(at + (s * beat) / per, pick.pick(drums.snare), 0.15 + (0.35 * s) / (4 * per));
    }
    if (section !== 'intro') {
      // Bass: eighths on the root with octave jumps in the chorus, long notes in the breakdown.
      if (section === 'breakdown') tl.add(at, bassNote(root, (4 * beat) / RATE - 0.05), 0.45);
      else
        for (let e = 0; e < 8; e++) {
          const note = section === 'chorus' && e % 2 === 1 ? root + 12 : root;
          if (section === 'build' && e % 2 === 1) continue;
          tl.add(step(e), bassNote(note, beat / 2 / RATE - 0.03), 0.4);
        }
    }
    // Chords: stabs on the off-beats in verses, held pads in choruses and breakdowns.
    const held = section === 'chorus' || section === 'breakdown' || section === 'intro';
    if (held) {
      for (const note of chord)
        tl.add(at, chordNote(note, (4 * beat) / RATE - 0.1, section === 'intro' ? 0.4 : 0.06, 0.25, pick), 0.11);
    } else
      for (let e = 1; e < 8; e += 2)
        for (const note of chord) tl.add(step(e), chordNote(note, beat / 2 / RATE - 0.06, 0.008, 0.08, pick), 0.13);
    layer?.(tl, { at, beat, section, barInSection, chord, scale, keyRoot });
    bar++;
    if (++barInSection >= current.bars) {
      current = sections.next().value as { section: SongSection; bars: number };
      barInSection = 0;
    }
  };

  const bed = timelineBed((tl, until) => {
    while (bar * 4 * beat < until) renderBar(tl);
  });
  return { bpm, read: (n) => bed.read(n) };
}
