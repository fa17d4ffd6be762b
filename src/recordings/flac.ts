import { createRequire } from 'node:module';
import { ulawDecodeSample } from '../dsp/reference/ulaw.js';
import type { RecordedAudio } from './tracks.js';

// Two-channel FLAC of a recorded call, by libFLAC (libflacjs: the reference encoder compiled with emscripten). FLAC
// is lossless, so the two sides never bleed into each other (a joint-stereo lossy codec at telephone bit rates
// does), every browser's <audio> plays it, and it costs ~0.4 s of CPU per call-minute here
// (docs/benchmarks/recording.md). The asm.js build is used: the WASM one fetches its binary with fetch(), which
// fails on a file path in Node.

interface Flac {
  isReady(): boolean;
  on(event: 'ready', fn: () => void): void;
  create_libflac_encoder(
    rate: number,
    channels: number,
    bps: number,
    level: number,
    total: number,
    verify: boolean,
    block: number,
  ): number;
  init_encoder_stream(encoder: number, write: (data: Uint8Array, bytes: number) => void): number;
  FLAC__stream_encoder_process_interleaved(encoder: number, buffer: Int32Array, samples: number): boolean;
  FLAC__stream_encoder_finish(encoder: number): boolean;
  FLAC__stream_encoder_delete(encoder: number): void;
  FLAC__stream_encoder_get_state(encoder: number): number;
}

const RATE = 8000;
/** Samples per channel handed to the encoder at once: bounds the interleaved buffer at 256 KB. */
const BLOCK = 32_768;
/** libFLAC's default level: -5 compresses telephone audio within a few % of -8 at half the CPU. */
const LEVEL = 5;

const ULAW_TO_PCM = Int32Array.from({ length: 256 }, (_, i) => ulawDecodeSample(i));

let loaded: Promise<Flac> | undefined;

function flac(): Promise<Flac> {
  loaded ??= new Promise<Flac>((resolve) => {
    const lib = createRequire(import.meta.url)('libflacjs')('release') as Flac;
    if (lib.isReady()) resolve(lib);
    else lib.on('ready', () => resolve(lib));
  });
  return loaded;
}

/** The call as FLAC, 8 kHz 16-bit, left = the gym, right = the agent. */
export async function encodeFlac(audio: RecordedAudio): Promise<Buffer> {
  const lib = await flac();
  const enc = lib.create_libflac_encoder(RATE, 2, 16, LEVEL, audio.samples, false, 0);
  if (enc === 0) throw new Error('libFLAC could not create an encoder');
  const out: Buffer[] = [];
  try {
    // The callback's bytes live in the encoder's heap and are reused: copy them.
    const status = lib.init_encoder_stream(enc, (data, bytes) => out.push(Buffer.from(data.subarray(0, bytes))));
    if (status !== 0) throw new Error(`libFLAC encoder init failed (status ${status})`);
    const block = new Int32Array(BLOCK * 2);
    for (let at = 0; at < audio.samples; at += BLOCK) {
      const n = Math.min(BLOCK, audio.samples - at);
      for (let i = 0; i < n; i++) {
        block[2 * i] = ULAW_TO_PCM[audio.caller[at + i]!]!;
        block[2 * i + 1] = ULAW_TO_PCM[audio.agent[at + i]!]!;
      }
      if (!lib.FLAC__stream_encoder_process_interleaved(enc, block, n))
        throw new Error(`libFLAC encoding failed (state ${lib.FLAC__stream_encoder_get_state(enc)})`);
    }
    if (!lib.FLAC__stream_encoder_finish(enc)) throw new Error('libFLAC could not finish the stream');
  } finally {
    lib.FLAC__stream_encoder_delete(enc);
  }
  return Buffer.concat(out);
}
