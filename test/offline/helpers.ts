import { loadDsp, type Dsp } from '../../src/dsp/index.js';
import { createReferenceDsp } from '../../src/dsp/reference/index.js';
import { normalize } from '../../src/facts/numbers.js';

/** The native addon; the pure-TS reference (same output) only where the addon is not built and CI is not strict. */
export function testDsp(): { dsp: Dsp; note: string | undefined } {
  try {
    return { dsp: loadDsp(), note: undefined };
  } catch (e) {
    if (process.env.CI_STRICT === '1') throw e;
    return { dsp: createReferenceDsp(), note: `DSP addon not built, using the TS reference: ${String(e)}` };
  }
}

/** Word error rate counts (edit distance over normalised words). */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const r = normalize(reference);
  const h = normalize(hypothesis);
  const d: number[][] = Array.from({ length: r.length + 1 }, (_, i) =>
    Array.from({ length: h.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= r.length; i++) {
    for (let j = 1; j <= h.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + (r[i - 1] === h[j - 1] ? 0 : 1),
      );
    }
  }
  return { errors: (d[r.length] as number[])[h.length] as number, words: r.length };
}
