import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { KeyEars, keysOf } from '../../src/sim/keys.js';
import { GymLine } from '../../src/sim/line.js';
import { toneBurst } from '../../src/sim/noise/hold.js';

// The gym's line hears keys only as tones in the agent's audio: rendered keys (the addon's Q.23 renderer, as the
// agent sends them) are heard in order whatever the chunking; a voicemail-style beep and the line's silence are not
// keys; audio played between streams (<Play digits>) reaches the same detector.

const dsp = loadDsp();
const ears = (line: GymLine) =>
  new KeyEars(line, (m) => dsp.ulawDecode(m), keysOf(dsp.createToneDetector({ dtmf: true, beep: false })));

t.test('rendered keys are heard in order, in 20 ms frames as the stream delivers them', async (t) => {
  const line = new GymLine();
  const heard = ears(line);
  const mulaw = dsp.dtmfRender('20#', 100, 100);
  for (let i = 0; i < mulaw.length; i += 160) line.play(mulaw.subarray(i, i + 160));
  line.play(new Uint8Array(1600).fill(0xff));
  t.equal(heard.keys, '20#');
  t.equal(heard.heard.length, 3);
});

t.test('a beep and silence are not keys; a listener that stopped hears nothing', async (t) => {
  const line = new GymLine();
  const heard = ears(line);
  line.play(dsp.ulawEncode(toneBurst(1000, 500)));
  line.play(new Uint8Array(8000).fill(0xff));
  t.equal(heard.keys, '');
  heard.close();
  line.play(dsp.dtmfRender('5', 100, 100));
  t.equal(heard.keys, '');
});

t.test('onKey reports each key with the call time it was recognised', async (t) => {
  const line = new GymLine();
  const heard = ears(line);
  const got: string[] = [];
  heard.onKey((k) => {
    got.push(k.key);
    t.ok(k.atMs >= 0);
  });
  line.play(dsp.dtmfRender('7w9', 80, 80));
  line.play(new Uint8Array(800).fill(0xff));
  t.same(got, ['7', '9']);
});
