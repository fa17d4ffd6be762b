import t from 'tap';
import { AudioTap } from '../../src/call/asr-actor.js';

t.test('the audio tap hands voice edges to the attached recogniser, starting with the state at attach', async (t) => {
  const tap = new AudioTap();
  tap.voice(true);
  const seen: boolean[] = [];
  const audio: number[] = [];
  const detach = tap.attach(
    (m) => audio.push(m.length),
    (s) => seen.push(s),
  );
  t.same(seen, [true], 'attached mid-utterance: told at once');
  tap.voice(false);
  tap.push(new Uint8Array(160), 20);
  t.same(seen, [true, false]);
  t.same(audio, [160]);
  t.equal(tap.heardToMs, 20, 'knows how far the media clock has come');
  detach();
  tap.voice(true);
  tap.push(new Uint8Array(160), 40);
  t.same(seen, [true, false], 'nothing after detach');
  t.same(audio, [160]);
  const later: boolean[] = [];
  tap.attach(
    () => undefined,
    (s) => later.push(s),
  );
  t.same(later, [true], 'a new sink learns the latest state');
});

t.test('a call starts silent', async (t) => {
  const seen: boolean[] = [];
  new AudioTap().attach(
    () => undefined,
    (s) => seen.push(s),
  );
  t.same(seen, [false]);
});

t.test('the tap hands pauses in her voice to the attached recogniser', async (t) => {
  const tap = new AudioTap();
  const pauses: boolean[] = [];
  tap.attach(
    () => undefined,
    () => undefined,
    (p) => pauses.push(p),
  );
  tap.pause(true);
  tap.pause(false);
  t.same(pauses, [true, false]);
});
