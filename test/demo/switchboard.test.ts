import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { parsePersona } from '../../src/demo/persona.js';
import type { AgentEars } from '../../src/demo/receptionist.js';
import { soundWithin, Switchboard } from '../../src/demo/switchboard.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { KeyEars, keysOf } from '../../src/sim/keys.js';
import { GymLine } from '../../src/sim/line.js';

// The switchboard on a line with no stream (the gym talks for as long as its audio lasts, 20x faster than real
// time): keys reach it only as tones in what the agent's side plays, a wrong key gets "sorry", the right one leads
// on, and a voicemail plays its greeting and beep and then records.

const dsp = loadDsp();
const SPEED = 20;
const ears: AgentEars = { push: () => undefined, finish: async () => '', close: async () => undefined };

const persona = parsePersona({
  name: 'sb',
  gym: { name: 'Gym', phone: '+12015550197' },
  facts: {},
  flow: {
    start: 'main',
    nodes: {
      main: {
        kind: 'menu',
        intro: 'Thank you for calling.',
        options: [
          { key: '1', label: 'billing', to: 'main' },
          { key: '2', label: 'the front desk', to: 'vm' },
        ],
        waitMs: 3000,
      },
      vm: { kind: 'voicemail', greeting: 'Please leave a message after the tone.', maxMessageMs: 5000 },
    },
  },
});

t.test('a wrong key, then the right one: the menu says sorry, then the voicemail plays its beep', async (t) => {
  const tts = new FliteTts({ voice: 'slt', levelDbfs: null, mode: 'inline' });
  const line = new GymLine(SPEED);
  const keys = new KeyEars(line, (m) => dsp.ulawDecode(m), keysOf(dsp.createToneDetector({ dtmf: true, beep: false })));
  const flow = persona.flow;
  if (flow === undefined) throw new Error('no flow');
  const sb = new Switchboard({ persona, flow, line, dsp, ears, keys, voice: () => tts, speed: SPEED });
  const said: string[] = [];
  const done = sb.run();
  const waitSaid = async (text: string) => {
    for (let i = 0; i < 500 && !sb.events.some((e) => e.kind === 'said' && e.text.includes(text)); i++)
      await new Promise((r) => setTimeout(r, 10));
  };
  await waitSaid('Thank you for calling');
  line.play(dsp.dtmfRender('7', 100, 100)); // not an option
  await waitSaid("Sorry, I didn't get that.");
  line.play(dsp.dtmfRender('2', 100, 100));
  await done;
  for (const e of sb.events) if (e.kind === 'said') said.push(e.text);
  const r = sb.report();
  t.equal(keys.keys, '72');
  t.same(
    r.path.map((p) => p.node),
    ['main', 'vm'],
  );
  t.ok(said.includes("Sorry, I didn't get that."), 'the wrong key was answered with "sorry"');
  t.ok(r.voicemail && r.voicemail.beepAtMs !== undefined && !r.voicemail.full, 'greeting, then the beep');
  t.ok(line.isEnded, 'the mailbox hung up after its longest message');
  t.ok(r.agentSound.length >= 2, 'the tones were heard as the agent making sound');
  t.equal(soundWithin(r.agentSound, r.voicemail?.greetingFromMs ?? 0, r.voicemail?.greetingToMs ?? 0), 0);
  await tts.close();
});

t.test('soundWithin adds up the overlap of sound stretches with a window', async (t) => {
  t.equal(
    soundWithin(
      [
        [0, 100],
        [150, 300],
      ],
      50,
      200,
    ),
    100,
  );
  t.equal(soundWithin([[0, 100]], 100, 200), 0);
  t.equal(soundWithin([], 0, Infinity), 0);
});
