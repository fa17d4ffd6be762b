// Audio for the fakes. TTS fakes answer with speech-like PCM (a voiced harmonic waveform with one
// syllable-shaped burst per word), so VAD, resampling and pacing downstream see realistic signal. The
// Deepgram fake "recognises" words coded into μ-law audio (one constant byte value per word), so a test
// can check that every word survives a reconnect: the transcript is a function of the audio itself.

const SILENCE_MULAW = 0xff;

/** G.711 μ-law byte → linear int16 (table-free form of the standard decoder). */
export function mulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const t = (((x & 0x0f) << 3) + 0x84) << ((x & 0x70) >> 4);
  return x & 0x80 ? 0x84 - t : t - 0x84;
}

// Squared linear value of every μ-law byte: the Deepgram fake measures the level of every 10 ms of every call's
// audio, which at load-benchmark scale (1,000 calls) must cost a table lookup per byte, not a decode.
let squares: Float64Array | undefined;

/** RMS level of μ-law audio in dBFS. */
export function mulawDbfs(bytes: Uint8Array): number {
  if (bytes.length === 0) return -120;
  const sq = (squares ??= Float64Array.from({ length: 256 }, (_v, b) => mulawToLinear(b) ** 2));
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += sq[bytes[i] as number] as number;
  const rms = Math.sqrt(sum / bytes.length) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : -120;
}

export interface SynthOptions {
  sampleRate: number;
  /** Milliseconds per word (burst) and per gap between words. */
  wordMs?: number;
  gapMs?: number;
  f0?: number;
}

/**
 * Speech-like s16le PCM for `text`: one enveloped harmonic burst per word. Deterministic.
 *
 * The fakes render a whole sentence before their first byte, so this sits on the measured path of an "instant"
 * provider (bench:latency's server-added time): rotating phasors instead of nine Math.sin calls per sample make
 * a five-word sentence cost ~0.3 ms instead of ~7 ms. Same waveform up to float rounding (at most 1 LSB).
 */
export function synthSpeech(text: string, opts: SynthOptions): Buffer {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const sr = opts.sampleRate;
  const wordN = Math.round(((opts.wordMs ?? 220) * sr) / 1000);
  const gapN = Math.round(((opts.gapMs ?? 60) * sr) / 1000);
  const total = Math.max(1, words.length) * (wordN + gapN);
  const out = Buffer.alloc(total * 2);
  const pcm = new Int16Array(out.buffer, out.byteOffset, total);
  // Envelope sin(πn/N) by rotating (cos, sin) through π/N per sample.
  const envC = Math.cos(Math.PI / wordN);
  const envS = Math.sin(Math.PI / wordN);
  let i = 0;
  words.forEach((w, k) => {
    const f0 = (opts.f0 ?? 140) * (1 + 0.08 * Math.sin(k + w.length));
    const stepC = Math.cos((2 * Math.PI * f0) / sr);
    const stepS = Math.sin((2 * Math.PI * f0) / sr);
    let ec = 1; // cos(πn/N)
    let es = 0; // sin(πn/N)
    let c1 = 1; // cos(2π f0 n / sr)
    let s1 = 0; // sin(2π f0 n / sr)
    for (let n = 0; n < wordN; n++, i++) {
      // sin(h·x) for h = 1..8 by the angle-addition recurrence from sin(x), cos(x).
      let v = s1;
      let sh = s1;
      let ch = c1;
      for (let h = 2; h <= 8; h++) {
        const sn = sh * c1 + ch * s1;
        ch = ch * c1 - sh * s1;
        sh = sn;
        v += sh / h;
      }
      pcm[i] = Math.round(7000 * es * v);
      const nc = ec * envC - es * envS;
      es = es * envC + ec * envS;
      ec = nc;
      const c = c1 * stepC - s1 * stepS;
      s1 = s1 * stepC + c1 * stepS;
      c1 = c;
    }
    i += gapN;
  });
  return out;
}

/** μ-law byte for word `index` of a vocabulary: loud, never silence, distinct per word. */
export function wordCode(index: number): number {
  if (index < 0 || index >= 96) throw new RangeError('coded vocabulary holds at most 96 words');
  return 0x01 + index;
}

export function codeWord(byte: number): number | undefined {
  return byte >= 0x01 && byte <= 0x60 ? byte - 0x01 : undefined;
}

/**
 * μ-law 8 kHz audio that the Deepgram fake transcribes as `text`: each word is `wordMs` of its code byte,
 * words separated by `gapMs` of silence, then `trailingSilenceMs` of silence (so endpointing can fire).
 */
export function encodeCodedSpeech(
  vocabulary: readonly string[],
  text: string,
  opts: { wordMs?: number; gapMs?: number; leadingSilenceMs?: number; trailingSilenceMs?: number } = {},
): Uint8Array {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const bytesPerMs = 8;
  const parts: number[] = [];
  const fill = (b: number, ms: number) => {
    for (let n = 0; n < ms * bytesPerMs; n++) parts.push(b);
  };
  fill(SILENCE_MULAW, opts.leadingSilenceMs ?? 100);
  for (const w of words) {
    const idx = vocabulary.indexOf(w);
    if (idx < 0) throw new RangeError(`word "${w}" is not in the coded vocabulary`);
    fill(wordCode(idx), opts.wordMs ?? 200);
    fill(SILENCE_MULAW, opts.gapMs ?? 40);
  }
  fill(SILENCE_MULAW, opts.trailingSilenceMs ?? 600);
  return Uint8Array.from(parts);
}

export function silenceMulaw(ms: number): Uint8Array {
  return new Uint8Array(ms * 8).fill(SILENCE_MULAW);
}
