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
  readonly #phrases: readonly (readonly number[])[];

  /** `phrases`: each phrase's token ids, as the model's tokenizer writes it after a space. */
  constructor(phrases: readonly (readonly number[])[]) {
    this.#phrases = phrases.filter((p) => p.length > 0);
  }

  /** The tokens that start a phrase, or continue the one the last tokens of `written` began. */
  next(written: readonly number[]): Set<number> {
    const out = new Set<number>();
    for (const p of this.#phrases) {
      out.add(p[0] as number);
      for (let k = 1; k < p.length; k++) if (endsWith(written, p, k)) out.add(p[k] as number);
    }
    return out;
  }
}

/** `written` ends with the first `k` tokens of `phrase`. */
function endsWith(written: readonly number[], phrase: readonly number[], k: number): boolean {
  if (written.length < k) return false;
  for (let j = 0; j < k; j++) if (written[written.length - k + j] !== phrase[j]) return false;
  return true;
}

/** Each phrase as said mid-sentence and capitalised (the model writes both), after a space. */
export function phraseBias(phrases: readonly string[], encode: (text: string) => number[]): PhraseBias {
  const forms = phrases.flatMap((p) => [p.toLowerCase(), p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()]);
  return new PhraseBias([...new Set(forms)].map((f) => encode(` ${f}`)));
}
