// What part of an utterance the callee has heard, from how far playback got. TTS gives no word timings for
// every provider, so the position is mapped proportionally onto the text and rounded down to a whole word:
// the call machine would rather under-claim (repeat a word) than assume a question was heard.

export function heardPrefix(text: string, fraction: number): string {
  if (!(fraction > 0)) return '';
  if (fraction >= 1) return text;
  const cut = Math.floor(text.length * fraction);
  if (cut >= text.length) return text;
  // A word counts as heard only when the position passed its end.
  const head = text.slice(0, cut + 1);
  const lastSpace = head.search(/\s\S*$/);
  if (/\s/.test(text.charAt(cut))) return text.slice(0, cut).trimEnd();
  return lastSpace <= 0 ? '' : text.slice(0, lastSpace).trimEnd();
}
