import { Biquad, type Bed, PinkNoise, Prng, RATE, timelineBed } from './synth.js';
import { renderSyllables, speechPhrase } from './voice.js';

// People talking near the front desk: two or three conversations at once, each between two talkers who take
// turns (short gaps, sometimes talking over each other), every talker with their own pitch and formant size and
// at their own distance (farther = quieter and duller, with more of the room's reflection). Under it, the room's
// own air. The result is babble: speech-band energy with syllabic modulation from several directions.

interface Talker {
  readonly f0: number;
  readonly formantScale: number;
  readonly gain: number;
  readonly tone: Biquad;
  /** Room reflection: delay (samples) and level; more of it for far talkers. */
  readonly echo: readonly [number, number];
}

interface Conversation {
  readonly talkers: readonly [Talker, Talker];
  /** Its own random stream: what one conversation draws must not depend on how reads interleave them. */
  readonly prng: Prng;
  next: number;
  turn: 0 | 1;
}

function talker(prng: Prng): Talker {
  const female = prng.chance(0.5);
  const distance = prng.range(1, 4); // metres from the receptionist's phone
  return {
    f0: female ? prng.range(175, 235) : prng.range(95, 135),
    formantScale: female ? prng.range(1.12, 1.22) : prng.range(0.95, 1.05),
    gain: 1 / distance,
    tone: new Biquad('lowpass', 3600 - 500 * distance),
    echo: [Math.round(prng.range(0.02, 0.045) * RATE), 0.1 + 0.08 * distance],
  };
}

export function chatterBed(seed: number): Bed {
  const prng = new Prng(seed);
  const room = new PinkNoise(prng.fork(2));
  const roomTone = new Biquad('lowpass', 900);
  const conversations: Conversation[] = Array.from({ length: prng.int(2, 3) }, () => ({
    talkers: [talker(prng), talker(prng)],
    prng: prng.fork(1),
    next: Math.round(prng.range(0, 1.5) * RATE),
    turn: prng.chance(0.5) ? 1 : 0,
  }));
  let roomAt = 0;
  return timelineBed((tl, until) => {
    for (const c of conversations) {
      const voices = c.prng;
      while (c.next < until) {
        const who = c.talkers[c.turn];
        const seconds = voices.range(0.8, 3.5);
        const dry = renderSyllables(
          speechPhrase(voices, who.f0, seconds),
          { formantScale: who.formantScale, vibrato: 0, vibratoHz: 0, breath: 0.08 },
          voices,
        );
        const [delay, level] = who.echo;
        const wet = new Float32Array(dry.length + delay);
        for (let i = 0; i < wet.length; i++) {
          const d = i < dry.length ? (dry[i] as number) : 0;
          const e = i >= delay ? (dry[i - delay] as number) : 0;
          wet[i] = who.tone.process(d + level * e);
        }
        tl.add(c.next, wet, who.gain);
        // Turn-taking: mostly a short gap, sometimes a long one, sometimes the other starts before the end.
        const gap = voices.chance(0.15) ? -voices.range(0.1, 0.4) : voices.range(0.15, voices.chance(0.2) ? 2.5 : 0.8);
        c.next += dry.length + Math.round(gap * RATE);
        c.turn = c.turn === 0 ? 1 : 0;
      }
    }
    const air = new Float32Array(until - roomAt);
    for (let i = 0; i < air.length; i++) air[i] = roomTone.process(room.next()) * 0.03;
    tl.add(roomAt, air);
    roomAt = until;
  });
}
