// Pure helpers of bench/load.ts: percentiles and the simulator-side pacing analysis.

/** Agent frames sent back to back when a run starts (the player's lead): excluded from the grid analysis. */
export const LEAD_FRAMES = 10;

export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] as number;
}

/**
 * Lateness of each agent frame at the simulator against the 20 ms grid of its run (a run = frames less than
 * 100 ms apart), for frames that arrived inside [from, to].
 */
export function lateness(arrivals: readonly number[], from: number, to: number): number[] {
  const out: number[] = [];
  let start = 0;
  const flush = (end: number) => {
    // The player sends its lead (up to 200 ms) back to back when a run starts; the grid is where the run settles.
    const s = start + LEAD_FRAMES;
    if (end - s > 5) {
      let base = Infinity;
      for (let i = s; i < end; i++) base = Math.min(base, (arrivals[i] as number) - (i - s) * 20);
      for (let i = s; i < end; i++) {
        const t = arrivals[i] as number;
        if (t >= from && t <= to) out.push(t - (i - s) * 20 - base);
      }
    }
  };
  for (let i = 1; i <= arrivals.length; i++) {
    if (i === arrivals.length || (arrivals[i] as number) - (arrivals[i - 1] as number) > 100) {
      flush(i);
      start = i;
    }
  }
  return out;
}
