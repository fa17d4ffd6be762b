// The level of a μ-law frame in dBFS, read straight from the codec bytes: each byte's squared linear value comes
// from a 256-entry table (G.711's segment/mantissa expansion), so measuring a 20 ms frame is 160 table reads and
// adds, with no decode and no native call (the call would cost more than the sum). The barge-in evidence measures
// both legs of every call with it: the caller's frames as they arrive, the agent's as the player sends them.

const FULL_SCALE_POWER = 32768 * 32768;

/** ITU-T G.711 μ-law expansion of one byte to its 16-bit linear value. */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

const POWER = Float64Array.from({ length: 256 }, (_, b) => ulawToLinear(b) ** 2);

/** Level below which a frame is reported as silence (μ-law's smallest step is about -78 dBFS). */
export const SILENT_DBFS = -90;

/** RMS level of `mulaw` in dBFS (a full-scale sine is -3 dBFS); SILENT_DBFS for digital silence or no bytes. */
export function ulawLevelDbfs(mulaw: Uint8Array): number {
  if (mulaw.length === 0) return SILENT_DBFS;
  let sum = 0;
  for (let i = 0; i < mulaw.length; i++) sum += POWER[mulaw[i] as number] as number;
  if (sum === 0) return SILENT_DBFS;
  return Math.max(SILENT_DBFS, 10 * Math.log10(sum / mulaw.length / FULL_SCALE_POWER));
}
