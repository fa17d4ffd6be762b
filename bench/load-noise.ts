import { activeSpeechLevelDbfs } from '../src/audio/level.js';
import type { LineNoise } from '../src/sim/media-client.js';
import { BACKGROUND_KINDS, LineBackground, type BackgroundKind } from '../src/sim/noise/index.js';

// bench:load --background KIND: every caller's line carries a generated front-desk background (src/sim/noise/)
// for the whole call, also while she is silent, so the server's speech detector hears a noisy line all the time
// (the worst case for a gated model). One bed is rendered once and every call reads it from its own offset: a bed
// per call would cost the driver seconds of synthesis per call.

const BED_SECONDS = 60;

export function parseBackground(kind: string): BackgroundKind | undefined {
  if (kind === '' || kind === 'none') return undefined;
  if (!(BACKGROUND_KINDS as readonly string[]).includes(kind))
    throw new Error(`--background is one of none, ${BACKGROUND_KINDS.join(', ')}`);
  return kind as BackgroundKind;
}

/** A bed at `snrDb` under the callers' lines; `forCall(k)` is call k's view of it. */
export function sharedBed(kind: BackgroundKind, snrDb: number, lines: readonly Int16Array[]) {
  const levels = lines.map((l) => activeSpeechLevelDbfs(l, 8000)).filter((x): x is number => x !== undefined);
  const level = levels.reduce((a, b) => a + b, 0) / Math.max(1, levels.length);
  const bed = new Int16Array(BED_SECONDS * 8000);
  new LineBackground({ kind, snrDb, seed: 1 }, level).addTo(bed);
  return {
    levelDbfs: level,
    forCall(k: number): LineNoise {
      let at = (k * 7919 * 160) % bed.length;
      return {
        addTo(pcm: Int16Array): void {
          for (let i = 0; i < pcm.length; i++) {
            const v = (pcm[i] as number) + (bed[at] as number);
            pcm[i] = Math.max(-32768, Math.min(32767, v));
            at = at + 1 === bed.length ? 0 : at + 1;
          }
        },
      };
    },
  };
}
