import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { loadDsp } from '../../src/dsp/index.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { isNotAGym, isPermanentlyClosed, isWrongNumber } from '../../src/situations/cues.js';

// The lines that end a call with an outcome of their own (not a gym, closed for good, wrong number), said by the
// receptionist's voice through μ-law and recognised on the open grammar, reach their cue (cues.ts). Without their
// phrases in the grammar the decoder fitted other words to them ("this gym has close uh permanently", "no visit not
// is can this to the try name business") and both personas ended as `partial`.

const dsp = loadDsp();
const SAID: [string, (text: string) => boolean][] = [
  ['This gym has closed permanently.', isPermanentlyClosed],
  ['We closed for good last year.', isPermanentlyClosed],
  ['Sorry, we went out of business.', isPermanentlyClosed],
  ['No, this is not a gym. This is a private business.', isNotAGym],
  ["We're not a gym, this is a dental office.", isNotAGym],
  ['I think you have the wrong number.', isWrongNumber],
];

t.test('the lines that end a call are heard by the offline recogniser', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const events: AsrStreamEvent[] = [];
  const asr = new OfflineAsr({ dsp, vad: { kind: 'hybrid' }, denoise: 'never' });
  const stream = await asr.open({ onEvent: (e) => events.push(e) });
  t.teardown(async () => {
    await stream.close();
    await tts.close();
  });
  stream.setContext?.('open');
  let heard = 0;
  for (const [said, cue] of SAID) {
    const { mulaw } = await synthesizePhoneAudio(tts, dsp, said);
    events.length = 0;
    for (const f of frames20ms(new Uint8Array([...mulawSilence(400), ...mulaw, ...mulawSilence(900)]))) stream.push(f);
    stream.finalize?.();
    const text = events
      .flatMap((e) => (e.type === 'final' ? [e.text] : []))
      .join(' ')
      .toLowerCase();
    const right = cue(text);
    if (right) heard++;
    t.comment(`said: ${said}  heard: ${text}${right ? '' : '  (missed)'}`);
  }
  t.ok(heard >= SAID.length - 1, `heard as said in ${heard}/${SAID.length}`);
});
