// The dsp CLI as users run it: a child process on the compiled dist/ (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { equalArrays, noise } from '../../bench/dsp-signals.js';
import { repoRoot } from '../support/repo.js';
import { joinPcm } from '../../src/audio/pcm.js';

const root = repoRoot;
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const dsp = loadDsp();

function gym(args: string[], input: Uint8Array, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, 'dsp', ...args], {
    input,
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: new Uint8Array(r.stdout), err: r.stderr.toString() };
}

const bytesOf = (x: Int16Array): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
const int16Of = (b: Uint8Array): Int16Array => new Int16Array(b.slice().buffer);

t.test('dist is built', async (t) => {
  t.ok(existsSync(cli), `${cli} exists (run npm run build)`);
});

t.test('resample: stdin → stdout equals the library, for any chunk size and with --scalar', async (t) => {
  const x = noise(24000, 5);
  const r = dsp.createResampler(24000, 8000);
  const expected = joinPcm([r.push(x), r.flush()]);
  const outs = [
    gym(['resample', '--from', '24000', '--to', '8000'], bytesOf(x)),
    gym(['resample', '--from=24000', '--to=8000', '--chunk', '1'], bytesOf(x)),
    gym(['resample', '--from', '24000', '--to', '8000', '--chunk', '333', '--scalar', '--kernels'], bytesOf(x)),
    gym(['resample', '--from', '24000', '--to', '8000'], bytesOf(x), { DSP_FORCE_SCALAR: '1' }),
  ];
  for (const o of outs) {
    t.equal(o.code, 0, o.err);
    t.ok(equalArrays(int16Of(o.out), expected), 'same samples');
  }
  t.match(outs[2]!.err, /kernels scalar/);
  const up = gym(['resample', '--from', '8000', '--to', '16000', '--chunk', '7'], bytesOf(x.subarray(0, 8000)));
  t.equal(up.code, 0);
  t.equal(int16Of(up.out).length, 16000 + dsp.createResampler(8000, 16000).flush().length);
});

t.test('encode / decode round trip; odd chunk sizes keep sample alignment', async (t) => {
  const x = noise(4001, 9);
  const enc = gym(['encode', '--chunk', '7'], bytesOf(x));
  t.equal(enc.code, 0, enc.err);
  t.ok(equalArrays(enc.out, dsp.ulawEncode(x)));
  const dec = gym(['decode'], enc.out);
  t.equal(dec.code, 0);
  t.ok(equalArrays(int16Of(dec.out), dsp.ulawDecode(enc.out)));
});

t.test('a trailing odd byte is reported, not silently padded', async (t) => {
  const b = bytesOf(noise(100, 1)).subarray(0, 199);
  const o = gym(['encode'], b);
  t.equal(o.code, 1);
  t.equal(o.out.length, 99);
  t.match(o.err, /odd byte/);
});

t.test('bad arguments: clear message, non-zero exit', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['resample', '--from', '24000'], /needs --from and --to/],
    [['resample', '--from', '44101', '--to', '8000'], /phases/],
    [['resample', '--from', 'abc', '--to', '8000'], /--from needs a whole number/],
    [['resample', '--from', '24000', '--to', '24000'], /equal/],
    [['resample', '--from', '1000', '--to', '8000'], /between/],
    [['encode', '--chunk', '0'], /--chunk must be between/],
    [['encode', '--bogus'], /unknown option/],
    [['transmogrify'], /unknown operation/],
    [[], /missing operation/],
  ];
  for (const [args, re] of cases) {
    const o = gym(args, new Uint8Array(0));
    t.equal(o.code, 2, args.join(' '));
    t.match(o.err, re);
    t.match(o.err, /usage: gym-agent dsp/);
  }
});
