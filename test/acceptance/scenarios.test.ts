import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeSpeechLevelDbfs, peakDbfs } from '../../src/audio/level.js';
import { offlineEars } from '../../src/demo/ears.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { formatTable, loadScenarios, runSuite } from '../../src/demo/scenarios.js';
import { loadDsp } from '../../src/dsp/index.js';
import { createLogger } from '../../src/log.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { seedDatabase } from '../support/database.js';

// The fast subset of the scenario suite, end to end: the real server (offline providers, embedded PGlite) on a
// loopback port, POST /v1/calls, the fake Twilio REST API calling our webhook, a real Media Streams WebSocket,
// and a simulated receptionist who only hears the agent's audio. Facts are checked as read back from the DB.

// Real-time phone calls: longer than the suite's default per-file timeout.
t.setTimeout(600_000);

/** The two legs of a call recording (`--record`, src/sim/wav.ts: 44-byte header, 8 kHz, left gym, right agent). */
function legs(wav: Buffer): { gym: Int16Array; agent: Int16Array } {
  const frames = (wav.length - 44) / 4;
  const gym = new Int16Array(frames);
  const agent = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    gym[i] = wav.readInt16LE(44 + i * 4);
    agent[i] = wav.readInt16LE(46 + i * 4);
  }
  return { gym, agent };
}

t.test('fast scenario subset through the real server', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-integ-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await seedDatabase(dataDir);
  const log = createLogger('error');
  const env = await DemoEnvironment.start({ dataDir, log, record: true });
  const dsp = loadDsp();
  const tts = new FliteTts({ voice: 'slt', levelDbfs: null });
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
    // A failure on a loaded CI box is read from the log alone: the call as stored, turn by turn.
    if (o.failures.length > 0)
      for (const u of o.json?.transcript ?? [])
        t.comment(`${o.persona.name}: ${u.startMs}–${u.endMs} ${u.speaker}${u.interrupted ? ' (cut)' : ''}: ${u.text}`);
    t.ok((o.json?.transcript.length ?? 0) >= 2, `${o.persona.name}: transcript stored turn by turn`);
    // The agent at a telephone level in the recording, as the gym hears it (μ-law, 8 kHz), unclipped, and no longer
    // far quieter than the gym (it was 13 dB under: flite's kal16 voice speaks at about −27 dBFS).
    t.ok(o.wav, `${o.persona.name}: recorded`);
    const { gym, agent } = legs(o.wav ?? Buffer.alloc(44));
    const agentDb = activeSpeechLevelDbfs(agent, 8000) ?? -Infinity;
    const gymDb = activeSpeechLevelDbfs(gym, 8000) ?? -Infinity;
    t.ok(
      agentDb >= -20 && agentDb <= -16,
      `${o.persona.name}: agent speaks at ${agentDb.toFixed(1)} dBFS (−16 to −20)`,
    );
    t.ok(
      Math.abs(agentDb - gymDb) <= 6,
      `${o.persona.name}: gym at ${gymDb.toFixed(1)} dBFS, within 6 dB of the agent`,
    );
    for (const [leg, pcm] of [
      ['agent', agent],
      ['gym', gym],
    ] as const)
      t.ok(peakDbfs(pcm) < -0.5, `${o.persona.name}: ${leg} peaks at ${peakDbfs(pcm).toFixed(1)} dBFS, unclipped`);
  }
  // Response-gap targets are a benchmark matter (timing on a shared CI box is noise); overall accuracy is checked.
  t.same(
    summary.suiteFailures.filter((f) => !f.startsWith('response-gap')),
    [],
    'suite-level checks',
  );
});
