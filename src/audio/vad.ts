import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Dsp } from '../dsp/types.js';

// Voice activity detection on the caller's 8 kHz audio, in two layers:
//  - a frame classifier gives each 20 ms frame a speech probability and a decision: `energy` (the DSP addon's
//    frameFeatures: level above an adaptive noise floor plus a speech-band share), `fvad` (WebRTC's GMM VAD,
//    @echogarden/fvad-wasm), `hybrid` (both), `silero` (Silero VAD's network behind an energy gate, silero.ts),
//    `rnnoise` (RNNoise's voice probability behind the same gate, rnnoise.ts; measured, not recommended).
//    bench/vad.ts measures them on labelled audio with gym backgrounds; docs/benchmarks/vad.md has the result
//    that picked the default.
//  - hysteresis turns frame decisions into edges (voice after `startFrames` speech frames in a row, silence after
//    `hangoverFrames` non-speech frames). The call machine applies its own minimum durations on top; these are
//    only the raw VAD.VOICE / VAD.SILENCE edges.

export const VAD_SAMPLE_RATE = 8000;
export const VAD_FRAME_MS = 20;
export const VAD_FRAME_SAMPLES = (VAD_SAMPLE_RATE * VAD_FRAME_MS) / 1000;

/** Every frame classifier a call can run; VAD_KIND (src/config/env.ts) names one of them. */
export const VAD_KINDS = ['hybrid', 'fvad', 'energy', 'silero', 'rnnoise'] as const;
export type VadKind = (typeof VAD_KINDS)[number];
/** Chosen by measurement (docs/benchmarks/vad.md): the only one that music, a singer, street noise and clicks cannot fool. */
export const DEFAULT_VAD: VadKind = 'silero';

export interface FrameClassifier {
  /** Which of VAD_KINDS this is: what a call reports as the detector that ran. */
  readonly kind: VadKind;
  /** The kind with its settings (fvad2, hybrid1), for benchmarks. */
  readonly name: string;
  /**
   * One decision per whole 20 ms frame of `pcm` (length must be a multiple of the frame size). With
   * `probabilities`, each frame's speech probability (0..1) is appended to it in the same order; a frame is
   * speech exactly when its probability is above 0.5. Models give theirs; fvad's is 0 or 1, the energy
   * classifier's a logistic of its margin over the threshold (docs/benchmarks/vad.md).
   */
  classify(pcm: Int16Array, probabilities?: number[]): boolean[];
  reset(): void;
  close(): void;
}

export interface EnergyVadOptions {
  /** Absolute level a frame must exceed to be speech (dBFS). */
  minDb?: number;
  /** Margin above the tracked noise floor (dB). */
  marginDb?: number;
  /** Share of energy in the speech band a frame must have (rejects mains hum). */
  minBandShare?: number;
  /** Noise-floor memory. */
  floorWindowMs?: number;
}

/** dB over the threshold → 0..1: 0.5 at the threshold, 0.95 at +9 dB, 0.05 at -9 dB. */
function levelProbability(overDb: number): number {
  return 1 / (1 + Math.exp(-overDb / 3));
}

/**
 * Level-over-noise-floor classifier on the addon's frame features (energy dBFS, band share, ZCR). The floor is
 * the quietest frame of the last `floorWindowMs` (minimum statistics): speech always has short gaps, so the
 * minimum finds the noise under it, and the floor never depends on the classifier's own decisions (which
 * would lock up when noise starts out above the floor).
 *
 * Cost (it runs on every 20 ms of every call): one native call per chunk; the addon's SIMD feature kernels take
 * about 0.2 µs per 160-sample frame (docs/benchmarks/dsp.md), so there is nothing to gain by computing the level
 * in JS, and every sample operation stays in the addon.
 */
export function createEnergyClassifier(dsp: Pick<Dsp, 'frameFeatures'>, opts: EnergyVadOptions = {}): FrameClassifier {
  const minDb = opts.minDb ?? -50;
  const margin = opts.marginDb ?? 10;
  const minBand = opts.minBandShare ?? 0.02;
  const window = new Float32Array(Math.max(5, Math.round((opts.floorWindowMs ?? 1500) / VAD_FRAME_MS))).fill(0);
  let pos = 0;
  return {
    kind: 'energy',
    name: 'energy',
    classify(pcm, probabilities) {
      const f = dsp.frameFeatures(pcm, VAD_FRAME_SAMPLES);
      const out: boolean[] = [];
      for (let i = 0; i + 2 < f.length; i += 3) {
        const db = f[i] as number;
        window[pos] = db;
        pos = (pos + 1) % window.length;
        // Unfilled slots hold 0 dBFS, so until the window is full the floor is the quietest frame so far.
        let floor = 0;
        for (let k = 0; k < window.length; k++) if ((window[k] as number) < floor) floor = window[k] as number;
        const over = db - Math.max(minDb, floor + margin);
        const speech = over > 0 && (f[i + 1] as number) >= minBand;
        out.push(speech);
        probabilities?.push(speech || over <= 0 ? levelProbability(over) : 0);
      }
      return out;
    },
    reset() {
      window.fill(0);
      pos = 0;
    },
    close() {},
  };
}

interface FvadModule {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_reset(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, ptr: number, len: number): number;
  _malloc(n: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

let fvadModule: Promise<FvadModule> | undefined;

async function loadFvad(): Promise<FvadModule> {
  const path = createRequire(import.meta.url).resolve('@echogarden/fvad-wasm');
  const mod = (await import(pathToFileURL(path).href)) as { default: () => Promise<FvadModule> };
  return mod.default();
}

/** Bytes of the WASM heap that holds every call's fvad state (it only grows): how a test sees a detector left unfreed. */
export async function fvadHeapBytes(): Promise<number> {
  fvadModule ??= loadFvad();
  return (await fvadModule).HEAP16.buffer.byteLength;
}

/** WebRTC VAD. mode 0 (least aggressive) .. 3 (most aggressive at rejecting non-speech). */
export async function createFvadClassifier(mode: 0 | 1 | 2 | 3 = 2): Promise<FrameClassifier> {
  fvadModule ??= loadFvad();
  const m = await fvadModule;
  const inst = m._fvad_new();
  if (!inst) throw new Error('fvad_new failed');
  if (m._fvad_set_mode(inst, mode) !== 0 || m._fvad_set_sample_rate(inst, VAD_SAMPLE_RATE) !== 0) {
    m._fvad_free(inst);
    throw new Error('fvad configuration rejected');
  }
  const buf = m._malloc(VAD_FRAME_SAMPLES * 2);
  let closed = false;
  return {
    kind: 'fvad',
    name: `fvad${mode}`,
    classify(pcm, probabilities) {
      if (closed) throw new Error('fvad classifier is closed');
      const out: boolean[] = [];
      for (let o = 0; o + VAD_FRAME_SAMPLES <= pcm.length; o += VAD_FRAME_SAMPLES) {
        m.HEAP16.set(pcm.subarray(o, o + VAD_FRAME_SAMPLES), buf >> 1);
        const r = m._fvad_process(inst, buf, VAD_FRAME_SAMPLES);
        if (r < 0) throw new Error('fvad_process failed');
        out.push(r === 1);
        // libfvad returns only its decision, not the likelihood ratio behind it.
        probabilities?.push(r === 1 ? 1 : 0);
      }
      return out;
    },
    reset() {
      m._fvad_reset(inst);
      m._fvad_set_mode(inst, mode);
      m._fvad_set_sample_rate(inst, VAD_SAMPLE_RATE);
    },
    close() {
      if (closed) return;
      closed = true;
      m._free(buf);
      m._fvad_free(inst);
    },
  };
}

/**
 * Both must agree: WebRTC's spectral model says speech and the level is above the noise floor. fvad alone
 * fires on quiet non-speech (codec noise, hiss); the energy gate alone misses weak speech in noise.
 */
export async function createHybridClassifier(
  dsp: Pick<Dsp, 'frameFeatures'>,
  mode: 0 | 1 | 2 | 3 = 2,
  opts: EnergyVadOptions = {},
): Promise<FrameClassifier> {
  const fvad = await createFvadClassifier(mode);
  // The gate is looser than the energy classifier alone: fvad already rejects non-speech above the floor.
  const energy = createEnergyClassifier(dsp, { ...opts, marginDb: opts.marginDb ?? 6, minDb: opts.minDb ?? -55 });
  return {
    kind: 'hybrid',
    name: `hybrid${mode}`,
    classify(pcm, probabilities) {
      if (probabilities === undefined) {
        const a = fvad.classify(pcm);
        const b = energy.classify(pcm);
        return a.map((v, i) => v && (b[i] ?? false));
      }
      const pa: number[] = [];
      const pb: number[] = [];
      const a = fvad.classify(pcm, pa);
      const b = energy.classify(pcm, pb);
      // Both must agree, so the weaker of the two is the frame's probability (above 0.5 exactly when both are).
      for (let i = 0; i < a.length; i++) probabilities.push(Math.min(pa[i] as number, pb[i] as number));
      return a.map((v, i) => v && (b[i] ?? false));
    },
    reset() {
      fvad.reset();
      energy.reset();
    },
    close() {
      fvad.close();
      energy.close();
    },
  };
}

/** A raw VAD edge; minimum-duration and barge-in logic belongs to the call machine. */
export interface VadEdge {
  readonly kind: 'voice' | 'silence';
  /** Stream time: start of the first speech frame (voice) or end of the last speech frame (silence). */
  readonly atMs: number;
}

export interface HysteresisOptions {
  startFrames?: number;
  hangoverFrames?: number;
}

const NO_SAMPLES = new Int16Array(0);

/** Streaming VAD: push any number of samples, get edges. Keeps a partial frame between pushes. */
export class Vad {
  private readonly startFrames: number;
  private readonly hangover: number;
  private carry = new Int16Array(0);
  private frameIndex = 0;
  private inSpeech = false;
  private run = 0;
  private quiet = 0;
  private lastSpeechEnd = 0;

  constructor(
    readonly classifier: FrameClassifier,
    opts: HysteresisOptions = {},
  ) {
    this.startFrames = opts.startFrames ?? 3;
    this.hangover = opts.hangoverFrames ?? 10;
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Frames classified since the start (or reset): frame n starts at n × VAD_FRAME_MS of the VAD's clock. */
  get frames(): number {
    return this.frameIndex;
  }

  /**
   * Smoothed per-frame state of the last push (for benchmarks) is appended to `states` when given, and each
   * frame's speech probability (FrameClassifier.classify) to `probabilities`.
   */
  push(pcm: Int16Array, states?: boolean[], probabilities?: number[]): VadEdge[] {
    let data = pcm;
    if (this.carry.length > 0) {
      data = new Int16Array(this.carry.length + pcm.length);
      data.set(this.carry);
      data.set(pcm, this.carry.length);
    }
    const whole = data.length - (data.length % VAD_FRAME_SAMPLES);
    this.carry = whole === data.length ? NO_SAMPLES : data.slice(whole);
    if (whole === 0) return [];
    const frames = this.classifier.classify(data.subarray(0, whole), probabilities);
    const edges: VadEdge[] = [];
    for (const speech of frames) {
      const startMs = this.frameIndex * VAD_FRAME_MS;
      this.frameIndex++;
      if (speech) {
        this.run++;
        this.quiet = 0;
        this.lastSpeechEnd = startMs + VAD_FRAME_MS;
        if (!this.inSpeech && this.run >= this.startFrames) {
          this.inSpeech = true;
          edges.push({ kind: 'voice', atMs: startMs - (this.startFrames - 1) * VAD_FRAME_MS });
        }
      } else {
        this.run = 0;
        this.quiet++;
        if (this.inSpeech && this.quiet >= this.hangover) {
          this.inSpeech = false;
          edges.push({ kind: 'silence', atMs: this.lastSpeechEnd });
        }
      }
      states?.push(this.inSpeech);
    }
    return edges;
  }

  reset(): void {
    this.carry = new Int16Array(0);
    this.frameIndex = 0;
    this.inSpeech = false;
    this.run = 0;
    this.quiet = 0;
    this.classifier.reset();
  }

  close(): void {
    this.classifier.close();
  }
}

export interface CreateVadOptions extends HysteresisOptions, EnergyVadOptions {
  kind?: VadKind;
  fvadMode?: 0 | 1 | 2 | 3;
}

// The models load on first use only (a dynamic import): a process that runs fvad never loads onnxruntime.
const silero: ClassifierFactory = async (dsp) => (await import('./silero.js')).createSileroClassifier(dsp);
const rnnoise: ClassifierFactory = async (dsp) => (await import('./rnnoise.js')).createRnnoiseClassifier(dsp);

/** What the detectors need of the DSP addon: frame features (energy, gates); the resampler for 48 kHz models. */
export type VadDsp = Pick<Dsp, 'frameFeatures' | 'createResampler'>;

type ClassifierFactory = (dsp: VadDsp, opts: CreateVadOptions) => Promise<FrameClassifier>;

/** Each kind's classifier. A Record over VadKind: a kind without a classifier does not compile. */
const CLASSIFIERS: Record<VadKind, ClassifierFactory> = {
  hybrid: (dsp, o) => createHybridClassifier(dsp, o.fvadMode ?? 2, o),
  fvad: (_dsp, o) => createFvadClassifier(o.fvadMode ?? 2),
  energy: (dsp, o) => Promise.resolve(createEnergyClassifier(dsp, o)),
  silero,
  rnnoise,
};

/** The VAD for a call, with the classifier `opts.kind` names. `dsp` is the loaded addon (src/dsp/index.ts). */
export async function createVad(dsp: VadDsp, opts: CreateVadOptions = {}): Promise<Vad> {
  return new Vad(await CLASSIFIERS[opts.kind ?? DEFAULT_VAD](dsp, opts), opts);
}
