import t from 'tap';
import { latencyLabel, latencyTable, latencyValue } from '../../src/review/latency.js';

// The review page's latency figures, as text: every stored shape reads as words and milliseconds.

t.test('each stored shape reads as words and milliseconds', async (t) => {
  t.equal(latencyValue(420), '420 ms');
  t.equal(latencyValue([420]), '420 ms');
  t.equal(latencyValue([200, 900, 350]), 'median 350 ms · max 900 ms (3 turns)');
  t.equal(
    latencyValue({ count: 4, p50: 612, p90: 980, max: 1210 }),
    'median 612 ms · p90 980 ms · max 1210 ms (4 turns)',
  );
  t.equal(latencyValue(null), 'none measured');
  t.equal(latencyValue([]), 'none measured');
  t.equal(latencyValue({ odd: 'shape' }), '{"odd":"shape"}', 'an unknown shape is still shown');
});

t.test('labels: known figures named, others in words', async (t) => {
  t.equal(latencyLabel('serverAddedMs'), 'Server-added time (end of turn → first audio sent)');
  t.equal(latencyLabel('asrFinalLatencyMs'), 'asr final latency');
});

t.test('the table escapes what it shows', async (t) => {
  const out = latencyTable({ '<b>x</b>': '<script>' }).value;
  t.notMatch(out, /<script>|<b>/);
  t.match(out, /&lt;b&gt;x&lt;\/b&gt;/);
});
