// The package ships no typings; bench/dsp-speex.ts describes the exports it uses.
declare module '@echogarden/speex-resampler-wasm/simd' {
  const factory: () => Promise<unknown>;
  export default factory;
}
