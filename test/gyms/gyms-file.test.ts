import t from 'tap';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGymsFile } from '../../src/cli/gyms-file.js';
import { MAX_FILE_BYTES } from '../../src/gyms/import-parse.js';

// `gyms import FILE` and `campaign create --gyms FILE` read the file through one gate: its size first (campaign
// create read the whole file before anything checked it), then its text.

t.test('a gyms file: too big, missing, or read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gyms-file-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.csv');
  await writeFile(big, '');
  await truncate(big, MAX_FILE_BYTES + 1); // sparse: no disk used
  t.same(await readGymsFile(big), { ok: false, message: `FILE is over ${MAX_FILE_BYTES} bytes` });
  t.same(await readGymsFile(join(dir, 'missing.csv')), {
    ok: false,
    message: `cannot read ${join(dir, 'missing.csv')}`,
  });
  t.same(await readGymsFile(dir), { ok: false, message: `cannot read ${dir}` }, 'a directory is not a file');
  const ok = join(dir, 'gyms.csv');
  await writeFile(ok, 'name,phone\nIron Gym,+12015550100\n');
  t.same(await readGymsFile(ok), { ok: true, text: 'name,phone\nIron Gym,+12015550100\n' });
});
