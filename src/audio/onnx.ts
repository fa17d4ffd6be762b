import type { InferenceSession } from 'onnxruntime-node';

// What every model of ours shares in onnxruntime-node (Silero VAD, Moonshine).

/**
 * One thread per session: the calls are the parallelism (their event loop, the recogniser's worker threads), and
 * ORT's default of one thread per core would compete with the calls' audio.
 */
export const ONE_THREAD_SESSION: InferenceSession.SessionOptions = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
});

/** A model the thread loads on first use and then shares; a failed load is retried by the next caller. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let shared: Promise<T> | undefined;
  return () => {
    shared ??= load().catch((e: unknown) => {
      shared = undefined;
      throw e;
    });
    return shared;
  };
}
