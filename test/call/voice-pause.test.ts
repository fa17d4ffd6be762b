import t from 'tap';
import { VoicePause } from '../../src/call/voice-pause.js';

// Her voice pausing inside speech: pauseMs of unvoiced frames while the VAD holds her speaking, before its
// 200 ms hangover; the next voiced frame or the silence edge ends it.

function setup(pauseMs = 80) {
  const seen: boolean[] = [];
  const p = new VoicePause(pauseMs, (x) => seen.push(x));
  const frames = (speech: boolean, n: number) => {
    for (let i = 0; i < n; i++) p.frame(speech, 20);
  };
  return { p, seen, frames };
}

t.test('a pause after pauseMs of unvoiced frames inside speech, ended by her voice', async (t) => {
  const { p, seen, frames } = setup();
  p.edge(true);
  frames(true, 10);
  frames(false, 3);
  t.same(seen, [], 'a 60 ms gap between words is no pause');
  frames(true, 5);
  frames(false, 4);
  t.same(seen, [true], 'paused after 80 ms');
  frames(false, 5);
  t.same(seen, [true], 'once per pause');
  frames(true, 1);
  t.same(seen, [true, false], 'her voice goes on');
  frames(false, 4);
  p.edge(false);
  t.same(seen, [true, false, true, false], 'the silence edge ends the pause');
});

t.test('no pause outside speech, and none when switched off', async (t) => {
  const { seen, frames } = setup();
  frames(false, 20);
  t.same(seen, [], 'silence before she speaks is no pause');
  const off = setup(0);
  off.p.edge(true);
  off.frames(true, 5);
  off.frames(false, 20);
  t.same(off.seen, []);
});
