import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineEars } from '../../src/demo/ears.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { formatTable, loadScenarios, runSuite } from '../../src/demo/scenarios.js';
import { loadDsp } from '../../src/dsp/index.js';
import { createLogger } from '../../src/log.js';
import { FliteTts } from '../../src/providers/tts/flite.js';

// The fast subset of the scenario suite, end to end: the real server (offline providers, embedded PGlite) on a
// loopback port, POST /v1/calls, the fake Twilio REST API calling our webhook, a real Media Streams WebSocket,
// and a simulated receptionist who only hears the agent's audio. Facts are checked as read back from the DB.

// Real-time phone calls: longer than the suite's default per-file timeout.
t.setTimeout(600_000);

t.test('fast scenario subset through the real server', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-integ-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const log = createLogger('error');
  const env = await DemoEnvironment.start({ dataDir, log });
  const dsp = loadDsp();
  const tts = new FliteTts({ voice: 'slt' });
  t.teardown(async () => {
    await tts.close();
    await env.close();
  });
  const personas = (await loadScenarios()).filter((p) => p.expect.fast === true);
  t.ok(personas.length >= 2, 'the fast subset has personas');
  // Response gaps are not asserted (timing on a shared CI box is noise); everything else is.
  const summary = await runSuite({
    env,
    personas,
    tts,
    dsp,
    ears: () => offlineEars(dsp),
    log,
    maxGapMedianMs: Infinity,
  });
  t.comment('\n' + formatTable(summary));
  for (const o of summary.outcomes) {
    t.equal(o.error, undefined, `${o.persona.name}: ran to the end`);
    // Every expectation of the persona, fact accuracy included (`expect.minFactsCorrect`, `maxFactsWrong`): a
    // recognition or parsing regression fails here, not only in `npm run scenarios`.
    t.same(o.failures, [], `${o.persona.name}: expectations hold (facts ${o.score?.correct}/${o.score?.total})`);
    if (o.score && o.score.wrong.length > 0) t.comment(`${o.persona.name}: ${o.score.wrong.join('; ')}`);
    t.ok((o.json?.transcript.length ?? 0) >= 2, `${o.persona.name}: transcript stored turn by turn`);
  }
  // Response-gap targets are a benchmark matter (timing on a shared CI box is noise); overall accuracy is checked.
  t.same(
    summary.suiteFailures.filter((f) => !f.startsWith('response-gap')),
    [],
    'suite-level checks',
  );
});
