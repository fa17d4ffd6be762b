// What the tone detector's numbers mean in the units callers use. The detector reports a steady tone's mean
// cos(2π·f/8000) (native/src/tones.cc), which both the addon and the TS reference produce bit for bit; the
// arc cosine is taken once, here, for both.

/** Frequency in Hz (to 0.1 Hz) of a detected tone, from its `cosine`. */
export function toneHz(cosine: number): number {
  return Math.round((Math.acos(Math.max(-1, Math.min(1, cosine))) * 8000 * 10) / (2 * Math.PI)) / 10;
}
