// @echogarden/speex-resampler-wasm (SpeexDSP compiled to WASM, SIMD build) driven through its raw emscripten
// exports, the way a JS user would stream 20 ms chunks through it.

interface SpeexModule {
  _malloc(n: number): number;
  _free(p: number): void;
  _speex_resampler_init(ch: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
  _speex_resampler_process_int(
    st: number,
    ch: number,
    inPtr: number,
    inLenPtr: number,
    outPtr: number,
    outLenPtr: number,
  ): number;
  _speex_resampler_skip_zeros(st: number): number;
  _speex_resampler_destroy(st: number): void;
  HEAP16: Int16Array;
  HEAPU32: Uint32Array;
}

let modPromise: Promise<SpeexModule> | undefined;

async function speexModule(): Promise<SpeexModule> {
  modPromise ??= import('@echogarden/speex-resampler-wasm/simd').then(async (m) => (await m.default()) as SpeexModule);
  return modPromise;
}

export interface SpeexResampler {
  push(pcm: Int16Array): Int16Array;
  destroy(): void;
}

export async function createSpeexResampler(fromHz: number, toHz: number, quality = 5): Promise<SpeexResampler> {
  const m = await speexModule();
  const err = m._malloc(4);
  const st = m._speex_resampler_init(1, fromHz, toHz, quality, err);
  const code = m.HEAPU32[err >> 2];
  m._free(err);
  if (st === 0 || code !== 0) throw new Error(`speex_resampler_init failed (${code})`);
  const maxIn = 8192;
  const maxOut = Math.ceil((maxIn * toHz) / fromHz) + 64;
  const inPtr = m._malloc(maxIn * 2);
  const outPtr = m._malloc(maxOut * 2);
  const lens = m._malloc(8);
  const self: SpeexResampler = {
    push(pcm: Int16Array): Int16Array {
      if (pcm.length > maxIn) {
        const parts: Int16Array[] = [];
        for (let i = 0; i < pcm.length; i += maxIn) parts.push(self.push(pcm.subarray(i, i + maxIn)));
        const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
        parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
        return out;
      }
      m.HEAP16.set(pcm, inPtr >> 1);
      m.HEAPU32[lens >> 2] = pcm.length;
      m.HEAPU32[(lens >> 2) + 1] = maxOut;
      const rc = m._speex_resampler_process_int(st, 0, inPtr, lens, outPtr, lens + 4);
      if (rc !== 0) throw new Error(`speex_resampler_process_int failed (${rc})`);
      const n = m.HEAPU32[(lens >> 2) + 1]!;
      return m.HEAP16.slice(outPtr >> 1, (outPtr >> 1) + n);
    },
    destroy(): void {
      m._speex_resampler_destroy(st);
      m._free(inPtr);
      m._free(outPtr);
      m._free(lens);
    },
  };
  return self;
}
