import type { Test } from 'tap';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { STRICT } from '../db/helpers/backends.js';

/**
 * Debian's headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through playwright-core, closed with the
 * test, with `extraArgs` after the usual flags. Without it: undefined and the test is skipped with the reason, except
 * under CI_STRICT=1, where it fails.
 */
export async function launchChromium(t: Test, extraArgs: readonly string[] = []): Promise<Browser | undefined> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    if (STRICT) t.fail(`Chromium required under CI_STRICT=1 (apt-get install chromium): ${chromiumPath} missing`);
    else t.comment(`skipping: no Chromium at ${chromiumPath}`);
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}
