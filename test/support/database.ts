import { mkdir } from 'node:fs/promises';
import { embeddedDataDir } from '../../src/db/embedded.js';
import { freshPgliteDir } from '../db/helpers/backends.js';

/**
 * Gives DATA_DIR an embedded database copied from a pristine one made once per machine. PGlite's initdb costs a
 * server about 5 s of CPU on its first start (9.4 → 4.3 s for DemoEnvironment.start); tests about calls need a
 * database, not a first start (test/db/embedded*.test.ts test that).
 */
export async function seedDatabase(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await freshPgliteDir(embeddedDataDir(dataDir));
}
