import t from 'tap';
import { fmt, runSoak } from '../../bench/soak-run.js';

// Memory must come back when calls end. Waves of simultaneous offline calls (soundswallower, flite in its worker,
// the VAD, PGlite) against one server process, then a quiet period longer than the recogniser keeps idle decoders
// (10 s) and full GCs: the memory outside the V8 heap and the RSS must be back near where they were after a first
// call. Before the fix the recogniser's one WebAssembly memory kept what the busiest moment needed (40-75 MB per
// decoder) for the life of the process. Bounds are generous (a shared 2-core machine is noisy); the old code
// exceeded the external bound by the whole wave's growth. docs/benchmarks/memory.md has the full-size runs.

t.setTimeout(6 * 60_000);

const MB = 1024 * 1024;
/** A wave: four calls fill one recogniser instance (four decoders), whose memory must be returned. */
const CALLS = 4;

t.test('two waves of simultaneous offline calls: external memory and RSS return after the calls end', async (t) => {
  const r = await runSoak({ calls: CALLS, waves: 2, turns: 1, quietMs: 12_000, progress: (s) => t.comment(s) });
  const { baseline, final } = r;
  const peak = Math.max(...r.waves.map((w) => w.after.external));
  t.ok(
    r.waves.every((w) => w.completed >= CALLS / 2),
    `at least half of each wave's calls connected (${r.waves.map((w) => w.completed).join(', ')} of ${CALLS})`,
  );
  t.ok(
    peak - baseline.external >= 32 * MB,
    `the calls grew external memory (peak ${(peak / MB).toFixed(0)} MB over a baseline of ` +
      `${(baseline.external / MB).toFixed(0)} MB), so the test can tell whether it came back`,
  );
  t.ok(final.external <= baseline.external + 32 * MB, `external memory back: ${fmt(final)}; baseline ${fmt(baseline)}`);
  t.ok(final.rss <= baseline.rss + 64 * MB, `RSS back within 64 MB of the baseline`);
  t.equal(final.activeCalls, 0, 'no call left open');
});
