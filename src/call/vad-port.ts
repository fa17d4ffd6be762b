import { createVad, type CreateVadOptions, type Vad, type VadKind } from '../audio/vad.js';
import type { Dsp } from '../dsp/types.js';
import type { VadEdge, VadPort } from '../telephony/call-handler.js';

// Adapts the streaming VAD (src/audio/vad.ts) to the media session's per-call VadPort: 8 kHz PCM in, raw edges
// out, on the stream clock. The VAD counts time from its first frame; the offset of the first push maps that to
// media time. A classifier that loads asynchronously (fvad's WASM) buffers the first frames until it is ready.
// Closing frees the classifier (also one that finishes loading after the call ended). `onRun` hears, once per call, the kind of classifier that classified its audio (main.ts counts it in metrics).

const NO_EDGES: readonly VadEdge[] = Object.freeze([]);

export function vadPortFactory(
  dsp: Pick<Dsp, 'frameFeatures'>,
  opts: CreateVadOptions = {},
  onRun?: (kind: VadKind) => void,
): () => VadPort {
  return () => {
    let vad: Vad | undefined;
    let reported = onRun === undefined;
    let failed: Error | undefined;
    let pending: Int16Array[] = [];
    let offsetMs: number | undefined;
    let closed = false;
    createVad(dsp, opts).then(
      (v) => (closed ? v.close() : (vad = v)),
      (e: unknown) => (failed = e instanceof Error ? e : new Error(String(e))),
    );
    const map = (edges: readonly VadEdge[]): VadEdge[] =>
      edges.map((e) => ({ kind: e.kind, atMs: e.atMs + (offsetMs ?? 0) }));
    return {
      push(pcm: Int16Array, atMs: number): readonly VadEdge[] {
        if (failed) throw failed;
        if (closed) return NO_EDGES;
        offsetMs ??= atMs;
        if (vad === undefined) {
          pending.push(pcm.slice());
          return [];
        }
        if (!reported) {
          reported = true;
          onRun?.(vad.classifier.kind);
        }
        if (pending.length === 0) {
          // Every 20 ms of every call: no arrays unless there is an edge.
          const edges = vad.push(pcm);
          return edges.length === 0 ? NO_EDGES : map(edges);
        }
        const out: VadEdge[] = [];
        for (const p of pending) out.push(...map(vad.push(p)));
        pending = [];
        out.push(...map(vad.push(pcm)));
        return out;
      },
      close(): void {
        closed = true;
        vad?.close();
        vad = undefined;
        pending = [];
      },
    };
  };
}
