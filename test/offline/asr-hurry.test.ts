import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { testDsp } from './helpers.js';

// hurry(): a voice stands over the agent and only its words can pause the agent (machines/turn.region.ts,
// speaking → hurryAsr). The offline recogniser then sends its interim words every 60 ms for a second instead of
// every 300 ms, and one at once: the first word of an interruption reaches the machine up to 240 ms sooner.

const { dsp, note } = testDsp();
if (note) t.comment(note);

/** Stream times (ms) of the partials while the answer plays, hurried `hurryAtFrame` frames in (or never). */
async function partialTimes(hurryAtFrame: number | undefined): Promise<number[]> {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const asr = new OfflineAsr({ dsp, denoise: 'never', partialEveryMs: 300 });
  try {
    const { mulaw } = await synthesizePhoneAudio(tts, dsp, "Sorry, what was that? We're open from six to nine.");
    const events: AsrStreamEvent[] = [];
    const stream = await asr.open({ onEvent: (e) => events.push(e) });
    stream.setContext?.('open');
    [...frames20ms(new Uint8Array([...mulawSilence(300), ...mulaw, ...mulawSilence(600)]))].forEach((f, i) => {
      if (i === hurryAtFrame) stream.hurry?.();
      stream.push(f);
    });
    await stream.close();
    return events.flatMap((e) => (e.type === 'partial' && e.endMs !== undefined ? [e.endMs] : []));
  } finally {
    await tts.close();
    asr.close();
  }
}

const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - (xs[i] as number));

t.test('hurried, partials come every 60 ms for a second, then at the usual pace', async (t) => {
  const usual = await partialTimes(undefined);
  t.ok(usual.length >= 3, `partials without hurry: ${usual.join(' ')}`);
  t.ok(
    gaps(usual).every((g) => g >= 300),
    'never closer than 300 ms without hurry (a partial is sent only when its words change)',
  );
  const hurryAt = 30; // 600 ms: 300 ms into her voice
  const hurried = await partialTimes(hurryAt);
  const inWindow = hurried.filter((ms) => ms > hurryAt * 20 && ms <= hurryAt * 20 + 1000);
  t.ok(inWindow.length > usual.filter((ms) => ms > hurryAt * 20 && ms <= hurryAt * 20 + 1000).length, 'more often');
  t.ok(
    gaps(inWindow).every((g) => g % 60 === 0 && g < 300),
    `on the 60 ms grid within the window: ${inWindow.join(' ')}`,
  );
  const after = hurried.filter((ms) => ms > hurryAt * 20 + 1100);
  t.ok(
    gaps(after).every((g) => g >= 300),
    `the usual pace after it: ${after.join(' ')}`,
  );
});
