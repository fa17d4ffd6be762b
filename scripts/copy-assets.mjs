// Copies non-TypeScript runtime assets (SQL migrations, the PGlite worker, review page CSS, the analytics and monitor pages' scripts) from src/ into dist/src/ after tsc,
// so the compiled code finds them next to itself exactly as the TypeScript sources do in tests.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ASSETS = [
  { from: 'src/db/migrations', to: 'dist/src/db/migrations', ext: '.sql' },
  { from: 'src/db', to: 'dist/src/db', ext: '.mjs' },
  { from: 'src/review/assets', to: 'dist/src/review/assets', ext: '.css' },
  { from: 'src/analytics/assets', to: 'dist/src/analytics/assets', ext: '.js' },
  { from: 'src/monitor/assets', to: 'dist/src/monitor/assets', ext: '.js' },
];

for (const a of ASSETS) {
  if (!existsSync(a.from)) continue;
  mkdirSync(a.to, { recursive: true });
  for (const f of readdirSync(a.from)) {
    if (!f.endsWith(a.ext)) continue;
    mkdirSync(dirname(join(a.to, f)), { recursive: true });
    cpSync(join(a.from, f), join(a.to, f));
  }
}
