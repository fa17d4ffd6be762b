import { createVad, VAD_FRAME_MS, type CreateVadOptions, type Vad, type VadDsp, type VadKind } from '../audio/vad.js';
import type { VadEdge, VadFrameListener, VadPort } from '../telephony/call-handler.js';

// Adapts the streaming VAD (src/audio/vad.ts) to the media session's per-call VadPort: 8 kHz PCM in, raw edges
// out, on the stream clock. The VAD counts time from its first frame; the offset of the first push maps that to
// media time. A classifier that loads asynchronously (fvad's WASM) buffers the first frames until it is ready.
// Closing frees the classifier (also one that finishes loading after the call ended). With a frame listener,
// each classified frame's speech probability goes to it on the stream clock (frames buffered while loading are
// told when they are classified). `onRun` hears, once per call, the kind of classifier that classified its audio (main.ts counts it in metrics).

const NO_EDGES: readonly VadEdge[] = Object.freeze([]);

export function vadPortFactory(
  dsp: VadDsp,
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
    // Reused for every push: one array per call, not one per frame.
    const probs: number[] = [];
    const run = (v: Vad, pcm: Int16Array, onFrame: VadFrameListener | undefined): readonly VadEdge[] => {
      if (onFrame === undefined) return v.push(pcm);
      probs.length = 0;
      const edges = v.push(pcm, undefined, probs);
      const first = v.frames - probs.length;
      for (let i = 0; i < probs.length; i++) {
        const p = probs[i] as number;
        onFrame((first + i) * VAD_FRAME_MS + (offsetMs ?? 0), p, p > 0.5);
      }
      return edges;
    };
    return {
      push(pcm: Int16Array, atMs: number, onFrame?: VadFrameListener): readonly VadEdge[] {
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
          const edges = run(vad, pcm, onFrame);
          return edges.length === 0 ? NO_EDGES : map(edges);
        }
        const out: VadEdge[] = [];
        for (const p of pending) out.push(...map(run(vad, p, onFrame)));
        pending = [];
        out.push(...map(run(vad, pcm, onFrame)));
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
