// Spelled speech: real speech audio whose words can be read back from the audio itself, for the calls the
// offline recogniser cannot hear (Spanish: its acoustic model is English). Each word is synthesised on its own;
// in every 10 ms of a word's μ-law audio the middle byte is replaced by a symbol, and the symbols spell the word
// (a start mark, then its letters, over and over while the word lasts). The rest of each 10 ms is the voice, so a
// VAD hears speech; one sample in eighty is the spelling. The Deepgram fake's `spelled` mode and the simulated
// receptionist's spelled ears read the words back from the middle bytes, so what a side "recognises" is a function
// of the audio that crossed the wire, like a real recogniser's, with every word exact. No vocabulary: any word of
// any language the letters below write.

export const FRAME_10MS = 80;
const MIDDLE = FRAME_10MS >> 1;
const LETTERS = "abcdefghijklmnopqrstuvwxyzñáéíóúü0123456789'";
/** μ-law bytes of the symbols: moderately loud negative samples (0x21… decode to −7.9k … −0.7k), never silence. */
const FIRST = 0x21;
const START = FIRST + LETTERS.length;

/** The symbol bytes of one word, start mark first; characters it cannot spell are dropped. */
function spelling(word: string): number[] {
  const out = [START];
  for (const c of word.toLowerCase()) {
    const i = LETTERS.indexOf(c);
    if (i >= 0) out.push(FIRST + i);
  }
  return out;
}

/** Whether a middle byte is a symbol (a spelled word's 10 ms), and which. */
export function symbolOf(byte: number): number | undefined {
  return byte >= FIRST && byte <= START ? byte : undefined;
}

/**
 * Writes `word` into its own μ-law audio (frame-aligned: the audio starts on a 10 ms boundary of the stream),
 * every 10 ms; audio too short for the word's spelling is lengthened with silence-free repeats of its last 10 ms.
 */
export function spellInto(mulaw: Uint8Array, word: string): Uint8Array {
  const symbols = spelling(word);
  const frames = Math.max(Math.ceil(mulaw.length / FRAME_10MS), symbols.length);
  const out = new Uint8Array(frames * FRAME_10MS);
  out.set(mulaw.subarray(0, out.length));
  for (let f = Math.ceil(mulaw.length / FRAME_10MS); f < frames; f++)
    out.copyWithin(f * FRAME_10MS, (f - 1) * FRAME_10MS, f * FRAME_10MS);
  for (let f = 0; f < frames; f++) out[f * FRAME_10MS + MIDDLE] = symbols[f % symbols.length] as number;
  return out;
}

/** The word a run of symbols spells (the first complete spelling; a cut one as far as it goes). */
export function readSpelling(symbols: readonly number[]): string {
  const start = symbols.indexOf(START);
  if (start < 0) return '';
  let word = '';
  for (let i = start + 1; i < symbols.length && symbols[i] !== START; i++)
    word += LETTERS[(symbols[i] as number) - FIRST] ?? '';
  return word;
}

/**
 * Reads spelled words from μ-law audio pushed in any chunking (its first byte on a 10 ms boundary): a word ends at
 * the first 10 ms without a symbol.
 */
export class SpelledReader {
  #pending = new Uint8Array(0);
  #symbols: number[] = [];
  readonly words: string[] = [];

  push(mulaw: Uint8Array): void {
    const all = new Uint8Array(this.#pending.length + mulaw.length);
    all.set(this.#pending);
    all.set(mulaw, this.#pending.length);
    let off = 0;
    for (; off + FRAME_10MS <= all.length; off += FRAME_10MS) {
      const s = symbolOf(all[off + MIDDLE] as number);
      if (s !== undefined) this.#symbols.push(s);
      else this.#close();
    }
    this.#pending = all.slice(off);
  }

  /** Every word read so far (the open one included), and start afresh. */
  take(): string[] {
    this.#close();
    return this.words.splice(0);
  }

  #close(): void {
    if (this.#symbols.length === 0) return;
    const w = readSpelling(this.#symbols);
    this.#symbols = [];
    if (w !== '') this.words.push(w);
  }
}
