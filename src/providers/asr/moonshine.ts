import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadOnce, ONE_THREAD_SESSION } from '../../audio/onnx.js';
import { joinPcm, pcmToFloat } from '../../audio/pcm.js';
import { packageRoot } from '../../dsp/index.js';
import type { Dsp } from '../../dsp/types.js';
import { BOOST, biasFor, type PhraseBias } from './moonshine-bias.js';
import type { AsrContext } from './types.js';

// Moonshine tiny (English, MIT, Useful Sensors), a small encoder-decoder speech recogniser trained on real speech
// in real noise, through the onnxruntime-node we already run Silero with. The grammar decoder (soundswallower) is
// fast and exact on a quiet line but turns music and chatter into the grammar's words and loses her answers under
// them; Moonshine hears the same answers (docs/benchmarks/asr-noise.md "Moonshine on noisy lines"). It is not a
// streaming recogniser: it transcribes an utterance once it has ended, so the grammar decoder still gives the
// partials. The files come from the npm package its authors publish (scripts/fetch-models.mjs).
//
// Sharing: one session per thread for every call on it. onnxruntime-node runs a model synchronously on the thread
// that asked, each decoder step started from the event loop, so a transcription on a thread with live streams waits
// behind their frames between steps: the server transcribes on a thread of its own (moonshine-thread.ts), and the
// event-loop recogniser (ASR_OFFLINE_THREADS=0, tests, benchmarks) on its own thread (thisThreadTranscriber). One
// intra-op thread: the calls' threads are the parallelism, and ORT's default (one thread per core) would compete
// with the calls' audio.

type Ort = typeof import('onnxruntime-node');

const RATE = 16_000;
/** The decoder's token ids: start of transcript, end of transcript; ids past the tokenizer's vocabulary are specials. */
const START = 1;
const END = 2;
const VOCAB = 32_000;
/** Tiny's decoder: layers, key-value heads and head size (its past key-value inputs). */
const LAYERS = 6;
const KV_HEADS = 8;
const HEAD_DIM = 36;
/**
 * A run of up to this many tokens said this many times in a row is a loop, not speech ("I'm sorry, I'm sorry, …").
 * One token needs more repeats: the tokenizer writes a number digit by digit ("10000", "555-5555").
 */
const LOOP_TOKENS = 10;
const LOOP_REPEATS = 4;
const LOOP_REPEATS_ONE_TOKEN = 8;
/** The shortest phrase whose being said twice over, and nothing else, is the model repeating itself (repeatsItself). */
const REPEAT_MIN_WORDS = 3;
/** At most this many tokens per second of audio: a run that loops on a token stops (the model authors' bound). */
const TOKENS_PER_SECOND = 6;

/**
 * Transcripts below this confidence are not understood: her answers over music measured 0.5–0.9, the word it must
 * write for music alone 0.00–0.06, a sentence it made of chatter 0.47 (docs/benchmarks/asr-noise.md).
 */
export const MOONSHINE_MIN_CONFIDENCE = 0.5;
/** A nudged transcript is taken when its confidence is at most this much under the plain one's (moonshine-bias.ts). */
const NUDGE_MAX_LOSS = 0.1;

export interface Transcript {
  text: string;
  /** Geometric mean of the chosen tokens' probabilities (0..1): low on noise the model made words of. */
  confidence: number;
}

export function moonshineModelDir(): string {
  return join(packageRoot(), 'models', 'moonshine-tiny-en');
}

const FILES = ['encoder_model.onnx', 'decoder_model_merged.onnx'];

/** Throws, naming the command that fetches them, when the model files are not there. */
export function assertMoonshineFiles(dir = moonshineModelDir()): void {
  const missing = FILES.map((f) => join(dir, f)).filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new Error(`Moonshine model files missing (${missing.join(', ')}): run \`npm run models\``);
}

export class Moonshine {
  readonly #ort: Ort;
  readonly #encoder: InferenceSession;
  readonly #decoder: InferenceSession;
  readonly #decode: (ids: number[]) => string;
  /** The tokenizer's ids for a text (no start token): phrases to nudge the decoder towards (moonshine-bias.ts). */
  readonly encode: (text: string) => number[];

  private constructor(
    ort: Ort,
    encoder: InferenceSession,
    decoder: InferenceSession,
    tokenizer: {
      decode: (ids: number[]) => string;
      encode: (text: string, bos?: boolean, space?: boolean) => number[];
    },
  ) {
    this.#ort = ort;
    this.#encoder = encoder;
    this.#decoder = decoder;
    this.#decode = (ids) => tokenizer.decode(ids);
    this.encode = (text) => tokenizer.encode(text, false, false);
  }

  /** Loads the model; missing files name the command that fetches them. */
  static async load(dir = moonshineModelDir()): Promise<Moonshine> {
    assertMoonshineFiles(dir);
    const files = FILES.map((f) => join(dir, f));
    const ort = await import('onnxruntime-node');
    const { default: tokenizer } = await import('llama-tokenizer-js');
    try {
      const [encoder, decoder] = await Promise.all(
        files.map((f) => ort.InferenceSession.create(f, ONE_THREAD_SESSION)),
      );
      return new Moonshine(ort, encoder as InferenceSession, decoder as InferenceSession, tokenizer);
    } catch (e) {
      throw new Error(`Moonshine model could not be loaded from ${dir}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Transcribes one utterance of 16 kHz audio (-1..1). Greedy decoding, as the model's authors decode; with a `bias`
   * (moonshine-bias.ts) a second pass nudged towards its phrases, taken when the model finds it nearly as likely.
   */
  async transcribe(audio: Float32Array, bias?: PhraseBias): Promise<Transcript> {
    if (audio.length < RATE / 10) return { text: '', confidence: 0 };
    const { last_hidden_state: hidden } = await this.#encoder.run({
      input_values: new this.#ort.Tensor('float32', audio, [1, audio.length]),
    });
    const maxTokens = Math.ceil((audio.length / RATE) * TOKENS_PER_SECOND);
    const plain = this.#transcript(await this.#greedy(hidden as Tensor, maxTokens));
    if (bias === undefined) return plain;
    const nudged = this.#transcript(await this.#greedy(hidden as Tensor, maxTokens, bias));
    // Not when it would lose a transcript the plain pass understood.
    const keepsUnderstood =
      nudged.confidence >= MOONSHINE_MIN_CONFIDENCE || plain.confidence < MOONSHINE_MIN_CONFIDENCE;
    return nudged.confidence >= plain.confidence - NUDGE_MAX_LOSS && keepsUnderstood ? nudged : plain;
  }

  /** The decoder's tokens for the encoded audio and their log-probability (the model's own, without the nudge). */
  async #greedy(hidden: Tensor, maxTokens: number, bias?: PhraseBias): Promise<{ tokens: number[]; logProb: number }> {
    const ort = this.#ort;
    const past: Record<string, Tensor> = {};
    for (let l = 0; l < LAYERS; l++)
      for (const side of ['decoder', 'encoder'])
        for (const kv of ['key', 'value'])
          past[`past_key_values.${l}.${side}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
            0,
            KV_HEADS,
            1,
            HEAD_DIM,
          ]);
    const tokens = [START];
    let logProb = 0;
    for (let i = 0; i < maxTokens; i++) {
      const out = await this.#decoder.run({
        ...past,
        input_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(tokens[tokens.length - 1] as number)), [1, 1]),
        encoder_hidden_states: hidden,
        use_cache_branch: new ort.Tensor('bool', [i > 0], [1]),
      });
      // Never an empty transcript at the first step: with seconds of music before her words the model often
      // ends at once; the words it writes when it must go on are judged by their confidence instead.
      const { token, logP } = best(out.logits as Tensor, i === 0 ? END : -1, bias?.next(tokens));
      // The cross-attention keys and values are computed on the first step only; the self-attention ones grow.
      for (const name of Object.keys(past))
        if (i === 0 || name.includes('.decoder.'))
          past[name] = out[name.replace('past_key_values', 'present')] as Tensor;
      if (token === END) break;
      tokens.push(token);
      logProb += logP;
      if (looping(tokens) || pastUnderstanding(logProb, tokens.length - 1, maxTokens - i - 1)) break;
    }
    return { tokens, logProb };
  }

  #transcript({ tokens, logProb }: { tokens: number[]; logProb: number }): Transcript {
    const words = tokens.filter((t) => t >= 3 && t < VOCAB);
    const text = words.length > 0 ? this.#decode([START, ...words]).trim() : '';
    // A phrase over and over ("I'm sorry, I'm sorry, …") is what it writes for chatter it cannot place, and a
    // note sign is its own word for music: neither is her speech, however sure each token was.
    if (looping(tokens) || repeatsItself(text) || text.includes('♪')) return { text, confidence: 0 };
    return { text, confidence: tokens.length > 1 ? Math.exp(logProb / (tokens.length - 1)) : 0 };
  }

  async release(): Promise<void> {
    await Promise.all([this.#encoder.release(), this.#decoder.release()]);
  }
}

/**
 * Whether the transcript can no longer reach MOONSHINE_MIN_CONFIDENCE, however sure the `left` tokens still allowed
 * were: its confidence is the geometric mean of its tokens' probabilities, so at best the `words` so far are diluted
 * by `left` certain ones. It is then not understood whatever comes next, and decoding stops. Voices it cannot place
 * (chatter) are such runs: 15 s of the chatter bed took 874 ms, now 668; 8 s 332, now 258 (medians of 3, an idle
 * thread). Music stopped early already (its note sign, its loops).
 */
export function pastUnderstanding(logProb: number, words: number, left: number): boolean {
  return words > 0 && logProb < (words + left) * Math.log(MOONSHINE_MIN_CONFIDENCE);
}

/** The same run of up to LOOP_TOKENS tokens LOOP_REPEATS times at the end (one token: LOOP_REPEATS_ONE_TOKEN). */
export function looping(tokens: readonly number[]): boolean {
  for (let n = 1; n <= LOOP_TOKENS; n++) {
    const repeats = n === 1 ? LOOP_REPEATS_ONE_TOKEN : LOOP_REPEATS;
    if (tokens.length - 1 < n * repeats) {
      if (n > 1) return false;
      continue;
    }
    let same = true;
    for (let k = 1; k < repeats && same; k++)
      for (let j = 1; j <= n && same; j++) same = tokens[tokens.length - j] === tokens[tokens.length - j - k * n];
    if (same) return true;
  }
  return false;
}

/**
 * The whole transcription is one phrase of REPEAT_MIN_WORDS words or more, twice or more over (the last copy may be
 * cut off): "I'm going to go to the hospital. I'm going to go to the hospital. I'm going to go to". What the model
 * writes for voices it cannot place (chatter), stopped by the length limit before looping() sees four copies; people
 * do not say a whole sentence twice over and nothing else.
 */
export function repeatsItself(text: string): boolean {
  const w = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  for (let p = REPEAT_MIN_WORDS; 2 * p <= w.length; p++) {
    let same = true;
    for (let i = p; i < w.length && same; i++) same = w[i] === w[i - p];
    if (same) return true;
  }
  return false;
}

/**
 * The most likely next token but `except`, `boosted` tokens' logits raised by BOOST, and its log-probability under
 * the model's own distribution (the last position's logits, without the boost). Exported for its tests.
 */
export function best(
  logits: Pick<Tensor, 'data' | 'dims'>,
  except: number,
  boosted?: ReadonlySet<number>,
): { token: number; logP: number } {
  const data = logits.data as Float32Array;
  const v = logits.dims[logits.dims.length - 1] as number;
  const from = data.length - v;
  let token = 0;
  let top = -Infinity;
  let max = -Infinity;
  for (let j = 0; j < v; j++) {
    const x = data[from + j] as number;
    if (x > max) max = x;
    if (x > top && j !== except) {
      top = x;
      token = j;
    }
  }
  // The few boosted tokens against the best one (itself maybe boosted).
  if (boosted !== undefined) {
    let score = boosted.has(token) ? top + BOOST : top;
    for (const j of boosted) {
      const x = (data[from + j] as number) + BOOST;
      if (j !== except && j < v && x > score) {
        score = x;
        token = j;
      }
    }
  }
  let sum = 0;
  // Softmax over every token, the excepted one too: a forced token keeps its true (low) probability.
  for (let j = 0; j < v; j++) sum += Math.exp((data[from + j] as number) - max);
  return { token, logP: (data[from + token] as number) - max - Math.log(sum) };
}

/** The thread's model, loaded on first use; a failed load is retried by the next caller. */
export const sharedMoonshine: () => Promise<Moonshine> = loadOnce(() => Moonshine.load());

/** 8 kHz line audio → the model's 16 kHz floats, through the addon's resampler. */
export function toModelRate(dsp: Pick<Dsp, 'createResampler'>, pcm: Int16Array): Float32Array {
  const rs = dsp.createResampler(8000, RATE);
  return pcmToFloat(joinPcm([rs.push(pcm), rs.flush()]));
}

/**
 * The thread's model's words for an utterance of 8 kHz line audio; a transcript under MOONSHINE_MIN_CONFIDENCE is
 * not understood (empty text). Rejects if the model cannot load or run.
 */
export async function transcribeLine(
  dsp: Pick<Dsp, 'createResampler'>,
  pcm: Int16Array,
  context?: AsrContext,
): Promise<Transcript> {
  const model = await sharedMoonshine();
  const t = await model.transcribe(toModelRate(dsp, pcm), biasFor(context, model.encode));
  return t.confidence >= MOONSHINE_MIN_CONFIDENCE ? t : { text: '', confidence: t.confidence };
}

/**
 * Who transcribes the offline stream's utterances: the model on the stream's own thread (thisThreadTranscriber),
 * or the process's Moonshine thread (moonshine-thread.ts), which the server's decoding threads share.
 */
export interface LineTranscriber {
  /** Loads the model before the first utterance that needs it; rejects if it cannot (a missing file). */
  load(): Promise<void>;
  /** transcribeLine's words for an utterance of 8 kHz line audio; `context`: what the agent asked, if known. */
  transcribe(pcm: Int16Array, context?: AsrContext): Promise<Transcript>;
}

export function thisThreadTranscriber(dsp: Pick<Dsp, 'createResampler'>): LineTranscriber {
  return {
    load: async () => {
      await sharedMoonshine();
    },
    transcribe: (pcm, context) => transcribeLine(dsp, pcm, context),
  };
}
