import { normaliseSpeechLevel } from '../../audio/level.js';
import { webAssembly, type WasmMemory, type WasmModule } from '../../wasm.js';

// A minimal in-memory WASI preview1 host for the flite command-line program compiled to WASI. It implements
// only the 13 imports flite uses, gives it argv, and captures the WAV it writes into a buffer: no temporary
// files, no node:wasi experimental warning, nothing on disk. A WASI command can run _start only once, so every
// synthesis gets a fresh instance of the (cached, compiled) module; instantiation costs well under a
// millisecond next to the synthesis itself.

export function compileFlite(wasmBytes: Uint8Array): WasmModule {
  return new (webAssembly().Module)(wasmBytes);
}

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const PREOPEN_FD = 3;
const PREOPEN_NAME = '/out';

class ProcExit {
  constructor(readonly code: number) {}
}

export interface FliteRun {
  wav: Uint8Array;
  exitCode: number;
  /** What flite printed on stdout/stderr (its error messages). */
  output: string;
}

export function runFlite(module: WasmModule, args: readonly string[]): FliteRun {
  // Set once the instance exists; the imports below only run after that.
  const host: { memory?: WasmMemory } = {};
  // Views are rebuilt only when the memory grows; WASI calls are frequent enough for this to matter.
  let view: DataView | undefined;
  let u8: Uint8Array | undefined;
  const mem = (): DataView => {
    const buf = (host.memory as WasmMemory).buffer;
    if (view?.buffer !== buf) {
      view = new DataView(buf);
      u8 = new Uint8Array(buf);
    }
    return view;
  };
  const bytes = (): Uint8Array => {
    mem();
    return u8 as Uint8Array;
  };
  const enc = new TextEncoder();
  const argv = ['flite', ...args].map((a) => enc.encode(`${a}\0`));
  let file = new Uint8Array(1 << 16);
  let fileLen = 0;
  let filePos = 0;
  let fileFd = -1;
  let output = '';

  const writeFile = (src: Uint8Array): void => {
    const end = filePos + src.length;
    if (end > file.length) {
      const grown = new Uint8Array(Math.max(end, file.length * 2));
      grown.set(file.subarray(0, fileLen));
      file = grown;
    }
    file.set(src, filePos);
    filePos = end;
    fileLen = Math.max(fileLen, end);
  };

  const wasi = {
    args_sizes_get(argcPtr: number, bufSizePtr: number): number {
      mem().setUint32(argcPtr, argv.length, true);
      mem().setUint32(
        bufSizePtr,
        argv.reduce((n, a) => n + a.length, 0),
        true,
      );
      return ESUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      let p = bufPtr;
      argv.forEach((a, i) => {
        mem().setUint32(argvPtr + i * 4, p, true);
        bytes().set(a, p);
        p += a.length;
      });
      return ESUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, outPtr: number): number {
      mem().setBigUint64(outPtr, process.hrtime.bigint(), true);
      return ESUCCESS;
    },
    fd_close(fd: number): number {
      if (fd === fileFd) fileFd = -1;
      return ESUCCESS;
    },
    fd_fdstat_get(fd: number, ptr: number): number {
      const v = mem();
      // filetype: 2 character device (stdio), 3 directory (preopen), 4 regular file
      v.setUint8(ptr, fd <= 2 ? 2 : fd === PREOPEN_FD ? 3 : 4);
      v.setUint16(ptr + 2, 0, true);
      v.setBigUint64(ptr + 8, 0xffffffffn, true);
      v.setBigUint64(ptr + 16, 0xffffffffn, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags(): number {
      return ESUCCESS;
    },
    fd_prestat_get(fd: number, ptr: number): number {
      if (fd !== PREOPEN_FD) return EBADF;
      mem().setUint8(ptr, 0);
      mem().setUint32(ptr + 4, PREOPEN_NAME.length, true);
      return ESUCCESS;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number, len: number): number {
      if (fd !== PREOPEN_FD) return EBADF;
      bytes().set(enc.encode(PREOPEN_NAME).subarray(0, len), pathPtr);
      return ESUCCESS;
    },
    fd_read(_fd: number, _iovs: number, _iovsLen: number, nreadPtr: number): number {
      mem().setUint32(nreadPtr, 0, true);
      return ESUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      if (fd !== fileFd) return EBADF;
      const base = whence === 0 ? 0 : whence === 1 ? filePos : fileLen;
      const pos = base + Number(offset);
      if (pos < 0) return EINVAL;
      filePos = pos;
      mem().setBigUint64(newOffsetPtr, BigInt(pos), true);
      return ESUCCESS;
    },
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      const v = mem();
      let n = 0;
      for (let k = 0; k < iovsLen; k++) {
        const ptr = v.getUint32(iovs + k * 8, true);
        const len = v.getUint32(iovs + k * 8 + 4, true);
        const chunk = bytes().subarray(ptr, ptr + len);
        if (fd === fileFd) writeFile(chunk);
        else if (fd === 1 || fd === 2) output += new TextDecoder().decode(chunk);
        else return EBADF;
        n += len;
      }
      v.setUint32(nwrittenPtr, n, true);
      return ESUCCESS;
    },
    path_open(
      dirFd: number,
      _dirFlags: number,
      _pathPtr: number,
      _pathLen: number,
      _oflags: number,
      _rightsBase: bigint,
      _rightsInheriting: bigint,
      _fdFlags: number,
      fdPtr: number,
    ): number {
      // The only file flite opens is its output WAV (voices are compiled in).
      if (dirFd !== PREOPEN_FD || fileFd !== -1) return EBADF;
      fileFd = 4;
      fileLen = 0;
      filePos = 0;
      mem().setUint32(fdPtr, fileFd, true);
      return ESUCCESS;
    },
    proc_exit(code: number): never {
      throw new ProcExit(code);
    },
  };

  const instance = new (webAssembly().Instance)(module, { wasi_snapshot_preview1: wasi });
  host.memory = instance.exports.memory as WasmMemory;
  let exitCode = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof ProcExit)) throw e;
    exitCode = e.code;
  }
  return { wav: file.slice(0, fileLen), exitCode, output };
}

/** The PCM (s16le) and rate inside a RIFF/WAVE buffer. */
export function parseWav(wav: Uint8Array): { sampleRate: number; pcm: Uint8Array } {
  const v = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (o: number): string => String.fromCharCode(...wav.subarray(o, o + 4));
  if (wav.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE buffer');
  let sampleRate = 0;
  for (let o = 12; o + 8 <= wav.length;) {
    const id = tag(o);
    const size = v.getUint32(o + 4, true);
    if (id === 'fmt ') {
      if (v.getUint16(o + 8, true) !== 1 || v.getUint16(o + 10, true) !== 1 || v.getUint16(o + 22, true) !== 16) {
        throw new Error('expected 16-bit mono PCM');
      }
      sampleRate = v.getUint32(o + 12, true);
    } else if (id === 'data') {
      if (!sampleRate) throw new Error('data chunk before fmt chunk');
      return { sampleRate, pcm: wav.slice(o + 8, Math.min(wav.length, o + 8 + size)) };
    }
    o += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/**
 * One synthesis as the provider hands it on: flite run, its WAV read, and the speech brought to `levelDbfs` of
 * active speech (flite's voices differ by about 11 dB; src/audio/level.ts), or left as flite made it (null).
 * Throws when flite fails.
 */
export function synthesizeLevelled(
  module: WasmModule,
  args: string[],
  levelDbfs: number | null,
): { sampleRate: number; pcm: Uint8Array } {
  const run = runFlite(module, args);
  if (run.exitCode !== 0) throw new Error(`flite exited with ${run.exitCode}: ${run.output.trim().slice(0, 200)}`);
  const { sampleRate, pcm } = parseWav(run.wav);
  if (levelDbfs === null) return { sampleRate, pcm };
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength >> 1);
  const levelled = normaliseSpeechLevel(samples, sampleRate, levelDbfs);
  return { sampleRate, pcm: new Uint8Array(levelled.buffer) };
}
