import t from 'tap';
import { SimulatedClock } from 'xstate';
import { LINE_LAG_MAX_MS, LineClock } from '../../src/call/line-clock.js';

// The call actor's delays fire once they have passed on the wall and on the line (the frames heard so far), and
// on the wall alone before the first frame, after the line closed, or LINE_LAG_MAX_MS late when frames stop.

function clock() {
  const wall = new SimulatedClock();
  const line = new LineClock(wall);
  const fired: string[] = [];
  const after = (name: string, ms: number) => line.setTimeout(() => fired.push(name), ms);
  return { wall, line, fired, after };
}

t.test('before the first frame, the wall alone', async (t) => {
  const c = clock();
  c.after('a', 400);
  c.wall.increment(399);
  t.same(c.fired, []);
  c.wall.increment(1);
  t.same(c.fired, ['a']);
});

t.test('frames in step with the wall: fires on the wall, as a plain timer', async (t) => {
  const c = clock();
  c.line.heard(1000);
  c.after('a', 400);
  for (let ms = 1020; ms <= 1400; ms += 20) {
    c.wall.increment(20);
    c.line.heard(ms);
  }
  t.same(c.fired, ['a'], 'due at 400 ms on both');
});

t.test('a stall: due on the wall, the line not yet heard that far, it waits for the frames', async (t) => {
  const c = clock();
  c.line.heard(1000);
  c.after('a', 400);
  // The loop stalls for 600 ms: no frame read, and then the wall's timer comes first.
  c.wall.increment(600);
  t.same(c.fired, [], 'the line was heard only to 1000 ms: not yet');
  // The queued frames are read: the first 380 ms of them do not reach the delay.
  for (let ms = 1020; ms < 1400; ms += 20) c.line.heard(ms);
  t.same(c.fired, [], 'heard to 1380 ms: still not');
  c.line.heard(1400);
  t.same(c.fired, ['a'], 'fires when the line has been heard to its time');
});

t.test('a cancelled delay never fires, waiting or not', async (t) => {
  const c = clock();
  c.line.heard(0);
  const a = c.after('a', 100);
  c.after('b', 100);
  c.wall.increment(200);
  c.line.clearTimeout(a);
  c.line.heard(200);
  t.same(c.fired, ['b']);
  const d = c.after('d', 100);
  c.line.clearTimeout(d);
  c.wall.increment(100);
  c.line.heard(300);
  t.same(c.fired, ['b']);
});

t.test('frames that stop coming hold a delay at most LINE_LAG_MAX_MS', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.after('a', 400);
  c.wall.increment(400);
  t.same(c.fired, []);
  c.wall.increment(LINE_LAG_MAX_MS - 1);
  t.same(c.fired, []);
  c.wall.increment(1);
  t.same(c.fired, ['a']);
});

t.test('the line closed: waiting delays fire, later ones run on the wall', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.after('a', 100);
  c.wall.increment(100);
  t.same(c.fired, []);
  c.line.lineClosed();
  t.same(c.fired, ['a']);
  c.after('b', 100);
  c.line.heard(5000);
  c.wall.increment(100);
  t.same(c.fired, ['a', 'b'], 'no frame counts after the close');
});

t.test('frames ahead of the wall (a burst read after a stall) never make a delay fire early', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.after('a', 400);
  c.line.heard(2000);
  t.same(c.fired, [], 'the line is past its time, the wall is not');
  c.wall.increment(400);
  t.same(c.fired, ['a']);
});
