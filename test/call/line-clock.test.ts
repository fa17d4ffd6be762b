import t from 'tap';
import { SimulatedClock } from 'xstate';
import { LINE_LAG_MAX_MS, LineClock } from '../../src/call/line-clock.js';

// The call actor's delays are due when the line has been heard up to their time (on the wall's timer while the
// frames come in step), on the wall alone before the first frame and after the line closed, and LINE_LAG_MAX_MS
// late when frames stop coming.

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
  c.after('z', 500);
  c.wall.increment(100);
  t.same(c.fired, []);
  c.line.lineClosed();
  t.same(c.fired, ['a'], 'the one waiting for the line fires; the other keeps its wall time');
  c.wall.increment(400);
  t.same(c.fired, ['a', 'z']);
  c.after('b', 100);
  c.line.heard(5000);
  c.wall.increment(100);
  t.same(c.fired, ['a', 'z', 'b'], 'no frame counts after the close');
});

t.test("frames read in a burst after a stall fire the delays in the line's order", async (t) => {
  const c = clock();
  c.line.heard(1000);
  c.after('end of turn', 250);
  c.wall.increment(900);
  t.same(c.fired, [], 'stalled: its wall time passed, its line time not');
  // The burst: 80 ms of the queued frames, and in them her voice, confirmed 120 ms of line later.
  c.line.heard(1080);
  c.after('her voice confirmed', 120);
  c.line.heard(1200);
  t.same(c.fired, ['her voice confirmed'], 'due at 1200 on the line: before the end of turn, due at 1250');
  c.line.heard(1260);
  t.same(c.fired, ['her voice confirmed', 'end of turn']);
});

t.test('several delays due in one burst fire in due order, a cancelled one not at all', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.after('c', 300);
  const b = c.line.setTimeout(() => c.fired.push('b'), 200);
  c.line.setTimeout(() => {
    c.fired.push('a');
    c.line.clearTimeout(b);
  }, 100);
  c.wall.increment(1);
  c.line.heard(400);
  t.same(c.fired, ['a', 'c'], 'a before c; b cancelled by a');
});

t.test('in step with the wall, a delay fires on the wall without waiting for the next frame', async (t) => {
  const c = clock();
  c.line.heard(1000);
  c.after('a', 250);
  c.line.heard(1240);
  c.wall.increment(250);
  t.same(c.fired, ['a'], 'heard to 1240, the frame reaching 1250 not due yet: fires at its wall time');
});
