/** s16le bytes → PCM, carrying an odd trailing byte (`odd`) into the next chunk: TTS chunks may split a sample. */
export function toPcm(chunk: Uint8Array, odd: number | undefined): { pcm: Int16Array; odd: number | undefined } {
  const total = chunk.length + (odd === undefined ? 0 : 1);
  const n = total >> 1;
  const pcm = new Int16Array(n);
  let i = 0;
  let src = 0;
  if (odd !== undefined && n > 0) {
    pcm[i++] = ((chunk[0] as number) << 8) | odd;
    src = 1;
  }
  for (; i < n; i++, src += 2) pcm[i] = ((chunk[src + 1] as number) << 8) | (chunk[src] as number);
  const rest = total % 2 === 1 ? (chunk[chunk.length - 1] as number) : undefined;
  return { pcm, odd: n === 0 && odd !== undefined ? odd : rest };
}
