import t from 'tap';
import { SimulatedClock } from 'xstate';
import { LINE_LAG_MAX_MS, LINE_LEAD_MAX_MS, LineClock } from '../../src/call/line-clock.js';

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

t.test('a long delay set while a backlog is read fires at most LINE_LEAD_MAX_MS before its wall time', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.wall.increment(2000);
  // The loop stalled 2 s; while its backlog is read, a 1 s delay is set (the LLM's deadline, say).
  c.line.heard(100);
  c.after('deadline', 1000);
  c.line.heard(1100);
  t.same(c.fired, [], 'the line reached its time while the wall is 1 s short of it');
  c.line.heard(2000);
  c.wall.increment(1000 - LINE_LEAD_MAX_MS - 1);
  c.line.heard(2020);
  t.same(c.fired, [], 'not yet within LINE_LEAD_MAX_MS of its wall time');
  c.wall.increment(1);
  c.line.heard(2040);
  t.same(c.fired, ['deadline'], 'the next frame within the bound fires it');
});

t.test('a paused line (a keypad redirect): the wall alone counts until the next frame', async (t) => {
  const c = clock();
  c.line.heard(0);
  c.after('before', 500);
  c.wall.increment(500);
  t.same(c.fired, [], 'waiting for the line');
  c.line.linePaused();
  t.same(c.fired, ['before'], 'the stream stopped: it fires');
  c.after('during', 800);
  c.wall.increment(800);
  t.same(c.fired, ['before', 'during'], 'set while paused: on the wall');
  c.after('across', 500);
  c.wall.increment(300);
  // The next stream's first frame carries the call's clock across the gap.
  c.line.heard(4000);
  t.same(c.fired, ['before', 'during'], 'the jump in the line does not fire a delay set on the wall');
  c.wall.increment(200);
  t.same(c.fired, ['before', 'during', 'across']);
  c.after('after', 100);
  c.wall.increment(100);
  t.same(c.fired, ['before', 'during', 'across'], 'line time again: waits for the frame');
  c.line.heard(4100);
  t.same(c.fired, ['before', 'during', 'across', 'after']);
});
