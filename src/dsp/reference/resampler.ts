// Pure-TS mirror of native/src/resampler.cc (same state machine, same integer arithmetic). Every
// intermediate value stays below 2^53, so plain numbers are exact.
import type { Resampler, ResamplerInfo } from '../types.js';
import { designResampler, type PolyphaseDesign } from './design.js';
import { ulawEncode } from './ulaw.js';

function finish(acc: number): number {
  const v = Math.floor((acc + 1048576) / 2097152);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

export class ReferenceResampler implements Resampler {
  private readonly d: PolyphaseDesign;
  private hist: Int16Array;
  private pos = 0;
  private oddByte = -1;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {
    this.d = designResampler(fromHz, toHz);
    this.hist = new Int16Array(this.d.K - 1);
  }

  push(pcm: Int16Array): Int16Array {
    if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array');
    return this.run(pcm);
  }

  pushBytes(s16le: Uint8Array): Int16Array {
    if (!(s16le instanceof Uint8Array)) throw new TypeError('s16le must be a Uint8Array (or Buffer)');
    let i = 0;
    const samples: number[] = [];
    if (this.oddByte >= 0 && s16le.length > 0) {
      samples.push(this.oddByte | (s16le[0]! << 8));
      this.oddByte = -1;
      i = 1;
    }
    for (; i + 1 < s16le.length; i += 2) samples.push(s16le[i]! | (s16le[i + 1]! << 8));
    if (i < s16le.length) this.oddByte = s16le[i]!;
    return this.run(Int16Array.from(samples, (v) => (v << 16) >> 16));
  }

  pushUlaw(pcm: Int16Array): Uint8Array {
    return ulawEncode(this.push(pcm));
  }

  flush(): Int16Array {
    const out = this.run(new Int16Array(this.d.K / 2));
    this.hist = new Int16Array(this.d.K - 1);
    this.pos = 0;
    this.oddByte = -1;
    return out;
  }

  info(): ResamplerInfo {
    const { L, M, K, groupDelayMs } = this.d;
    return { phases: L, decimation: M, tapsPerPhase: K, groupDelayMs, pendingByte: this.oddByte >= 0 };
  }

  private run(input: Int16Array): Int16Array {
    const n = input.length;
    if (n === 0) return new Int16Array(0);
    const { L, M, K, hi, lo } = this.d;
    const buf = new Int16Array(K - 1 + n);
    buf.set(this.hist);
    buf.set(input, K - 1);
    const out: number[] = [];
    const lim = n * L;
    let p = this.pos;
    for (; p < lim; p += M) {
      const idx = Math.floor(p / L);
      const base = (p - idx * L) * K;
      let accHi = 0;
      let accLo = 0;
      for (let j = 0; j < K; j++) {
        const x = buf[idx + j]!;
        accHi += x * hi[base + j]!;
        accLo += x * lo[base + j]!;
      }
      out.push(finish(accHi * 128 + accLo));
    }
    this.pos = p - lim;
    this.hist = buf.slice(n);
    return Int16Array.from(out);
  }
}
