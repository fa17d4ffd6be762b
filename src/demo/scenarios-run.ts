import { join } from 'node:path';
import { dspOptionsFromEnv } from '../config/index.js';
import { loadDsp, packageRoot } from '../dsp/index.js';
import { createLogger } from '../log.js';
import { FliteTts } from '../providers/tts/flite.js';
import { offlineEars } from './ears.js';
import { DemoEnvironment } from './environment.js';
import { formatTable, loadScenarios, runSuite } from './scenarios.js';

// `gym-agent scenarios` / `npm run scenarios`: one server, every persona, a table and the checks.

export interface ScenarioCommandArgs {
  only: string[] | undefined;
  fastSubset: boolean;
  /** scenarios/noisy/ instead of scenarios/. */
  noisy?: boolean;
  json: boolean;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export async function runScenarioCommand(a: ScenarioCommandArgs): Promise<number> {
  const dir = a.noisy === true ? join(packageRoot(), 'scenarios', 'noisy') : undefined;
  let personas = await loadScenarios(dir, a.only);
  if (a.fastSubset) personas = personas.filter((p) => p.expect.fast === true);
  const log = createLogger(a.logLevel);
  const out = process.stdout;
  const progress = (s: string) => (a.json ? process.stderr : out).write(s + '\n');
  progress(`Running ${personas.length} scenario(s) through the offline server; each is a real-time phone call…`);
  const env = await DemoEnvironment.start({ dataDir: a.dataDir, log });
  const dsp = loadDsp(dspOptionsFromEnv());
  // The receptionist keeps flite's own level: the suite's recognition figures were measured with it.
  const tts = new FliteTts({ voice: 'slt', levelDbfs: null });
  try {
    const t0 = performance.now();
    const summary = await runSuite({
      env,
      personas,
      tts,
      dsp,
      ears: () => offlineEars(dsp),
      log,
      onOutcome: (o, i) => {
        const secs = ((performance.now() - t0) / 1000).toFixed(0);
        const verdict = o.failures.length === 0 ? 'ok' : `FAIL (${o.failures.join('; ')})`;
        progress(`[${i + 1}/${personas.length}] ${secs}s  ${o.persona.name}: ${verdict}`);
      },
    });
    if (a.json)
      out.write(
        JSON.stringify({
          scenarios: summary.outcomes.map((o) => ({
            persona: o.persona.name,
            factsCorrect: o.score?.correct ?? null,
            factsTotal: o.score?.total ?? null,
            failures: o.failures,
            error: o.error ?? null,
            result: o.json ?? null,
          })),
          factsCorrect: summary.factsCorrect,
          factsTotal: summary.factsTotal,
          gapMedianMs: summary.gapMedianMs ?? null,
          suiteFailures: summary.suiteFailures,
        }) + '\n',
      );
    else out.write('\n' + formatTable(summary) + '\n');
    const failed = summary.suiteFailures.length > 0 || summary.outcomes.some((o) => o.failures.length > 0);
    return failed ? 1 : 0;
  } finally {
    await tts.close();
    await env.close();
  }
}
