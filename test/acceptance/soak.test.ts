import t from 'tap';
import { fmt, runSoak } from '../../bench/soak-run.js';

// Memory must come back when calls end. Waves of simultaneous offline calls (soundswallower on its worker thread,
// flite in its worker, the VAD, PGlite) against one server process, then a quiet period longer than the recogniser
// keeps an idle thread (10 s) and full GCs: the RSS (every thread's memory) and the main thread's memory outside
// the V8 heap must be back near the warm baseline, the server after one call and the same quiet period (every
// lazily loaded module and worker in place; what it keeps between calls). Before the first fix the recogniser's
// one WebAssembly memory kept what the busiest moment needed (40-75 MB per decoder) for the life of the process;
// with the recogniser on a thread that was never stopped, its isolate kept ≈ 380 MB (it did no work, so it never
// collected). The baseline is the warm server, not the one that has never had a call: what the first call loads
// for good (≈ 50-100 MB, more under tap's loader) is not a leak, and measuring against it left a 2 MB margin in
// CI. Bounds are generous: what they must catch is hundreds of MB (above); what a loaded 2-core machine adds is
// up to ≈ 115 MB (-54 to +113 MB over the warm baseline in CI runs beside the container recipe and the cross
// builds; +3 to +32 MB on an idle machine). The quiet period is twice the decoding thread's idle stop (10 s): at
// 12 s a loaded machine had sometimes not yet stopped it and trimmed the heap. docs/benchmarks/memory.md has more.

t.setTimeout(6 * 60_000);

const MB = 1024 * 1024;
/** A wave: four calls fill one recogniser instance (four decoders), whose memory must be returned. */
const CALLS = 4;

t.test('two waves of simultaneous offline calls: external memory and RSS return after the calls end', async (t) => {
  const r = await runSoak({ calls: CALLS, waves: 2, turns: 1, quietMs: 20_000, progress: (s) => t.comment(s) });
  const { baseline, final } = r;
  const peak = Math.max(...r.waves.map((w) => w.after.rss));
  t.ok(
    r.waves.every((w) => w.completed >= CALLS / 2),
    `at least half of each wave's calls connected (${r.waves.map((w) => w.completed).join(', ')} of ${CALLS})`,
  );
  t.ok(
    peak - baseline.rss >= 128 * MB,
    `the calls grew the RSS (peak ${(peak / MB).toFixed(0)} MB, warm baseline ${(baseline.rss / MB).toFixed(0)} MB), ` +
      'so the test can tell whether it came back',
  );
  t.ok(final.external <= baseline.external + 32 * MB, `external memory back: ${fmt(final)}; baseline ${fmt(baseline)}`);
  t.ok(
    final.rss <= baseline.rss + 160 * MB,
    `RSS back within 160 MB of the warm baseline: ${fmt(final)}; baseline ${fmt(baseline)}`,
  );
  t.equal(final.activeCalls, 0, 'no call left open');
});
