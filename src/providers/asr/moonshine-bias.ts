import { CLASS_WORDS } from '../../facts/vocabulary.js';
import type { AsrContext } from './types.js';

// Words the answer is expected to hold, given to Moonshine's decoder as a nudge (contextual biasing, as cloud
// recognisers take keywords): asked which classes the gym offers, the desk names classes, and under music or
// chatter the model writes the near-miss it knows better ("We offer you a new and dedicated" for "yoga and
// meditation", "cropped in a yellow clutter" for "crossfit and yoga classes"). While decoding, a token that would
// start or continue one of the phrases gets BOOST added to its logit. The nudged transcript is only taken when the
// model itself, without the nudge, finds it nearly as likely as its own (moonshine.ts): the nudge chooses between
// readings the audio allows, it does not put words into music.

/** Added to a phrase token's logit (nats): a word the model gave a tenth of its favourite's probability can win. */
export const BOOST = 2.5;

export class PhraseBias {
  readonly #anywhere: readonly (readonly number[])[];
  readonly #sentenceStart: readonly (readonly number[])[];
  readonly #sentenceEnds: ReadonlySet<number>;

  /**
   * `anywhere`: each phrase's token ids as written mid-sentence, after a space; `sentenceStart`: as written to start
   * a sentence (capitalised), begun only there: their first tokens are common word pieces ("▁We" of "Weight
   * training", "▁M", "▁St"), not to be nudged at every step. `sentenceEnds`: the tokens that end a sentence.
   */
  constructor(
    anywhere: readonly (readonly number[])[],
    sentenceStart: readonly (readonly number[])[],
    sentenceEnds: ReadonlySet<number>,
  ) {
    this.#anywhere = anywhere.filter((p) => p.length > 0);
    this.#sentenceStart = sentenceStart.filter((p) => p.length > 0);
    this.#sentenceEnds = sentenceEnds;
  }

  /**
   * The tokens that start a phrase, or continue the one the last tokens of `written` began. `written` starts with
   * the decoder's start token.
   */
  next(written: readonly number[]): Set<number> {
    const out = new Set<number>();
    const atSentenceStart = written.length <= 1 || this.#sentenceEnds.has(written[written.length - 1] as number);
    for (const p of this.#anywhere) add(out, p, written, true);
    for (const p of this.#sentenceStart) add(out, p, written, atSentenceStart);
    return out;
  }
}

/** `phrase`'s first token if it may start here, and its next token where `written` ends with its beginning. */
function add(out: Set<number>, phrase: readonly number[], written: readonly number[], mayStart: boolean): void {
  if (mayStart) out.add(phrase[0] as number);
  for (let k = 1; k < phrase.length; k++) if (endsWith(written, phrase, k)) out.add(phrase[k] as number);
}

/** `written` ends with the first `k` tokens of `phrase`. */
function endsWith(written: readonly number[], phrase: readonly number[], k: number): boolean {
  if (written.length < k) return false;
  for (let j = 0; j < k; j++) if (written[written.length - k + j] !== phrase[j]) return false;
  return true;
}

const classBiases = new WeakMap<(text: string) => number[], PhraseBias>();

/**
 * The nudge for an answer about `context`, built once per tokenizer: asked which classes the gym offers, the desk
 * names classes (the parser's vocabulary, names and aliases). Any other answer is not nudged.
 */
export function biasFor(context: AsrContext | undefined, encode: (text: string) => number[]): PhraseBias | undefined {
  if (context !== 'classes') return undefined;
  let bias = classBiases.get(encode);
  if (bias === undefined) {
    bias = phraseBias(
      CLASS_WORDS.flatMap((c) => [c.spoken, ...c.aliases]),
      encode,
    );
    classBiases.set(encode, bias);
  }
  return bias;
}

/** Each phrase as said mid-sentence and, to start a sentence, capitalised (the model writes both). */
export function phraseBias(phrases: readonly string[], encode: (text: string) => number[]): PhraseBias {
  const lower = [...new Set(phrases.map((p) => p.toLowerCase()))];
  const capitalised = lower.map((p) => p.charAt(0).toUpperCase() + p.slice(1));
  const ends = new Set(['.', '?', '!'].flatMap((e) => encode(e)));
  return new PhraseBias(
    lower.map((p) => encode(` ${p}`)),
    capitalised.map((p) => encode(` ${p}`)),
    ends,
  );
}
