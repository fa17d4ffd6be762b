// `npm test` runs the suite compiled (dist/test, see package.json's tap config). tsc never deletes outputs, so a test
// file that was renamed or deleted in test/ would still run from dist/test; this removes every compiled test file
// whose source is gone before tsc writes the current ones.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function prune(built, source) {
  if (!existsSync(built)) return;
  for (const e of readdirSync(built, { withFileTypes: true })) {
    const path = join(built, e.name);
    if (e.isDirectory()) {
      if (existsSync(join(source, e.name))) prune(path, join(source, e.name));
      else rmSync(path, { recursive: true, force: true });
      continue;
    }
    const stem = e.name.replace(/\.(js|js\.map|d\.ts)$/, '');
    if (!existsSync(join(source, `${stem}.ts`))) rmSync(path, { force: true });
  }
}

prune('dist/test', 'test');
