// Runs fixed test vectors through one build of the addon and writes every output byte to stdout, so builds
// for different architectures (x86-64 node-gyp, cmake-js, aarch64 under qemu) can be compared byte for byte.
// Plain CommonJS on purpose: it also runs in the arm64 Node binary under qemu, without the TS loader.
// usage: node cross-vectors.cjs /path/to/gym_dsp.node [--scalar]
/* global require, process, Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS so it runs in a bare arm64 Node */
'use strict';
if (!process.argv[2]) {
  // Run without an addon path (e.g. `tap test/dsp/`): nothing to compare; native-cross.test.ts drives this file.
  process.stdout.write('1..0 # SKIP needs an addon path; run by native-cross.test.ts\n');
  process.exit(0);
}
const addon = require(process.argv[2]);
addon.setForceScalar(process.argv.includes('--scalar'));

let seed = 2463534242;
function noise(n) {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    x[i] = (seed >>> 16) - 32768;
  }
  return x;
}

const out = [];
const emit = (a) => out.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));

const all = new Int16Array(65536);
for (let i = 0; i < 65536; i++) all[i] = i - 32768;
emit(addon.ulawEncode(all));
emit(addon.ulawDecode(Uint8Array.from({ length: 256 }, (_, i) => i)));

const x = noise(9600);
for (let i = 4800; i < 9600; i++) x[i] = Math.round(20000 * Math.sin(i * 0.37)); // a loud tone in the second half
const pairs = [
  [24000, 8000],
  [22050, 8000],
  [16000, 8000],
  [44100, 8000],
  [48000, 8000],
  [8000, 16000],
];
const bytes = new Uint8Array(x.buffer);
for (const [from, to] of pairs) {
  emit(addon.designTaps(from, to));
  const r = new addon.Resampler(from, to);
  for (let i = 0; i < x.length; i += 480) emit(r.push(x.subarray(i, i + 480)));
  emit(r.flush());
  const rb = new addon.Resampler(from, to);
  for (let i = 0, c = 1; i < bytes.length; i += c, c = ((c * 5 + 1) % 997) + 1)
    emit(rb.pushBytes(bytes.subarray(i, i + c)));
  emit(rb.flush());
  emit(new addon.Resampler(from, to).pushUlaw(x));
}
// VAD features on every frame size the app uses and odd ones (SIMD main loops, overlapped and scalar tails),
// on the noise/tone vector and on extremes (full-scale runs, alternating -32768/32767, silence).
const ext = new Int16Array(4007);
for (let i = 0; i < ext.length; i++) {
  const k = Math.floor(i / 1000);
  ext[i] = k === 0 ? -32768 : k === 1 ? (i % 2 ? -32768 : 32767) : k === 2 ? 0 : k === 3 ? x[i] : 32767;
}
for (const v of [x, ext]) for (const f of [80, 160, 320, 33, 161]) emit(addon.frameFeatures(v, f));
// DTMF keys (μ-law through the active kernels) and tone detections (keys, a beep) in odd chunks.
const keys = addon.dtmfRender('0123456789*#ABCDw1', 70, 75);
emit(keys);
const heard = addon.ulawDecode(keys);
const tones = new Int16Array(heard.length + 2400 + x.length);
tones.set(heard);
for (let i = 0; i < 2400; i++) tones[heard.length + i] = Math.round(7163 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
tones.set(x, heard.length + 2400);
const detector = new addon.ToneDetector(true, true);
const events = [];
for (let i = 0; i < tones.length; i += 77) events.push(...(detector.push(tones.subarray(i, i + 77)) ?? []));
out.push(Buffer.from(JSON.stringify(events)));
process.stderr.write(`${process.arch} ${addon.kernels()}\n`);
process.stdout.write(Buffer.concat(out));
