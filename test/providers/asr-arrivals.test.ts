import t from 'tap';
import { Arrivals } from '../../src/providers/asr/arrivals.js';

// The offline recogniser's final latency counts from when the audio of the last word arrived (as Deepgram's does).

t.test('the arrival of the audio holding a stream time', async (t) => {
  const a = new Arrivals();
  a.push(20, 1000); // 0-20 ms
  a.push(20, 1020); // 20-40 ms
  a.push(200, 1100); // 40-240 ms, arrived in one piece (audio held while the stream connected)
  t.equal(a.at(0), 1000);
  t.equal(a.at(20), 1000, 'an end belongs to its piece');
  t.equal(a.at(21), 1020);
  t.equal(a.at(100), 1100);
  t.equal(a.at(500), 1100, 'beyond what arrived: the last piece');
});

t.test('only the last 30 s are kept', async (t) => {
  const a = new Arrivals();
  for (let i = 0; i < 2000; i++) a.push(20, i);
  t.equal(a.at(39_990), 1999);
  t.equal(a.at(20_000), 999);
  t.equal(a.at(1_000), undefined, 'older than what is kept: unknown, not a wrong time');
});
