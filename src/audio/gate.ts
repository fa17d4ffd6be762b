import type { Dsp } from '../dsp/types.js';
import { createEnergyClassifier, VAD_FRAME_SAMPLES, type FrameClassifier, type VadKind } from './vad.js';

// A neural speech model behind a cheap gate. The gate is the addon's frame features (level over the line's
// noise floor and a speech-band share, the energy classifier with a low margin): where nothing rises over the
// floor there is no speech to find, and the model stays idle. A quiet line (most of a call: the caller listens
// while the agent speaks) then costs the gate's 0.2 µs a frame instead of the model's. The model keeps running
// for a hangover after the gate closes so the tails of words are judged by it, not by the level.

/** One call's model: fed every 20 ms frame in order, evaluated only where it is told to be active. */
export interface FrameModel {
  /** The model's settings, for benchmarks (silero, rnnoise). */
  readonly name: string;
  /**
   * Takes the next frame (VAD_FRAME_SAMPLES of 8 kHz PCM); with `active` the model evaluates it. Returns the
   * speech probability the model has for the line now (its latest result, which may be a window behind).
   */
  push(frame: Int16Array, active: boolean): number;
  /** The gate closed for good (after the hangover): forget the last result, so a new start begins at 0. */
  sleep(): void;
  reset(): void;
  close(): void;
}

export interface GateOptions {
  /** false: the model runs on every frame (the worst case, and the benchmark's reference). */
  gate?: boolean;
  /** dB over the noise floor that opens the gate (the energy classifier alone uses 10). */
  marginDb?: number;
  /** Absolute level under which the gate stays shut (dBFS). */
  minDb?: number;
  /** Frames the model keeps running after the gate closed. */
  hangoverFrames?: number;
}

export function createGatedClassifier(
  kind: VadKind,
  dsp: Pick<Dsp, 'frameFeatures'>,
  model: FrameModel,
  opts: GateOptions = {},
): FrameClassifier {
  const gated = opts.gate ?? true;
  const hangover = opts.hangoverFrames ?? 15;
  const gate = createEnergyClassifier(dsp, { marginDb: opts.marginDb ?? 3, minDb: opts.minDb ?? -55 });
  const gateP: number[] = [];
  let sinceOpen = Infinity;
  return {
    kind,
    name: gated ? `${model.name}+gate` : model.name,
    classify(pcm, probabilities) {
      const out: boolean[] = [];
      gateP.length = 0;
      const open = gated ? gate.classify(pcm, gateP) : undefined;
      for (let i = 0, o = 0; o + VAD_FRAME_SAMPLES <= pcm.length; i++, o += VAD_FRAME_SAMPLES) {
        const frame = pcm.subarray(o, o + VAD_FRAME_SAMPLES);
        sinceOpen = open === undefined || open[i] === true ? 0 : sinceOpen + 1;
        const active = sinceOpen <= hangover;
        if (sinceOpen === hangover + 1) model.sleep();
        const modelP = model.push(frame, active);
        // An idle model says nothing: the frame is the gate's, and a shut gate is below 0.5 by construction.
        const p = active ? modelP : (gateP[i] as number);
        out.push(p > 0.5);
        probabilities?.push(p);
      }
      return out;
    },
    reset() {
      gate.reset();
      model.reset();
      sinceOpen = Infinity;
    },
    close() {
      gate.close();
      model.close();
    },
  };
}
