import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { dspOptionsFromEnv } from '../../src/config/index.js';
import { addonCandidates, loadAddonFrom, loadDsp, returnFreedMemory } from '../../src/dsp/index.js';
import { AppError } from '../../src/errors.js';

t.test('finds the node-gyp build and reports kernels', async (t) => {
  const dsp = loadDsp();
  t.match(dsp.kernels(), /^(avx512vnni|avx2|sse2|neon|scalar)$/);
  const forced = loadDsp({ forceScalar: true });
  t.equal(forced.kernels(), 'scalar');
  forced.setForceScalar(false);
  t.not(dsp.kernels(), 'scalar-forced');
});

t.test("the addon gives the C heap's freed memory back (glibc's malloc_trim)", async (t) => {
  // Its effect on the RSS is measured by the soak (test/acceptance/soak.test.ts); here: the built addon has it.
  const { addon } = loadAddonFrom(addonCandidates());
  t.equal(typeof addon.trimMemory, 'function', 'exported by the addon');
  t.equal(typeof returnFreedMemory(), 'boolean');
});

t.test('candidate order: the configured path (DSP_ADDON_PATH), build/Release, cmake-js dirs', async (t) => {
  const { path } = dspOptionsFromEnv({ DSP_ADDON_PATH: '/y/b.node' });
  const c = addonCandidates({ path });
  t.equal(c[0], '/y/b.node');
  t.match(c[1], /build[/\\]Release[/\\]gym_dsp\.node$/);
  t.ok(c.some((p) => /build-cmake/.test(p)));
  t.notOk(addonCandidates().includes('/y/b.node'), 'nothing read from the environment behind the config');
});

t.test('the DSP settings are validated like the rest of the configuration', async (t) => {
  t.same(dspOptionsFromEnv({}), { path: undefined, forceScalar: false });
  t.same(dspOptionsFromEnv({ DSP_FORCE_SCALAR: 'yes', DSP_ADDON_PATH: ' ' }), { path: undefined, forceScalar: true });
  t.throws(() => dspOptionsFromEnv({ DSP_FORCE_SCALAR: 'sometimes' }), { code: 'CONFIG_INVALID' });
});

t.test('one clear error listing what was tried and how to fix it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dsp-loader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const junk = join(dir, 'gym_dsp.node');
  writeFileSync(junk, 'not an ELF file');
  const missing = join(dir, 'missing.node');
  const err = t.throws(() => loadAddonFrom([missing, junk])) as AppError;
  t.ok(err instanceof AppError);
  t.equal(err.code, 'ADDON_LOAD_FAILED');
  t.match(err.message, `${missing} (not found)`);
  t.match(err.message, `${junk} (failed to load`);
  t.match(err.message, /npm install/);
  t.match(err.message, /DSP_ADDON_PATH/);
});

t.test('pooled outputs never overlap and survive later calls', async (t) => {
  const dsp = loadDsp();
  const r = dsp.createResampler(8000, 16000);
  const outs: Int16Array[] = [];
  const copies: Int16Array[] = [];
  const lengths = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const o = r.push(new Int16Array(160).fill(i % 2 ? 1000 : -1000));
    outs.push(o);
    copies.push(o.slice());
    lengths.add(dsp.ulawEncode(new Int16Array(37).fill(i)).length);
  }
  t.same([...lengths], [37], 'odd-sized pooled outputs have the right length');
  t.ok(
    outs.every((o, i) => o.every((v, j) => v === copies[i]![j])),
    'no returned array was overwritten by a later call (several slabs used)',
  );
  t.throws(
    () =>
      r.push(new Int16Array(4).fill(1) as unknown as Int16Array).length > 0 &&
      dsp.ulawDecode(new Int16Array(2) as unknown as Uint8Array),
    TypeError,
  );
});
