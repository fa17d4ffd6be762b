import t from 'tap';
import { bargeTruth } from '../../src/demo/barge-truth.js';

// The simulator's count of barge-ins: a stop of the agent's audio is true only with her sound on the line at it
// (or just before it); the goodbye's clear is no barge-in.

t.test('stops judged by what she really sent', async (t) => {
  const her: [number, number][] = [
    [1000, 2300], // "Sorry, what was that?"
    [5000, 5400], // a backchannel
  ];
  const r = bargeTruth({ callerSoundMs: her, clearsAtMs: [1350, 2800, 3500, 5300, 9000] }, 8000);
  t.equal(r.stops, 4, 'the clear after closing began is the goodbye, not a barge-in');
  t.equal(r.falseStops, 1, 'the stop at 3.5 s had nothing of hers within 600 ms: the room or the echo');
  t.same(r.onsetToStopMs, [350, 1800, 300], 'her onset to each stop she caused');
});

t.test('no clears, no stops; noise recognised as words still counts as false', async (t) => {
  t.same(bargeTruth({ callerSoundMs: [], clearsAtMs: [] }), { stops: 0, falseStops: 0, onsetToStopMs: [] });
  t.equal(bargeTruth({ callerSoundMs: [], clearsAtMs: [4200] }).falseStops, 1);
});
