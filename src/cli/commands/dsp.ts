import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { dspOptionsFromEnv } from '../../config/index.js';
import { loadDsp, type Dsp } from '../../dsp/index.js';

// `gym-agent dsp resample|encode|decode`: raw audio on stdin → stdout through the native addon, in chunks of
// N input bytes, exactly as a call feeds it. Used to debug audio by ear and by the checks of issue 2.

const USAGE = `usage: gym-agent dsp <resample|encode|decode> [options] < in > out
  resample --from HZ --to HZ   raw s16le mono in, raw s16le mono out (e.g. --from 24000 --to 8000)
  encode                       raw s16le in, raw G.711 μ-law out
  decode                       raw G.711 μ-law in, raw s16le out
options:
  --chunk N    input bytes per call into the addon (default 960 = 20 ms at 24 kHz); odd sizes are fine
  --scalar     force the portable scalar kernels (output is identical; env DSP_FORCE_SCALAR=1 does the same)
  --kernels    print the kernels in use to stderr`;

class UsageError extends Error {}

interface Options {
  op: 'resample' | 'encode' | 'decode';
  from: number;
  to: number;
  chunk: number;
  scalar: boolean;
  /** Config DSP_ADDON_PATH. */
  addonPath: string | undefined;
  showKernels: boolean;
}

function intArg(name: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${name} needs a whole number (got ${v ?? 'nothing'})`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

export function parseArgs(args: string[], env: Record<string, string | undefined> = process.env): Options {
  const [op, ...rest] = args;
  if (op !== 'resample' && op !== 'encode' && op !== 'decode') {
    throw new UsageError(op === undefined ? 'missing operation' : `unknown operation '${op}'`);
  }
  const fromEnv = dspOptionsFromEnv(env);
  const o: Options = {
    op,
    from: 0,
    to: 0,
    chunk: 960,
    scalar: fromEnv.forceScalar,
    addonPath: fromEnv.path,
    showKernels: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = (): string | undefined => inline ?? rest[++i];
    if (flag === '--from' && op === 'resample') o.from = intArg('--from', value(), 4000, 192000);
    else if (flag === '--to' && op === 'resample') o.to = intArg('--to', value(), 4000, 192000);
    else if (flag === '--chunk') o.chunk = intArg('--chunk', value(), 1, 16 * 1024 * 1024);
    else if (flag === '--scalar') o.scalar = true;
    else if (flag === '--kernels') o.showKernels = true;
    else throw new UsageError(`unknown option '${a}' for '${op}'`);
  }
  if (op === 'resample' && (o.from === 0 || o.to === 0)) throw new UsageError('resample needs --from and --to');
  return o;
}

/** Yields the input re-cut into chunks of exactly `size` bytes (the last one may be shorter). */
async function* rechunk(input: AsyncIterable<Buffer>, size: number): AsyncGenerator<Uint8Array> {
  let cur = new Uint8Array(size);
  let fill = 0;
  for await (const buf of input) {
    let off = 0;
    while (off < buf.length) {
      const n = Math.min(size - fill, buf.length - off);
      cur.set(buf.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield cur;
        cur = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield cur.subarray(0, fill);
}

async function write(out: Writable, data: ArrayBufferView): Promise<void> {
  if (data.byteLength === 0) return;
  if (!out.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) await once(out, 'drain');
}

/** Runs one operation over a stream. Returns the number of dangling input bytes (half a sample) at the end. */
export async function processStream(o: Options, dsp: Dsp, input: Readable, out: Writable): Promise<number> {
  if (o.op === 'resample') {
    const r = dsp.createResampler(o.from, o.to);
    for await (const c of rechunk(input, o.chunk)) await write(out, r.pushBytes(c));
    const dangling = r.info().pendingByte ? 1 : 0;
    await write(out, r.flush());
    return dangling;
  }
  if (o.op === 'decode') {
    for await (const c of rechunk(input, o.chunk)) await write(out, dsp.ulawDecode(c));
    return 0;
  }
  let carry = -1;
  for await (const c of rechunk(input, o.chunk)) {
    const start = carry >= 0 ? 1 : 0;
    const n = start + ((c.length - start) >> 1);
    const pcm = new Int16Array(n);
    let j = 0;
    if (carry >= 0 && c.length > 0) pcm[j++] = carry | (c[0]! << 8);
    let i = start;
    for (; i + 1 < c.length; i += 2) pcm[j++] = c[i]! | (c[i + 1]! << 8);
    carry = i < c.length ? c[i]! : -1;
    await write(out, dsp.ulawEncode(pcm));
  }
  return carry >= 0 ? 1 : 0;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let o: Options;
  try {
    o = parseArgs(args);
    // Reject bad rate pairs before reading.
    if (o.op === 'resample') loadDsp({ path: o.addonPath }).createResampler(o.from, o.to).info();
  } catch (e) {
    if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`gym-agent dsp: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const dsp = loadDsp({ path: o.addonPath, forceScalar: o.scalar });
  if (o.showKernels) process.stderr.write(`gym-agent dsp: kernels ${dsp.kernels()}\n`);
  const dangling = await processStream(o, dsp, process.stdin, process.stdout);
  if (dangling > 0) {
    process.stderr.write('gym-agent dsp: input ended with an odd byte (half a sample); it was not processed\n');
    return 1;
  }
  return 0;
}
