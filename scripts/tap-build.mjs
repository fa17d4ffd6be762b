// tap rebuilds its Test class when the configured plugins (package.json "tap".plugin) differ from the built ones,
// but only inside a run whose runner has already loaded the old build: that first run after an install hands the
// old build's loaders (TypeScript, mock) to every test process, ≈ 4 s each (600 s instead of 509 s for the suite
// on a fresh clone; docs/benchmarks/test-suite.md). npm test runs this first; it builds only when they differ.
import { execFileSync } from 'node:child_process';
import { TapConfig } from '@tapjs/config';
import { signature } from '@tapjs/test';

const config = await TapConfig.load();
if (config.pluginSignature !== signature) {
  console.error('tap: building its Test class with the configured plugins (once after an install)');
  execFileSync('npx', ['tap', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
