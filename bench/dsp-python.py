"""The original Python pipeline, as a benchmark baseline: scipy.signal.decimate on every 20 ms chunk on its
own, then audioop.lin2ulaw. Reads raw s16le 24 kHz mono from argv[1]; prints one JSON object per line.
Also measures its quality figures (passband at 3.4 kHz, chunk-boundary artifacts) the same way the
TypeScript side does, so the numbers in docs/benchmarks/dsp.md come from one run."""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import audioop  # noqa: E402  (deprecated, removed in 3.13; present in 3.11)

import numpy as np  # noqa: E402
from scipy import signal  # noqa: E402

CHUNK = 480


def decimate_chunk(chunk):
    y = signal.decimate(chunk.astype(np.float64), 3)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)


def timed(fn, chunks, reps):
    """Median CPU and wall seconds, plus the best CPU time, over `reps` passes."""
    cpu, wall = [], []
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        for c in chunks:
            fn(c)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return float(np.median(cpu)), float(np.median(wall)), float(min(cpu))


def row(op, samples, nchunks, chunk_samples, t, reps):
    cpu, wall, best = t
    print(json.dumps({"kind": "throughput", "impl": "python-seed", "op": op, "samplesPerSec": samples / cpu,
                      "usPerChunk": cpu / nchunks * 1e6, "chunkSamples": chunk_samples,
                      "wallSamplesPerSec": samples / wall, "bestSamplesPerSec": samples / best,
                      "reps": reps}), flush=True)


def main():
    x24 = np.fromfile(sys.argv[1], dtype="<i2")
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    chunks24 = [x24[i:i + CHUNK] for i in range(0, len(x24), CHUNK)]
    x8 = x24[::3].copy()
    chunks8 = [x8[i:i + 160].tobytes() for i in range(0, len(x8), 160)]

    row("resample-24k-8k", len(x24), len(chunks24), CHUNK, timed(decimate_chunk, chunks24, reps), reps)
    row("ulaw-encode", len(x8), len(chunks8), 160, timed(lambda b: audioop.lin2ulaw(b, 2), chunks8, reps), reps)
    ulaw = [audioop.lin2ulaw(b, 2) for b in chunks8]
    row("ulaw-decode", len(x8), len(ulaw), 160, timed(lambda b: audioop.ulaw2lin(b, 2), ulaw, reps), reps)
    pipeline = timed(lambda c: audioop.lin2ulaw(decimate_chunk(c).tobytes(), 2), chunks24, reps)
    row("pipeline-24k-ulaw8k", len(x24), len(chunks24), CHUNK, pipeline, reps)

    # Quality, measured like bench/dsp-signals.ts: tones at 0.9 full scale, 1 s, per-chunk processing.
    def tone(f, n=24000, fs=24000):
        return np.round(0.9 * 32767 * np.sin(2 * np.pi * f * np.arange(n) / fs)).astype(np.int16)

    def per_chunk(x):
        return np.concatenate([decimate_chunk(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)]).astype(np.float64)

    def amp(y, f, fs=8000):
        seg = y[800:800 + 2000]
        k = np.arange(len(seg))
        return 2 * abs(np.sum(seg * np.exp(-2j * np.pi * f * k / fs))) / len(seg)

    a1k = amp(per_chunk(tone(1000)), 1000)
    pass3400 = 20 * np.log10(amp(per_chunk(tone(3400)), 3400) / a1k)
    t1 = tone(1000)
    y_chunked = per_chunk(t1)
    y_whole = np.clip(np.round(signal.decimate(t1.astype(np.float64), 3)), -32768, 32767)
    err = y_chunked[800:-800] - y_whole[800:-800]
    artifacts = 20 * np.log10(np.sqrt(np.mean(err ** 2)) / np.sqrt(np.mean(y_whole[800:-800] ** 2)))
    worst = max(20 * np.log10(np.sqrt(np.mean(per_chunk(tone(f))[800:-800] ** 2)) / (a1k / np.sqrt(2)))
                for f in range(4600, 12000, 296))
    peak = 20 * np.log10(np.max(np.abs(err)) / (0.9 * 32767))
    print(json.dumps({"kind": "quality", "impl": "python-seed", "op": "resample-24k-8k",
                      "passband3400Db": pass3400, "worstStopbandDb": worst,
                      "chunkArtifactsRmsDb": artifacts, "chunkArtifactsPeakDb": peak}), flush=True)


if __name__ == "__main__":
    main()
