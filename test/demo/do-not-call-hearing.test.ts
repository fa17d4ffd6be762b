import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { loadDsp } from '../../src/dsp/index.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { isDoNotCall } from '../../src/situations/cues.js';

// A gym's "don't call us again" reaches the do-not-call cue offline: each request, said by the receptionist's voice
// through μ-law and recognised on the open grammar, is heard as a do-not-call request (cues.ts). Without the
// phrases in the grammar, "take", "list", "remove" and "stop" cannot be recognised at all.

const dsp = loadDsp();
const REQUESTS = [
  "please don't call us again",
  'take us off your list',
  'remove us from your list',
  'stop calling us',
  'never call us again',
];

t.test('a do-not-call request is heard by the offline recogniser', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const events: AsrStreamEvent[] = [];
  const asr = new OfflineAsr({ dsp, vad: { kind: 'hybrid' }, denoise: 'never' });
  const stream = await asr.open({ onEvent: (e) => events.push(e) });
  t.teardown(() => stream.close());
  stream.setContext?.('open');
  let heard = 0;
  for (const said of REQUESTS) {
    const { mulaw } = await synthesizePhoneAudio(tts, dsp, said);
    events.length = 0;
    for (const f of frames20ms(new Uint8Array([...mulawSilence(400), ...mulaw, ...mulawSilence(900)]))) stream.push(f);
    stream.finalize?.();
    const text = events
      .flatMap((e) => (e.type === 'final' ? [e.text] : []))
      .join(' ')
      .toLowerCase();
    const right = isDoNotCall(text);
    if (right) heard++;
    t.comment(`said: ${said}  heard: ${text}${right ? '' : '  (missed)'}`);
  }
  t.ok(heard >= REQUESTS.length - 1, `do-not-call requests heard in ${heard}/${REQUESTS.length}`);
  await tts.close();
});
