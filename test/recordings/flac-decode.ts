import { createRequire } from 'node:module';

// libFLAC's own decoder (libflacjs), to read back what the recordings' encoder wrote.

export interface FlacDecoder {
  create_libflac_decoder(verify: boolean): number;
  init_decoder_stream(
    d: number,
    read: (n: number) => { buffer: Uint8Array; readDataLength: number; error: boolean },
    write: (data: Uint8Array[]) => void,
    error: (code: number, what: string) => void,
  ): number;
  FLAC__stream_decoder_process_until_end_of_stream(d: number): boolean;
  FLAC__stream_decoder_finish(d: number): boolean;
  FLAC__stream_decoder_delete(d: number): void;
  isReady(): boolean;
  on(event: 'ready', fn: () => void): void;
}

export async function flacDecoder(): Promise<FlacDecoder> {
  const lib = createRequire(import.meta.url)('libflacjs')('release') as FlacDecoder;
  if (!lib.isReady()) await new Promise<void>((r) => lib.on('ready', r));
  return lib;
}

/** Decodes 16-bit stereo FLAC with libFLAC's own decoder: [left, right]. */
export function decodeFlac(lib: FlacDecoder, file: Buffer): [Int16Array, Int16Array] {
  const d = lib.create_libflac_decoder(false);
  let pos = 0;
  const chans: [number[], number[]] = [[], []];
  lib.init_decoder_stream(
    d,
    (n) => {
      const len = Math.min(n, file.length - pos);
      const buffer = file.subarray(pos, pos + len);
      pos += len;
      return { buffer, readDataLength: len, error: false };
    },
    (data) => {
      for (let c = 0; c < 2; c++) {
        const b = data[c]!;
        const v = new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2);
        for (const s of v) chans[c as 0 | 1].push(s);
      }
    },
    (code, what) => {
      throw new Error(`FLAC decode error ${code} ${what}`);
    },
  );
  lib.FLAC__stream_decoder_process_until_end_of_stream(d);
  lib.FLAC__stream_decoder_finish(d);
  lib.FLAC__stream_decoder_delete(d);
  return [Int16Array.from(chans[0]), Int16Array.from(chans[1])];
}
