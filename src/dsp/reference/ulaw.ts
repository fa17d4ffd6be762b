// G.711 μ-law, the classic 16-bit encoder (Sun g711.c / alawmulaw): sign-magnitude, bias 0x84, clip 32635.

const EXPONENT = new Uint8Array(256);
for (let i = 2, e = 1; i < 256; i *= 2, e++) EXPONENT.fill(e, i, i * 2);

export function ulawEncodeSample(pcm: number): number {
  let s = pcm;
  const sign = (s >> 8) & 0x80;
  if (sign !== 0) s = -s;
  s += 0x84;
  if (s > 32635) s = 32635;
  const exponent = EXPONENT[(s >> 7) & 0xff]!;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawDecodeSample(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

export function ulawEncode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ulawEncodeSample(pcm[i]!);
  return out;
}

export function ulawDecode(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = ulawDecodeSample(mulaw[i]!);
  return out;
}
